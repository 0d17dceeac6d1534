import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/engine/evaluate.js';
import { effectiveClaims } from '../../../../src/engine/remittance.js';
import type { RemittanceClaim, RemittanceLine } from '../../../../src/engine/remittance-types.js';
import type { Charge, Determination, EngineInput, Fraction } from '../../../../src/engine/types.js';
import { charge, MEDICARE } from '../../../helpers/charges.js';
import {
  ammRecord,
  authorization,
  engineInput,
  fraction,
  MONITORED_BREATH_HOLD,
  prescription,
  signature,
  SPECIFIC_NECESSITY,
} from '../../../helpers/facts.js';

/**
 * The E rules (spec E: what the payer paid), table-driven on engine facts. Rates: Medicare national policy
 * (policies/medicare-national.yaml): 77407 $317.64, 77412 $391.46 non-facility, 77387-26 $36.74.
 */
const DAY1 = '2026-03-02T09:00:00Z';
const DATE1 = '2026-03-02';
const rules = (findings: readonly { rule: string }[]) => findings.map((f) => f.rule);
const E_RULES = ['E-DENIED-26', 'E-ZERO-PAY', 'E-DOWNCODE', 'E-NOT-ADOPTED', 'E-AUTH', 'E-UNDERPAID', 'E-UNMATCHED'];
const eRules = (findings: readonly { rule: string }[]) => rules(findings).filter((r) => E_RULES.includes(r));

const AMM_ORDER = prescription({ ordered: MONITORED_BREATH_HOLD, ammNecessity: SPECIFIC_NECESSITY });

/** 77412 by AMM, monitored, recorded and signed in time, with CBCT approved: 77412 and 77387-26 billable. */
const level3 = (spec: Partial<Fraction> = {}) =>
  fraction({
    start: DAY1,
    delivered: { ...MONITORED_BREATH_HOLD, imageGuidance: ['cbct'] },
    ammRecords: [ammRecord(DAY1, '2026-03-02T09:12:00Z', [signature('2026-03-02T10:00:00Z')])],
    imageApprovals: [signature('2026-03-02T10:00:00Z')],
    ...spec,
  });

function line(spec: Partial<RemittanceLine> & { code: string }): RemittanceLine {
  return {
    origin: 'test.835 segment 12',
    modifiers: [],
    billedCode: null,
    billedModifiers: [],
    charged: 600,
    paid: 0,
    units: 1,
    date: DATE1,
    controlNumber: null,
    adjustments: [],
    remarks: [],
    ...spec,
  };
}

function claim(lines: RemittanceLine[], spec: Partial<RemittanceClaim> = {}): RemittanceClaim {
  return {
    origin: 'test.835 segment 10',
    claimId: 'MRN-1',
    patient: null,
    memberId: null,
    status: '1',
    payerClaimNumber: 'PCN-1',
    payerName: 'MEDICARE PART B',
    lines,
    ...spec,
  };
}

function run(fractions: Fraction[], charges: Charge[], remittance: RemittanceClaim[], extra: Partial<EngineInput> = {}): Determination {
  return evaluate(
    engineInput({
      fractions,
      charges,
      remittance,
      prescriptions: [AMM_ORDER],
      payers: { 'Patient/p1': MEDICARE },
      patientIdentifiers: { 'MRN-1': 'Patient/p1' },
      siteOfService: Object.fromEntries(fractions.map((f) => [f.encounter!, 'non-facility'])),
      ...extra,
    }),
  );
}

const charged = (fx: Fraction, code: string, id: string, modifiers: string[] = []) =>
  charge({ code, modifiers, encounters: [fx.encounter!], date: DATE1, identifiers: [id] });

