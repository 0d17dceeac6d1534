import { describe, expect, it } from 'vitest';
import { determineBundle } from '../../src/pipeline.js';
import { goldenCases } from '../helpers/cases.js';
import { AS_OF } from '../helpers/facts.js';
import { goldenCaseChecks } from '../helpers/golden-checks.js';
import { CASES_DIR, sharedAvailable } from '../helpers/shared.js';

describe.skipIf(!sharedAvailable)('golden cases (../shared/cases)', () => {
  const cases = sharedAvailable ? goldenCases(CASES_DIR) : [];

  it('finds the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(17);
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, golden) => {
    goldenCaseChecks(golden, determineBundle(golden.bundle, { asOf: AS_OF }));
  });
});
