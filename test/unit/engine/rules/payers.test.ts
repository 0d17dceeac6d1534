import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/engine/evaluate.js';
import { matchPolicy, type PayerPolicy } from '../../../../src/engine/policy.js';
import type { Charge, Determination, EngineInput, Fraction, Payer } from '../../../../src/engine/types.js';
import { readPolicy } from '../../../../src/policies/load.js';
import { charge, MEDICARE } from '../../../helpers/charges.js';
import { engineInput, fraction, prescription, signature, SHIPPED_POLICIES, type FractionSpec } from '../../../helpers/facts.js';

/** The P rules (spec P: payer policies as data), on the shipped policies and small policies written here. */
const DAY1 = '2026-03-02T09:00:00Z';
const rules = (findings: readonly { rule: string }[]) => findings.map((f) => f.rule);

const TX_MEDICAID: Payer = { kind: 'medicaid', state: 'TX', coverage: 'Coverage/tx', payorName: 'Texas Health and Human Services' };
const NIA_PLAN: Payer = { kind: 'commercial', state: 'OH', coverage: 'Coverage/nia', payorName: 'Buckeye Health Plan (NIA managed)' };
const BLUEFIN: Payer = {
  kind: 'commercial',
  state: null,
  coverage: 'Coverage/bf',
  payorName: 'Bluefin Mutual',
  payorIdentifiers: ['https://payers.example|BFM-001'],
};

/** CBCT approved in time: 77407 with 77387-26 billable. */
const imaged = (spec: FractionSpec = {}) =>
  fraction({ start: DAY1, delivered: { imageGuidance: ['cbct'] }, imageApprovals: [signature('2026-03-02T10:00:00Z')], ...spec });

function run(fractions: Fraction[], payer: Payer, extra: Partial<EngineInput> = {}, charges?: Charge[]): Determination {
  return evaluate(engineInput({ fractions, payers: { 'Patient/p1': payer }, ...(charges ? { charges } : {}), ...extra }));
}

/** A department policy written as a department would, read through the same loader. */
const policy = (yaml: string): PayerPolicy => readPolicy('dept.yaml', yaml);
const BLUEFIN_POLICY = (extra = '') =>
  policy(`id: bluefin
version: 1
name: Bluefin Mutual
source: "Bluefin provider manual 2026, section 7"
effective: { from: 2026-01-01 }
applies:
  payorIdentifiers: ["BFM-001"]
${extra}`);

describe('P-MATCH: the policy for the coverage active on the date of service', () => {
  it('Medicare by coverage type, Texas Medicaid by type and state, NIA by payor name (whole words), none for an unknown payer', () => {
    expect(matchPolicy(SHIPPED_POLICIES, [MEDICARE], '2026-03-02').policy?.id).toBe('medicare-national');
    expect(matchPolicy(SHIPPED_POLICIES, [TX_MEDICAID], '2026-03-02').policy?.id).toBe('medicaid-tx');
    expect(matchPolicy(SHIPPED_POLICIES, [NIA_PLAN], '2026-03-02').policy?.id).toBe('nia-managed');
    expect(matchPolicy(SHIPPED_POLICIES, [{ ...NIA_PLAN, payorName: 'Virginia Premier' }], '2026-03-02').policy).toBeNull();
    const none = matchPolicy(SHIPPED_POLICIES, [BLUEFIN], '2026-03-02');
    expect(none).toMatchObject({ policy: null, unmatched: [BLUEFIN] });
    expect(none.rules.id).toBe('medicare-national');
  });

  it('a payor identifier selects a department policy; the coverage must be active on the date', () => {
    const all = [...SHIPPED_POLICIES, BLUEFIN_POLICY()];
    expect(matchPolicy(all, [BLUEFIN], '2026-03-02').policy?.id).toBe('bluefin');
    const ended = { ...MEDICARE, period: { start: '2025-01-01', end: '2025-12-31' } };
    expect(matchPolicy(all, [ended, TX_MEDICAID], '2026-03-02').policy?.id).toBe('medicaid-tx');
  });

  it('none matched: one info per coverage, CPT/CMS rules, no estimate', () => {
    const d = run([imaged()], BLUEFIN);
    expect(d.findings.filter((f) => f.rule === 'P-MATCH')).toHaveLength(1);
    expect(d.findings.find((f) => f.rule === 'P-MATCH')!.message).toContain('Coverage/bf');
    expect(d.sessions[0]!.estimate).toBeNull();
    expect(rules(run([imaged()], MEDICARE).findings)).not.toContain('P-MATCH');
  });
});