describe('E rules: each remittance line decided by the first rule that applies', () => {
  it('E-DENIED-26: 77387-26 denied CO-97 on a session whose 77387-26 is billable → warning, appealable', () => {
    const fx = level3();
    const d = run(
      [fx],
      [charged(fx, '77412', 'C1'), charged(fx, '77387', 'C2', ['26'])],
      [claim([line({ code: '77387', modifiers: ['26'], controlNumber: 'C2', adjustments: [{ group: 'CO', reason: '97', amount: 60 }] })])],
    );
    const session = d.sessions[0]!;
    expect(session.igrtStatus).toBe('billable');
    expect(eRules(session.findings)).toEqual(['E-DENIED-26']);
    expect(session.findings.find((f) => f.rule === 'E-DENIED-26')!.message).toMatch(/separately payable with 77402-77412/);
    expect(session.findings.find((f) => f.rule === 'E-DENIED-26')!.message).toMatch(/CO-97.*included in the payment\/allowance for another service/);
    expect(d.remittance?.[0]).toMatchObject({ rule: 'E-DENIED-26', appealable: true, matchedBy: 'control-number', status: 'denied' });
  });

  it('E-DENIED-26 not when the guidance was not signed in time: the denial is correct (B-26 speaks), no appeal', () => {
    const fx = level3({ imageApprovals: [], ammRecords: [ammRecord(DAY1, '2026-03-02T09:12:00Z', [])] });
    const next = fraction({ start: '2026-03-03T09:00:00Z' });
    const d = run(
      [fx, next],
      [charged(fx, '77387', 'C2', ['26'])],
      [claim([line({ code: '77387', modifiers: ['26'], controlNumber: 'C2', adjustments: [{ group: 'CO', reason: '97', amount: 60 }] })])],
    );
    expect(d.sessions[0]!.igrtStatus).toBe('not-supportable');
    expect(eRules(d.sessions[0]!.findings)).toEqual([]);
    expect(rules(d.sessions[0]!.findings)).toContain('B-26');
    expect(d.remittance?.[0]).toMatchObject({ rule: null, appealable: false });
  });

  it('E-ZERO-PAY: 77412 paid $0 with only CO-45, record supports 77412 → warning', () => {
    const fx = level3();
    const d = run(
      [fx],
      [charged(fx, '77412', 'C1')],
      [claim([line({ code: '77412', controlNumber: 'C1', adjustments: [{ group: 'CO', reason: '45', amount: 600 }] })])],
    );
    expect(eRules(d.sessions[0]!.findings)).toEqual(['E-ZERO-PAY']);
  });

  it('E-ZERO-PAY not when the record supports a lower code than billed (B-LEVEL is the problem)', () => {
    const fx = fraction({ start: DAY1 }); // 3D-CRT: 77407
    const d = run(
      [fx],
      [charged(fx, '77412', 'C1')],
      [claim([line({ code: '77412', controlNumber: 'C1', adjustments: [{ group: 'CO', reason: '45', amount: 600 }] })])],
    );
    expect(eRules(d.sessions[0]!.findings)).toEqual([]);
    expect(rules(d.sessions[0]!.findings)).toContain('B-LEVEL');
  });

  it('E-DOWNCODE: billed 77412 adjudicated as 77407 (SVC06), record supports 77412 by AMM → warning with the AMM evidence, not E-UNDERPAID', () => {
    const fx = level3();
    const d = run(
      [fx],
      [charged(fx, '77412', 'C1')],
      [
        claim([
          line({
            code: '77407',
            billedCode: '77412',
            paid: 317.64,
            controlNumber: 'C1',
            adjustments: [{ group: 'CO', reason: '150', amount: 73.82 }],
          }),
        ]),
      ],
    );
    const found = d.sessions[0]!.findings.filter((f) => f.rule === 'E-DOWNCODE');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toMatch(/active motion management/);
    expect(eRules(d.sessions[0]!.findings)).toEqual(['E-DOWNCODE']);
  });

  it('E-DOWNCODE on 77412 by isocenters names multiple isocenters, not sites (002)', () => {
    const fx = fraction({ start: DAY1, plan: { isocenters: 2 } });
    const d = run(
      [fx],
      [charged(fx, '77412', 'C1')],
      [claim([line({ code: '77412', paid: 300, controlNumber: 'C1', adjustments: [{ group: 'CO', reason: '150', amount: 91.46 }] })])],
    );
    expect(d.sessions[0]!.findings.find((f) => f.rule === 'E-DOWNCODE')!.message).toMatch(/isocenters, not multiple anatomic sites/);
  });

  it('E-NOT-ADOPTED: 77412 denied CO-181 → warning naming the payer, not E-ZERO-PAY', () => {
    const fx = level3();
    const d = run(
      [fx],
      [charged(fx, '77412', 'C1')],
      [claim([line({ code: '77412', controlNumber: 'C1', adjustments: [{ group: 'CO', reason: '181', amount: 600 }] })])],
    );
    expect(eRules(d.sessions[0]!.findings)).toEqual(['E-NOT-ADOPTED']);
    expect(d.sessions[0]!.findings.find((f) => f.rule === 'E-NOT-ADOPTED')!.message).toMatch(
      /MEDICARE PART B has not adopted the 2026 delivery codes/,
    );
  });

  it('E-UNDERPAID: 77387-26 paid $10.00 against $36.74 → info with the difference; $35.00 (within 5 %) → nothing', () => {
    const fx = level3();
    const paying = (paid: number) =>
      run([fx], [charged(fx, '77387', 'C2', ['26'])], [claim([line({ code: '77387', modifiers: ['26'], paid, controlNumber: 'C2' })])]);
    const low = paying(10).sessions[0]!.findings.find((f) => f.rule === 'E-UNDERPAID');
    expect(low).toMatchObject({ severity: 'info' });
    expect(low!.message).toContain('$26.74 below');
    expect(eRules(paying(35).sessions[0]!.findings)).toEqual([]);
  });

  it('E-AUTH: denied CO-197 while an authorization applied → warning; with none on file the denial stands (no finding)', () => {
    const fx = level3();
    const remit = [claim([line({ code: '77412', controlNumber: 'C1', adjustments: [{ group: 'CO', reason: '197', amount: 600 }] })])];
    const withAuth = run([fx], [charged(fx, '77412', 'C1')], remit, { authorizations: [authorization({ cptCodes: ['77412'] })] });
    expect(eRules(withAuth.sessions[0]!.findings)).toEqual(['E-AUTH']);
    const without = run([fx], [charged(fx, '77412', 'C1')], remit);
    expect(eRules(without.sessions[0]!.findings)).toEqual([]);
  });

  it('E-UNMATCHED: a 77412 line on a date with no session and no charge → top-level warning', () => {
    const fx = level3();
    const d = run([fx], [charged(fx, '77412', 'C1')], [claim([line({ code: '77412', paid: 391.46, date: '2026-03-09', controlNumber: 'C9' })])]);
    expect(rules(d.findings)).toContain('E-UNMATCHED');
    expect(eRules(d.sessions[0]!.findings)).toEqual([]);
  });

  it('E-UNMATCHED: a claim for a patient not in the record', () => {
    const fx = level3();
    const d = run([fx], [charged(fx, '77412', 'C1')], [claim([line({ code: '77412', paid: 391.46 })], { claimId: 'SOMEONE-ELSE' })]);
    expect(d.findings.find((f) => f.rule === 'E-UNMATCHED')!.message).toMatch(/a patient not in the record/);
  });

  it('matching without a control number: patient + date + code with modifiers; the member id finds the patient', () => {
    const fx = level3();
    const d = run(
      [fx],
      [charge({ code: '77387', modifiers: ['26'], encounters: [fx.encounter!], date: DATE1 })],
      [
        claim([line({ code: '77387', modifiers: ['26'], adjustments: [{ group: 'CO', reason: '97', amount: 60 }] })], {
          claimId: 'UNKNOWN',
          memberId: 'MBI-9',
        }),
      ],
      { payers: { 'Patient/p1': { ...MEDICARE, memberIds: ['MBI-9'] } } },
    );
    expect(d.remittance?.[0]).toMatchObject({ matchedBy: 'patient-date-code', rule: 'E-DENIED-26' });
  });

  it('a reversal (CLP02 22) cancels the claim before it; the corrected claim after it stands', () => {
    const paid = claim([line({ code: '77412', paid: 391.46 })]);
    const reversal = claim([line({ code: '77412', paid: -391.46 })], { status: '22' });
    const corrected = claim([line({ code: '77412', paid: 0, adjustments: [{ group: 'CO', reason: '45', amount: 600 }] })], {
      status: '1',
      payerClaimNumber: 'PCN-2',
    });
    expect(effectiveClaims([paid, reversal, corrected])).toEqual([corrected]);
    const fx = level3();
    const d = run([fx], [charged(fx, '77412', 'C1')], [paid, reversal, corrected]);
    expect(eRules(d.sessions[0]!.findings)).toEqual(['E-ZERO-PAY']);
    expect(d.remittance).toHaveLength(1);
  });

  it('several claims in one remittance, each decided on its own session', () => {
    const a = level3();
    const b = level3({
      start: '2026-03-03T09:00:00Z',
      ammRecords: [ammRecord('2026-03-03T09:00:00Z', '2026-03-03T09:12:00Z', [signature('2026-03-03T10:00:00Z')])],
      imageApprovals: [signature('2026-03-03T10:00:00Z')],
    });
    const d = run(
      [a, b],
      [charged(a, '77412', 'A1'), charge({ code: '77412', encounters: [b.encounter!], date: '2026-03-03', identifiers: ['B1'] })],
      [
        claim([line({ code: '77412', controlNumber: 'A1', adjustments: [{ group: 'CO', reason: '181', amount: 600 }] })]),
        claim([line({ code: '77412', date: '2026-03-03', controlNumber: 'B1', adjustments: [{ group: 'CO', reason: '45', amount: 600 }] })], {
          payerClaimNumber: 'PCN-2',
        }),
      ],
    );
    expect(eRules(d.sessions[0]!.findings)).toEqual(['E-NOT-ADOPTED']);
    expect(eRules(d.sessions[1]!.findings)).toEqual(['E-ZERO-PAY']);
  });
});
