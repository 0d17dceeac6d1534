import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Determination } from '../../src/engine/types.js';
import { todayUtc } from '../../src/dates.js';
import { RULE_CATALOG } from '../../src/engine/rules/index.js';
import { determineBundle } from '../../src/pipeline.js';
import type { ExpectedOrder, ExpectedSession } from '../helpers/cases.js';
import { CHARGE_CASES_DIR } from '../helpers/department.js';

interface Expected {
  description: string;
  rules: string[];
  sessions: ExpectedSession[];
  orders: ExpectedOrder[];
  sessionCount?: number;
  topFindingRules?: string[];
  absentTopFindingRules?: string[];
  notBilled?: string[];
}

const cases = readdirSync(CHARGE_CASES_DIR)
  .filter((file) => file.endsWith('.bundle.json'))
  .sort()
  .map((file) => {
    const name = file.replace('.bundle.json', '');
    return {
      name,
      bundle: JSON.parse(readFileSync(join(CHARGE_CASES_DIR, file), 'utf8')) as unknown,
      expected: JSON.parse(readFileSync(join(CHARGE_CASES_DIR, `${name}.expected.json`), 'utf8')) as Expected,
    };
  });
const rulesOf = (findings: readonly { rule: string }[] | undefined) => (findings ?? []).map((f) => f.rule);
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

describe('reconciliation golden cases (../shared/cases-charges)', () => {
  it('finds the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(4);
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, golden) => {
    const determination: Determination = determineBundle(golden.bundle, { asOf: todayUtc() });

    it.each(golden.expected.sessions.map((s) => [s.fractions.join(','), s] as const))('session %s', (_fractions, expected) => {
      const session = determination.sessions.find((s) => sameSet(s.fractions, expected.fractions));
      expect(session, `session with fractions ${expected.fractions}`).toBeDefined();
      expect({
        deliveryCode: session!.deliveryCode,
        supportedDeliveryCode: session!.supportedDeliveryCode,
        igrtProfessional: session!.igrtProfessional,
        igrtStatus: session!.igrtStatus,
      }).toEqual({
        deliveryCode: expected.deliveryCode,
        supportedDeliveryCode: expected.supportedDeliveryCode,
        igrtProfessional: expected.igrtProfessional,
        igrtStatus: expected.igrtStatus,
      });
      const present = [...rulesOf(session!.findings), ...rulesOf(determination.findings)];
      for (const rule of expected.findingRules) expect(present, `finding ${rule}`).toContain(rule);
      for (const rule of expected.absentFindingRules) expect(rulesOf(session!.findings), `no finding ${rule}`).not.toContain(rule);
    });

    it('has the expected number of sessions', () => {
      if (golden.expected.sessionCount !== undefined) expect(determination.sessions).toHaveLength(golden.expected.sessionCount);
    });

    it('has the expected top-level findings, and not the absent ones', () => {
      for (const rule of golden.expected.topFindingRules ?? []) expect(rulesOf(determination.findings), `top-level ${rule}`).toContain(rule);
      for (const rule of golden.expected.absentTopFindingRules ?? [])
        expect(rulesOf(determination.findings), `no top-level ${rule}`).not.toContain(rule);
    });

    it('lists every charge read with a status, each matched one on a session of the case', () => {
      const sessions = new Set(determination.sessions.map((s) => s.encounter ?? s.fractions[0]));
      for (const charge of determination.charges ?? []) {
        expect(['matches', 'level', 'not-supported', 'duplicate', 'deleted', 'unmatched']).toContain(charge.status);
        if (charge.status !== 'unmatched') expect(sessions.has(charge.session!)).toBe(true);
      }
      // Charges on file, or B-NONE saying there are none to reconcile.
      expect((determination.charges ?? []).length > 0 || rulesOf(determination.findings).includes('B-NONE')).toBe(true);
    });

    it('cites a rule and a source in every finding', () => {
      const all = [
        ...determination.findings,
        ...determination.sessions.flatMap((s) => s.findings),
        ...determination.orders.flatMap((o) => o.findings),
      ];
      const catalog = new Set(RULE_CATALOG.map((rule) => rule.id));
      for (const finding of all) {
        expect(catalog, finding.rule).toContain(finding.rule);
        expect(finding.source).toMatch(/\S/);
        // A plain sentence: the rule and its source are fields, not text to strip again.
        expect(finding.message).not.toMatch(/\[[A-Z]+-[A-Z0-9-]+; source/);
      }
    });
  });
});