describe('P-RATE: estimates from the policy', () => {
  it('Medicare non-facility 77407 + 77387-26 = $354.38; Texas Medicaid 77387-26 $16.31 before 2026-03-01 and $16.57 from it', () => {
    const medicare = run([imaged()], MEDICARE, { siteOfService: {} });
    expect(medicare.sessions[0]!.estimate?.policy).toBe('medicare-national');
    const tx = (start: string) => run([imaged({ start })], TX_MEDICAID).sessions[0]!.estimate!.lines.find((l) => l.code === '77387-26')!.amount;
    expect(tx('2026-02-27T09:00:00Z')).toBe(16.31);
    expect(tx('2026-03-02T09:00:00Z')).toBe(16.57);
  });
});

describe('P-IGRT: which 77387 components the payer pays (B-26), its 2D stance (I-2D)', () => {
  const withTc = (payer: Payer) => {
    const fx = imaged();
    return run([fx], payer, {}, [
      charge({ code: '77407', encounters: [fx.encounter!] }),
      charge({ code: '77387', modifiers: ['TC'], encounters: [fx.encounter!] }),
    ]);
  };
  it('Texas Medicaid still pays 77387-TC: B-26 info naming the policy; Medicare: B-26 warning', () => {
    const tx = withTc(TX_MEDICAID).sessions[0]!.findings.find((f) => f.rule === 'B-26')!;
    expect(tx.severity).toBe('info');
    expect(tx.message).toMatch(/Texas Medicaid \(policy medicaid-tx/);
    expect(withTc(MEDICARE).sessions[0]!.findings.find((f) => f.rule === 'B-26')!.severity).toBe('warning');
  });

  it('NIA pays 77387-TC with 3D-CRT only (003): info with 3D, the B-26 warning with IMRT', () => {
    const niaTc = (techniques: FractionSpec['plan']) => {
      const fx = imaged({ plan: techniques });
      return run([fx], NIA_PLAN, {}, [
        charge({ code: '77407', encounters: [fx.encounter!] }),
        charge({ code: '77387', modifiers: ['TC'], encounters: [fx.encounter!] }),
      ]).sessions[0]!.findings.find((f) => f.rule === 'B-26')!.severity;
    };
    expect(niaTc({ techniques: ['3d-crt'] })).toBe('info');
    expect(niaTc({ techniques: ['imrt'] })).toBe('warning');
  });

  const twoD = () => imaged({ plan: { techniques: ['2d'] } });
  it('NIA: I-2D names the NIA policy; a policy that covers IGRT with 2D: no I-2D; unspecified: the generic warning', () => {
    expect(run([twoD()], NIA_PLAN).sessions[0]!.findings.find((f) => f.rule === 'I-2D')!.message).toMatch(/NIA \(Evolent\) managed plan/);
    const covering = BLUEFIN_POLICY('igrt: { paid: ["26"], with2d: covered }');
    expect(rules(run([twoD()], BLUEFIN, { policies: [...SHIPPED_POLICIES, covering] }).sessions[0]!.findings)).not.toContain('I-2D');
    expect(run([twoD()], MEDICARE).sessions[0]!.findings.find((f) => f.rule === 'I-2D')!.message).toMatch(/payers \(e\.g\. NIA\)/);
  });
});

describe('P-PORT: 77417 bundled (Medicare) or the payer edits', () => {
  it('a department policy with edits every 3 fractions flags a second 77417 two fractions later; bundled for Medicare', () => {
    const fx = [1, 2, 3].map((day) => fraction({ start: `2026-03-0${day + 1}T09:00:00Z`, delivered: { portImages: true } }));
    const ports = [charge({ code: '77417', encounters: [fx[0]!.encounter!] }), charge({ code: '77417', encounters: [fx[2]!.encounter!] })];
    const every3 = BLUEFIN_POLICY('port: { everyFractions: 3, notInLastFractions: 0, unitsPerCharge: 1, notWithIgrt: true }');
    const dept = run(fx, BLUEFIN, { policies: [...SHIPPED_POLICIES, every3] }, ports);
    expect(rules(dept.sessions[2]!.findings)).toContain('B-26');
    expect(dept.sessions[2]!.findings.find((f) => f.rule === 'B-26')!.message).toMatch(/once per 3 fractions/);
    const every1 = BLUEFIN_POLICY('port: { everyFractions: 1, notInLastFractions: 0, unitsPerCharge: 1, notWithIgrt: true }');
    expect(rules(run(fx, BLUEFIN, { policies: [...SHIPPED_POLICIES, every1] }, ports).sessions[2]!.findings)).not.toContain('B-26');
    expect(run(fx, MEDICARE, {}, ports).sessions[2]!.findings.find((f) => f.rule === 'B-26')!.message).toMatch(/bundled/);
  });
});

describe('P-CODESET: a payer not on the 2026 codes', () => {
  it('legacy until 2026-07-01: warning on a March session, nothing in July; the 2026 code is still the code', () => {
    const legacy = BLUEFIN_POLICY('codeSet: { delivery: legacy, until: 2026-07-01 }');
    const march = run([imaged()], BLUEFIN, { policies: [...SHIPPED_POLICIES, legacy] }).sessions[0]!;
    expect(march.supportedDeliveryCode).toBe('77407');
    expect(march.findings.find((f) => f.rule === 'P-CODESET')).toMatchObject({ severity: 'warning' });
    const july = run([imaged({ start: '2026-07-06T09:00:00Z' })], BLUEFIN, { policies: [...SHIPPED_POLICIES, legacy] }).sessions[0]!;
    expect(rules(july.findings)).not.toContain('P-CODESET');
  });
});

describe('P-AUTH → C-AUTH-NONE', () => {
  it('NIA requires authorization for 77407: warning with a preauthorization action at the order, info on the session', () => {
    const order = prescription({
      serviceDate: '2026-03-02',
      ordered: { imageGuidance: ['cbct'], intrafraction: [], respiratory: [], portImages: false, unknown: [] },
    });
    const d = run([imaged()], NIA_PLAN, { prescriptions: [order] });
    const atOrder = d.orders[0]!.findings.find((f) => f.rule === 'C-AUTH-NONE')!;
    expect(atOrder.severity).toBe('warning');
    expect(atOrder.actions?.[0]).toMatchObject({ kind: 'preauthorization', codes: ['77407', '77387-26'] });
    expect(d.sessions[0]!.findings.find((f) => f.rule === 'C-AUTH-NONE')?.severity).toBe('info');
    expect(rules(run([imaged()], MEDICARE, { prescriptions: [order] }).orders[0]!.findings)).not.toContain('C-AUTH-NONE');
  });
});

describe('P-EDIT: a department edit in FHIRPath', () => {
  const edit = (when: string) =>
    BLUEFIN_POLICY(`edits:
  - id: BF-IGRT-3D
    message: Bluefin pays 77387-26 with 3D-CRT only after the fifth fraction.
    severity: warning
    source: "Bluefin provider manual 2026, section 7.4"
    when: "${when}"`);
  const WHEN = "igrtProfessional = '77387-26' and facts.techniques contains '3d-crt' and %position <= 5";

  it('fires where the condition holds, names the policy and its source; not where it does not', () => {
    const fx = [1, 2, 3, 4, 5, 6].map((n) =>
      imaged({
        start: `2026-03-${String(n + 1).padStart(2, '0')}T09:00:00Z`,
        imageApprovals: [signature(`2026-03-${String(n + 1).padStart(2, '0')}T10:00:00Z`)],
      }),
    );
    const d = run(fx, BLUEFIN, { policies: [...SHIPPED_POLICIES, edit(WHEN)] });
    const fired = d.sessions.map((s) => s.findings.find((f) => f.rule === 'P-EDIT'));
    expect(fired.slice(0, 5).every((f) => f?.severity === 'warning')).toBe(true);
    expect(fired[5]).toBeUndefined();
    expect(fired[0]!.message).toMatch(/^BF-IGRT-3D \(Bluefin Mutual/);
    expect(fired[0]!.source).toBe('Bluefin provider manual 2026, section 7.4');
  });

  it('reads the charges variable', () => {
    const fx = imaged();
    const overCharged = BLUEFIN_POLICY(`edits:
  - id: BF-TWO-LINES
    message: two lines
    severity: info
    source: manual
    when: "%charges.count() >= 2"`);
    const charges = [
      charge({ code: '77407', encounters: [fx.encounter!] }),
      charge({ code: '77387', modifiers: ['26'], encounters: [fx.encounter!] }),
    ];
    expect(rules(run([fx], BLUEFIN, { policies: [...SHIPPED_POLICIES, overCharged] }, charges).sessions[0]!.findings)).toContain('P-EDIT');
    expect(rules(run([fx], BLUEFIN, { policies: [...SHIPPED_POLICIES, overCharged] }, charges.slice(0, 1)).sessions[0]!.findings)).not.toContain(
      'P-EDIT',
    );
  });

  it('a condition that cannot be evaluated is "could not be checked", never the edit firing', () => {
    const broken = edit("%position.toInteger() + 'x'.toInteger() > 0 and %nosuchvariable");
    const found = run([imaged()], BLUEFIN, { policies: [...SHIPPED_POLICIES, broken] }).sessions[0]!.findings.find((f) => f.rule === 'P-EDIT')!;
    expect(found).toMatchObject({ severity: 'warning', couldNotBeChecked: true });
    expect(found.message).toMatch(/could not be checked/);
  });
});
