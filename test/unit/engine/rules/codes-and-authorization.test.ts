import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/engine/evaluate.js';
import type { Authorization } from '../../../../src/engine/types.js';
import { authorization, engineInput, fraction, prescription } from '../../../helpers/facts.js';

const auth = (cptCodes: string[], start = '2026-01-01', overrides: Partial<Authorization> = {}): Authorization =>
  authorization({ cptCodes, period: { start, end: '2026-06-30' }, ...overrides });
const orderFindings = (authorizations: Authorization[], order = prescription()) =>
  evaluate(engineInput({ prescriptions: [order], authorizations })).orders[0]!.findings;
const rules = (findings: readonly { rule: string }[]) => findings.map((f) => f.rule);

describe('C-DELETED', () => {
  it.each([['77385'], ['77386'], ['77014'], ['G6001'], ['G6002'], ['G6003'], ['G6010'], ['G6016'], ['G6017']])(
    '%s on an authorization for 2026 is critical',
    (code) => {
      const findings = orderFindings([auth([code])]);
      expect(findings).toContainEqual(expect.objectContaining({ rule: 'C-DELETED', severity: 'critical' }));
    },
  );

  it('a deleted CPT code on the order itself', () => {
    const findings = orderFindings([], prescription({ cptCodes: ['77385'] }));
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'C-DELETED', evidence: ['ServiceRequest/rx'] }));
  });

  it('not for a 2025 date of service', () => {
    expect(rules(orderFindings([auth(['77385'])], prescription({ serviceDate: '2025-11-01' })))).not.toContain('C-DELETED');
  });

  it('2026 codes are not deleted', () => {
    expect(rules(orderFindings([auth(['77407', '77387'])]))).not.toContain('C-DELETED');
  });
});

describe('C-AUTH-MISMATCH', () => {
  it('authorized 77407, facts give 77412: warning naming the derived code', () => {
    const findings = orderFindings([auth(['77407'])], prescription({ ordered: { respiratory: ['gating'] }, ammNecessity: 'x' }));
    const mismatch = findings.find((f) => f.rule === 'C-AUTH-MISMATCH');
    expect(mismatch?.severity).toBe('warning');
    expect(mismatch?.message).toContain('77412');
  });

  it('authorized 77407, facts give 77412: a peer-to-peer and a new request are offered', () => {
    const findings = orderFindings([auth(['77407'])], prescription({ ordered: { respiratory: ['gating'] }, ammNecessity: 'x' }));
    const kinds = findings.find((f) => f.rule === 'C-AUTH-MISMATCH')!.actions!.map((a) => a.kind);
    expect(kinds).toEqual(['peer-to-peer', 'preauthorization']);
  });

  it('authorized 77412 above the 77407 the order describes: no peer-to-peer (nothing to argue), what the higher level needs', () => {
    const mismatch = orderFindings([auth(['77412'])]).find((f) => f.rule === 'C-AUTH-MISMATCH')!;
    expect(mismatch.message).toContain('document on the order what it needs');
    expect(mismatch.actions!.map((a) => a.kind)).toEqual(['preauthorization']);
  });

  it('authorized the derived code: no finding', () => {
    expect(rules(orderFindings([auth(['77407', '77387'])]))).not.toContain('C-AUTH-MISMATCH');
  });

  it('an authorization with no 2026 delivery code is left to C-DELETED/C-AUTH-2025', () => {
    expect(rules(orderFindings([auth(['77385'], '2025-11-01')]))).not.toContain('C-AUTH-MISMATCH');
  });

  it("another patient's authorization is not this order's", () => {
    expect(rules(orderFindings([auth(['77412'], '2026-01-01', { patient: 'Patient/other' })]))).not.toContain('C-AUTH-MISMATCH');
  });
});

describe('C-AUTH-2025', () => {
  it.each([
    ['issued for 2025 dates', auth(['77407'], '2025-11-01')],
    ['with 2025 codes', auth(['77385'], '2026-01-01')],
  ])('%s → warning', (_label, authorization) => {
    expect(orderFindings([authorization])).toContainEqual(expect.objectContaining({ rule: 'C-AUTH-2025', severity: 'warning' }));
  });

  it('a 2026 authorization with 2026 codes is fine', () => {
    expect(rules(orderFindings([auth(['77407'])]))).not.toContain('C-AUTH-2025');
  });
});

describe('C-PLAN-SAME-DAY', () => {
  it('never warns about 77387-26 with a plan code on the same date', () => {
    const findings = orderFindings([auth(['77407', '77387', '77295', '77301'])]);
    expect(rules(findings)).not.toContain('C-PLAN-SAME-DAY');
    expect(findings).toEqual([]);
  });
});

describe('C rules on delivered sessions (before the claim goes out)', () => {
  const sessionFindings = (authorizations: Authorization[], start = '2026-03-02T09:00:00Z') =>
    evaluate(engineInput({ fractions: [fraction({ start })], authorizations })).sessions[0]!.findings;

  it('C-AUTH-MISMATCH: a session supporting 77407 under an authorization for 77412', () => {
    const found = sessionFindings([auth(['77412'])]).find((f) => f.rule === 'C-AUTH-MISMATCH');
    expect(found?.severity).toBe('warning');
    expect(found?.message).toContain('77407');
  });

  it('C-AUTH-2025 and C-DELETED: a 2025 authorization with deleted codes still covering the session', () => {
    const rules = sessionFindings([auth(['77385', '77014'], '2025-11-01')]).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['C-AUTH-2025', 'C-DELETED']));
  });

  it("an authorization whose period does not include the session is not this session's", () => {
    expect(sessionFindings([auth(['77412'], '2026-01-01', { period: { start: '2026-01-01', end: '2026-02-28' } })])).toEqual([]);
  });

  it('no finding when the authorization names the supported code', () => {
    expect(sessionFindings([auth(['77407', '77387'])])).toEqual([]);
  });
});

describe('D-OUT family names as the spec writes them', () => {
  it.each([
    [{ techniques: ['superficial'] as const }, 'superficial 77401'],
    [{ techniques: ['orthovoltage'] as const }, '77401'],
    [{ modalities: ['proton'] as const, techniques: [] as const }, 'proton 77520–77525'],
    [{ techniques: ['srs'] as const }, 'SRS 77371/77372, G0339/G0340'],
    [{ techniques: ['sbrt'] as const }, 'SBRT 77373'],
  ])('%o → %s', (plan, family) => {
    const session = evaluate(engineInput({ fractions: [fraction({ plan: plan as never })] })).sessions[0]!;
    expect(session.outOfFamily).toContain(family);
  });
});
