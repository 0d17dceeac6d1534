import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { determineBundle } from '../../src/pipeline.js';
import { goldenCases } from '../helpers/cases.js';
import { AS_OF } from '../helpers/facts.js';
import { goldenCaseChecks } from '../helpers/golden-checks.js';

const DIR = fileURLToPath(new URL('../fixtures/cases-v3/', import.meta.url));
const cases = goldenCases(DIR);

describe('spec v3 cases (test/fixtures/cases-v3): time zones, A-QUAL, who signs, summaries, authorizations, limits, charges', () => {
  it('finds the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, golden) => {
    goldenCaseChecks(golden, determineBundle(golden.bundle, { asOf: AS_OF }));
  });
});
