import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/engine/evaluate.js';
import type { Authorization } from '../../../../src/engine/types.js';
import { engineInput, prescription } from '../../../helpers/facts.js';

const auth = (cptCodes: string[], start = '2026-01-01', overrides: Partial<Authorization> = {}): Authorization => ({
  claim: 'Claim/pa', response: 'ClaimResponse/pa-r', patient: 'Patient/p1', cptCodes, created: null, period: { start, end: '2026-06-30' }, outcome: 'complete', ...overrides,
});
const orderFindings = (authorizations: Authorization[], order = prescription()) =>
  evaluate(engineInput({ prescriptions: [order], authorizations })).orders[0]!.findings;
const rules = (findings: readonly { rule: string }[]) => findings.map((f) => f.rule);

describe('C-DELETED', () => {
  it.each([['77385'], ['77386'], ['77014'], ['G6001'], ['G6002'], ['G6003'], ['G6010'], ['G6016'], ['G6017']])('%s on an authorization for 2026 is critical', (code) => {
    const findings = orderFindings([auth([code])]);
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'C-DELETED', severity: 'critical' }));
  });

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

  it('authorized the derived code: no finding', () => {
    expect(rules(orderFindings([auth(['77407', '77387'])]))).not.toContain('C-AUTH-MISMATCH');
  });

  it('an authorization with no 2026 delivery code is left to C-DELETED/C-AUTH-2025', () => {
    expect(rules(orderFindings([auth(['77385'], '2025-11-01')]))).not.toContain('C-AUTH-MISMATCH');
  });

  it('another patient\'s authorization is not this order\'s', () => {
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
