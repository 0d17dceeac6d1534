import { describe, expect, it } from 'vitest';
import { determineBundle } from '../../src/pipeline.js';
import { goldenCases } from '../helpers/cases.js';
import { AS_OF } from '../helpers/facts.js';
import { goldenCaseChecks } from '../helpers/golden-checks.js';

const cases = goldenCases();

describe('golden cases (../shared/cases)', () => {
  it('finds the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(17);
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, golden) => {
    goldenCaseChecks(golden, determineBundle(golden.bundle, { asOf: AS_OF }));
  });
});
