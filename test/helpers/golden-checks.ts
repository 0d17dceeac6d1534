import { expect, it } from 'vitest';
import { RULE_CATALOG } from '../../src/engine/rules/index.js';
import type { Determination } from '../../src/engine/types.js';
import type { GoldenCase } from './cases.js';

const rulesOf = (findings: readonly { rule: string }[] | undefined) => (findings ?? []).map((f) => f.rule);
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * The checks every golden case gets, from its expected file: each session's codes and findings, each order's level,
 * the session count and top-level findings when given, no undelivered fraction billed, and every finding citing a
 * catalogued rule and its source. Registers the tests in the surrounding `describe`.
 */
export function goldenCaseChecks(golden: GoldenCase, determination: Determination): void {
  it.each(golden.expected.sessions.map((s) => [s.fractions.join(','), s] as const))('session %s', (_fractions, expected) => {
    const session = determination.sessions.find((s) => sameSet(s.fractions, expected.fractions));
    expect(session, `session with fractions ${expected.fractions}`).toBeDefined();
    // The fields the expected file gives (as check-cases.mjs compares them): a case may leave open what the spec does.
    const keys = (['deliveryCode', 'supportedDeliveryCode', 'igrtProfessional', 'igrtStatus'] as const).filter((key) => key in expected);
    expect(Object.fromEntries(keys.map((key) => [key, session![key]]))).toEqual(Object.fromEntries(keys.map((key) => [key, expected[key]])));
    if (expected.outOfFamilyContains) expect(session!.outOfFamily).toContain(expected.outOfFamilyContains);
    const present = [...rulesOf(session!.findings), ...rulesOf(determination.findings)];
    for (const rule of expected.findingRules) expect(present, `finding ${rule}`).toContain(rule);
    for (const rule of expected.absentFindingRules) expect(rulesOf(session!.findings), `no finding ${rule}`).not.toContain(rule);
  });

  it.each(golden.expected.orders.map((o) => [o.order, o] as const))('order %s', (_order, expected) => {
    const order = determination.orders.find((o) => o.order === expected.order);
    expect(order).toBeDefined();
    expect(order!.expectedDeliveryCode).toBe(expected.expectedDeliveryCode);
    const present = [...rulesOf(order!.findings), ...rulesOf(determination.findings)];
    for (const rule of expected.findingRules) expect(present, `finding ${rule}`).toContain(rule);
    for (const rule of expected.absentFindingRules) expect(rulesOf(order!.findings), `no finding ${rule}`).not.toContain(rule);
  });

  it.each((golden.expected.phases ?? []).map((p) => [p.procedure, p] as const))('summary %s', (_procedure, expected) => {
    const phase = (determination.phases ?? []).find((p) => p.procedure === expected.procedure);
    expect(phase, `phases[] entry for ${expected.procedure}`).toBeDefined();
    const keys = (['kind', 'fractionsDelivered', 'fractionRecords', 'deliveryCode', 'igrtProfessional'] as const).filter((key) => key in expected);
    expect(Object.fromEntries(keys.map((key) => [key, phase![key]]))).toEqual(Object.fromEntries(keys.map((key) => [key, expected[key]])));
    for (const rule of expected.findingRules) expect(rulesOf(phase!.findings), `finding ${rule}`).toContain(rule);
  });

  it('has the expected number of sessions and top-level findings', () => {
    if (golden.expected.sessionCount !== undefined) expect(determination.sessions).toHaveLength(golden.expected.sessionCount);
    for (const rule of golden.expected.topFindingRules ?? []) expect(rulesOf(determination.findings), `top-level ${rule}`).toContain(rule);
    for (const rule of golden.expected.absentTopFindingRules ?? [])
      expect(rulesOf(determination.findings), `no top-level ${rule}`).not.toContain(rule);
  });

  it('bills no fraction that was not delivered', () => {
    for (const ref of golden.expected.notBilled ?? []) {
      expect(determination.sessions.some((s) => s.fractions.includes(ref))).toBe(false);
    }
  });

  it('cites a rule and a source in every finding', () => {
    const all = [...determination.findings, ...determination.sessions.flatMap((s) => s.findings), ...determination.orders.flatMap((o) => o.findings)];
    const catalog = new Set(RULE_CATALOG.map((rule) => rule.id));
    for (const finding of all) {
      expect(catalog, finding.rule).toContain(finding.rule);
      // A plain sentence: the rule and its source are fields, not text to strip again.
      expect(finding.message).not.toMatch(/\[[A-Z]+-[A-Z0-9-]+; source/);
      expect(finding.source).toMatch(/^(\d{3}|CodeXRT|spec) \(/);
    }
  });
}
