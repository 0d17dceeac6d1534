import { describe, expect, it } from 'vitest';
import { determineBundle } from '../../src/pipeline.js';
import { goldenCases } from '../helpers/cases.js';
import { AS_OF } from '../helpers/facts.js';
import { goldenCaseChecks } from '../helpers/golden-checks.js';
import { CHARGE_CASES_DIR, sharedAvailable } from '../helpers/shared.js';

describe.skipIf(!sharedAvailable)('reconciliation golden cases (../shared/cases-charges)', () => {
  const cases = sharedAvailable ? goldenCases(CHARGE_CASES_DIR) : [];

  it('finds the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(4);
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, golden) => {
    const determination = determineBundle(golden.bundle, { asOf: AS_OF });
    goldenCaseChecks(golden, determination);

    it('lists every charge read with a status, each matched one on a session of the case', () => {
      const sessions = new Set(determination.sessions.map((s) => s.encounter ?? s.fractions[0]));
      for (const charge of determination.charges ?? []) {
        expect(['matches', 'level', 'not-supported', 'duplicate', 'deleted', 'unmatched']).toContain(charge.status);
        if (charge.status !== 'unmatched') expect(sessions.has(charge.session!)).toBe(true);
      }
      // Charges on file are listed; a case without any charge resources has nothing to reconcile and says nothing.
      if ((determination.charges ?? []).length === 0) expect(determination.findings.filter((f) => f.rule.startsWith('B-'))).toEqual([]);
    });
  });
});
