import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/engine/evaluate.js';
import type { Charge, Determination, EngineInput, Fraction } from '../../../../src/engine/types.js';
import { charge, COMMERCIAL, MEDICARE } from '../../../helpers/charges.js';
import { ammRecord, engineInput, fraction, MONITORED_BREATH_HOLD, prescription, signature, SPECIFIC_NECESSITY } from '../../../helpers/facts.js';

/**
 * The B rules (spec B: charges on file against the record), table-driven. Expected severities and amounts come
 * from the spec and the 2026 Medicare rates of rule R (MPFS non-facility: 77402 $79.49, 77407 $317.64,
 * 77412 $391.46, 77387-26 $36.74).
 */
const DAY1 = '2026-03-02T09:00:00Z';
const DAY2 = '2026-03-03T09:00:00Z';
const rules = (findings: readonly { rule: string }[]) => findings.map((f) => f.rule);

/** A 3D-CRT session (77407) with CBCT approved in time (77387-26 billable). */
function imaged(spec: Partial<Fraction> = {}): Fraction {
  return fraction({ start: DAY1, delivered: { imageGuidance: ['cbct'] }, imageApprovals: [signature('2026-03-02T10:00:00Z')], ...spec });
}

function run(fractions: Fraction[], charges: Charge[], extra: Partial<EngineInput> = {}): Determination {
  return evaluate(engineInput({ fractions, charges, payers: { 'Patient/p1': MEDICARE }, ...extra }));
}

const onEncounter = (fx: Fraction, code: string, more: Partial<Charge> = {}) => charge({ code, encounters: [fx.encounter!], ...more });
const of = (d: Determination, ref: string) => d.charges?.find((c) => c.charge === ref);

describe('B-MISSED: a supportable code with no charge', () => {
  it('a supportable delivery code not charged: warning with the Medicare rate', () => {
    const fx = imaged();
    const d = run([fx], [onEncounter(fx, '77387', { modifiers: ['26'] })]);
    const found = d.sessions[0]!.findings.find((f) => f.rule === 'B-MISSED');
    expect(found).toMatchObject({ severity: 'warning', amountAtRisk: 317.64 });
    expect(found?.message).toContain('77407');
  });

  it('a billable 77387-26 not charged: warning with $36.74', () => {
    const fx = imaged();
    const d = run([fx], [onEncounter(fx, '77407')]);
    expect(d.sessions[0]!.findings.filter((f) => f.rule === 'B-MISSED')).toEqual([
      expect.objectContaining({ severity: 'warning', amountAtRisk: 36.74 }),
    ]);
  });

  it.each([
    ['77387-26 still pending (no later fraction, not approved yet)', fraction({ start: DAY1, delivered: { imageGuidance: ['cbct'] } }), '77407'],
    ['no guidance at all', fraction({ start: DAY1 }), '77407'],
  ])('no B-MISSED for 77387-26 when %s', (_label, fx, code) => {
    expect(rules(run([fx], [onEncounter(fx, code)]).sessions[0]!.findings)).not.toContain('B-MISSED');
  });

  it('no level derived (D-UNKNOWN): nothing is reported missed', () => {
    const fx = fraction({ start: DAY1, plan: { modalities: [], techniques: [] } });
    const d = run([fx], [charge({ code: '77427', date: '2026-03-02' })]);
    expect(rules(d.sessions[0]!.findings)).not.toContain('B-MISSED');
  });

  it('a charge at another level is the session charge: B-LEVEL, not B-MISSED', () => {
    const fx = fraction({ start: DAY1 });
    const d = run([fx], [onEncounter(fx, '77412')]);
    expect(rules(d.sessions[0]!.findings)).toContain('B-LEVEL');
    expect(rules(d.sessions[0]!.findings)).not.toContain('B-MISSED');
  });

  it('without a payer on file the amount is unknown, and the finding still stands', () => {
    const fx = fraction({ start: DAY1 });
    const d = evaluate(engineInput({ fractions: [fx], charges: [charge({ code: '77427', date: '2026-03-02' })] }));
    expect(d.sessions[0]!.findings.find((f) => f.rule === 'B-MISSED')).toMatchObject({ amountAtRisk: null });
  });
});

describe('B-LEVEL: a delivery charge at another level than supported', () => {
  const AMM_ORDER = prescription({ ordered: MONITORED_BREATH_HOLD, ammNecessity: SPECIFIC_NECESSITY });
  const level3 = () =>
    fraction({
      start: DAY1,
      delivered: MONITORED_BREATH_HOLD,
      ammRecords: [ammRecord(DAY1, '2026-03-02T09:12:00Z', [signature('2026-03-02T10:00:00Z')])],
    });
  it.each([
    ['77412 charged, 77407 supported (overbilling)', 'critical', 73.82, () => fraction({ start: DAY1 }), '77412'],
    ['77412 charged, 77402 supported', 'critical', 311.97, () => fraction({ start: DAY1, plan: { techniques: ['2d'] } }), '77412'],
    ['77407 charged, 77412 supported (undercharged)', 'warning', 73.82, level3, '77407'],
    ['77402 charged, 77407 supported', 'warning', 238.15, () => fraction({ start: DAY1 }), '77402'],
  ] as const)('%s → %s, $%s', (_label, severity, amount, make, code) => {
    const fx = make();
    const d = run([fx], [onEncounter(fx, code)], { prescriptions: [AMM_ORDER] });
    expect(d.sessions[0]!.findings.find((f) => f.rule === 'B-LEVEL')).toMatchObject({ severity, amountAtRisk: amount });
    expect(d.charges?.[0]).toMatchObject({ status: 'level', rule: 'B-LEVEL', amountAtRisk: amount, session: fx.encounter });
  });

  it('the supported code charged: matches, no finding', () => {
    const fx = fraction({ start: DAY1 });
    const d = run([fx], [onEncounter(fx, '77407')]);
    expect(rules(d.sessions[0]!.findings).filter((r) => r.startsWith('B-'))).toEqual([]);
    expect(d.charges?.[0]?.status).toBe('matches');
  });

  it('77412 resting on AMM whose record is missing: 77412 charged is overbilling, and the message says why', () => {
    const fx = fraction({ start: DAY1, delivered: MONITORED_BREATH_HOLD });
    const d = run([fx], [onEncounter(fx, '77412')], { prescriptions: [AMM_ORDER] });
    const session = d.sessions[0]!;
    expect(session.supportedDeliveryCode).toBe('77407');
    expect(session.findings.find((f) => f.rule === 'B-LEVEL')?.message).toMatch(/D-3-AMM.*documentation/);
  });

  it('a session outside the level family (SBRT) charged 77412: critical', () => {
    const fx = fraction({ start: DAY1, plan: { techniques: ['sbrt'] } });
    const d = run([fx], [onEncounter(fx, '77412')]);
    expect(d.sessions[0]!.findings.find((f) => f.rule === 'B-LEVEL')).toMatchObject({ severity: 'critical', amountAtRisk: 391.46 });
  });

  it('a session whose level is unknown: "could not be checked", a warning, never a level', () => {
    const fx = fraction({ start: DAY1, plan: { techniques: [] } });
    const found = run([fx], [onEncounter(fx, '77407')]).sessions[0]!.findings.find((f) => f.rule === 'B-LEVEL');
    expect(found).toMatchObject({ severity: 'warning', amountAtRisk: null });
    expect(found?.message).toContain('could not be checked');
  });

  it('an SBRT charge on a session the record gives 77407: critical', () => {
    const fx = fraction({ start: DAY1 });
    expect(run([fx], [onEncounter(fx, '77373')]).sessions[0]!.findings.find((f) => f.rule === 'B-LEVEL')?.severity).toBe('critical');
  });
});

describe('B-26: 77387-26 without support, bundled imaging charged', () => {
  it.each([
    ['guidance not approved before the next fraction', 'not-supportable'],
    ['no guidance recorded', 'none'],
  ])('77387-26 charged, %s (%s): critical, refund risk $36.74', (_label, status) => {
    const fx =
      status === 'none' ? fraction({ start: DAY1 }) : fraction({ start: DAY1, delivered: { imageGuidance: ['cbct'] }, encounter: 'Encounter/s1' });
    const later = fraction({ start: DAY2 });
    const d = run([fx, later], [onEncounter(fx, '77407'), onEncounter(fx, '77387', { modifiers: ['26'] })]);
    const session = d.sessions.find((s) => s.fractions.includes(fx.ref))!;
    expect(session.igrtStatus).toBe(status);
    expect(session.findings.find((f) => f.rule === 'B-26')).toMatchObject({ severity: 'critical', amountAtRisk: 36.74 });
    expect(d.charges?.find((c) => c.code === '77387-26')?.status).toBe('not-supported');
  });

  it('77387-26 charged while approval is still pending: no B-26', () => {
    const fx = fraction({ start: DAY1, delivered: { imageGuidance: ['cbct'] } });
    const d = run([fx], [onEncounter(fx, '77407'), onEncounter(fx, '77387', { modifiers: ['26'] })]);
    expect(d.sessions[0]!.igrtStatus).toBe('pending');
    expect(rules(d.sessions[0]!.findings)).not.toContain('B-26');
  });

  it.each([
    ['77387-TC', '77387', ['TC']],
    ['77417 port images', '77417', []],
  ])('%s beside a 2026 delivery code for Medicare: warning (bundled, status B)', (_label, code, modifiers) => {
    const fx = imaged();
    const d = run([fx], [onEncounter(fx, '77407'), onEncounter(fx, '77387', { modifiers: ['26'] }), onEncounter(fx, code, { modifiers })]);
    expect(d.sessions[0]!.findings.filter((f) => f.rule === 'B-26')).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });

  it('77387-TC beside a 77407 charge when the record gives no level (D-UNKNOWN): still bundled for Medicare', () => {
    const fx = fraction({ start: DAY1, plan: { techniques: [] }, delivered: { imageGuidance: ['cbct'] } });
    const d = run([fx], [onEncounter(fx, '77407'), onEncounter(fx, '77387', { modifiers: ['TC'] })]);
    expect(d.sessions[0]!.findings.find((f) => f.rule === 'B-26')?.severity).toBe('warning');
  });

  it('77387 global for Medicare: a warning to charge 77387-26 instead, and 77387-26 is not reported missed', () => {
    const fx = imaged();
    const d = run([fx], [onEncounter(fx, '77407'), onEncounter(fx, '77387')]);
    const findings = d.sessions[0]!.findings;
    expect(findings.find((f) => f.rule === 'B-26')?.message).toContain('77387-26 instead');
    expect(rules(findings)).not.toContain('B-MISSED');
  });

  it('B-26 (spec v3): 77387-TC beside a 2026 delivery code warns for every payer, a commercial one too (CPT bundles it)', () => {
    const fx = imaged();
    const d = run(
      [fx],
      [onEncounter(fx, '77407'), onEncounter(fx, '77387', { modifiers: ['26'] }), onEncounter(fx, '77387', { modifiers: ['TC'] })],
      {
        payers: { 'Patient/p1': COMMERCIAL },
      },
    );
    const b26 = d.sessions[0]!.findings.filter((f) => f.rule === 'B-26');
    expect(b26).toEqual([expect.objectContaining({ severity: 'warning' })]);
    expect(b26[0]!.message).toContain('77387-TC');
    expect(d.charges?.find((c) => c.code === '77387-26')?.status).toBe('matches');
  });
});

describe('B-DUPLICATE: charged twice for one session', () => {
  it('two delivery charges: critical; the second is the duplicate', () => {
    const fx = fraction({ start: DAY1 });
    const [a, b] = [onEncounter(fx, '77407'), onEncounter(fx, '77407')];
    const d = run([fx], [a, b]);
    expect(d.sessions[0]!.findings.find((f) => f.rule === 'B-DUPLICATE')).toMatchObject({ severity: 'critical', amountAtRisk: 317.64 });
    expect([of(d, a.ref)?.status, of(d, b.ref)?.status]).toEqual(['matches', 'duplicate']);
  });

  it('77412 and 77407 for one session supporting 77412: the 77407 is the duplicate, no B-LEVEL', () => {
    const fx = fraction({ start: DAY1, plan: { isocenters: 2 } });
    const [a, b] = [onEncounter(fx, '77407'), onEncounter(fx, '77412')];
    const d = run([fx], [a, b]);
    expect(of(d, a.ref)?.status).toBe('duplicate');
    expect(of(d, b.ref)?.status).toBe('matches');
    expect(rules(d.sessions[0]!.findings)).not.toContain('B-LEVEL');
  });

  it('one charge of quantity 2: critical', () => {
    const fx = fraction({ start: DAY1 });
    const d = run([fx], [onEncounter(fx, '77407', { units: 2 })]);
    expect(d.sessions[0]!.findings.find((f) => f.rule === 'B-DUPLICATE')).toMatchObject({ severity: 'critical', amountAtRisk: 317.64 });
  });

  it('two 77387-26 for one session: critical', () => {
    const fx = imaged();
    const d = run([fx], [onEncounter(fx, '77407'), onEncounter(fx, '77387', { modifiers: ['26'] }), onEncounter(fx, '77387', { modifiers: ['26'] })]);
    expect(d.sessions[0]!.findings.find((f) => f.rule === 'B-DUPLICATE')).toMatchObject({ severity: 'critical', amountAtRisk: 36.74 });
  });

  it('one delivery charge and one 77387-26: no duplicate', () => {
    const fx = imaged();
    const d = run([fx], [onEncounter(fx, '77407'), onEncounter(fx, '77387', { modifiers: ['26'] })]);
    expect(rules(d.sessions[0]!.findings)).not.toContain('B-DUPLICATE');
  });
});

describe('B-DELETED: a code deleted on 2026-01-01', () => {
  it('G6015 charged for a session: critical at the top, naming the replacement; not B-MISSED nor B-UNMATCHED', () => {
    const fx = fraction({ start: DAY1 });
    const g = onEncounter(fx, 'G6015', { date: '2026-03-02' });
    const d = run([fx], [g]);
    const found = d.findings.find((f) => f.rule === 'B-DELETED');
    expect(found).toMatchObject({ severity: 'critical', amountAtRisk: 317.64 });
    expect(found?.message).toContain('77407');
    expect(rules(d.sessions[0]!.findings)).not.toContain('B-MISSED');
    expect(rules(d.findings)).not.toContain('B-UNMATCHED');
    expect(of(d, g.ref)).toMatchObject({ status: 'deleted', code: 'G6015' });
  });

  it('77014 (CT guidance, deleted) stands for the session 77387-26: B-DELETED, no B-MISSED', () => {
    const fx = imaged();
    const d = run([fx], [onEncounter(fx, '77407'), onEncounter(fx, '77014', { date: '2026-03-02' })]);
    expect(rules(d.findings)).toContain('B-DELETED');
    expect(rules(d.sessions[0]!.findings)).not.toContain('B-MISSED');
  });

  it('a deleted code with no session in 2026: B-DELETED, not B-UNMATCHED', () => {
    const d = run([fraction({ start: DAY1 })], [charge({ code: '77385', date: '2026-05-05' })]);
    expect(rules(d.findings)).toContain('B-DELETED');
    expect(rules(d.findings)).not.toContain('B-UNMATCHED');
  });

  it('a charge dated in 2025 is not reconciled (the 2025 code set applied)', () => {
    const d = run([fraction({ start: DAY1 })], [charge({ code: '77385', date: '2025-12-30' })]);
    expect(rules(d.findings)).not.toContain('B-DELETED');
    expect(d.charges).toEqual([]);
  });
});

describe('B-UNMATCHED: a charge with no delivered session', () => {
  it('a delivery charge on a date without a completed fraction: warning with the rate', () => {
    const d = run([fraction({ start: DAY1 })], [charge({ code: '77407', date: '2026-03-09' })]);
    expect(d.findings.find((f) => f.rule === 'B-UNMATCHED')).toMatchObject({ severity: 'warning', amountAtRisk: 317.64 });
    expect(d.charges?.find((c) => c.code === '77407' && c.date === '2026-03-09')).toMatchObject({ status: 'unmatched', session: null });
  });

  it('a charge naming a fraction that was not delivered is unmatched, even with another session that day', () => {
    const stopped = fraction({ start: DAY1, status: 'not-done' });
    const given = fraction({ start: '2026-03-02T15:00:00Z' });
    const d = run([stopped, given], [charge({ code: '77407', date: '2026-03-02', procedures: [stopped.ref] }), onEncounter(given, '77407')]);
    expect(d.findings.find((f) => f.rule === 'B-UNMATCHED')?.evidence).toContain(stopped.ref);
    expect(rules(d.sessions[0]!.findings)).not.toContain('B-DUPLICATE');
  });

  it('planning and management codes are not per-session charges: not listed, never unmatched', () => {
    const fx = fraction({ start: DAY1 });
    const d = run([fx], [onEncounter(fx, '77407'), charge({ code: '77295', date: '2026-02-20' })]);
    expect(d.charges?.map((c) => c.code)).toEqual(['77407']);
    expect(rules(d.findings)).not.toContain('B-UNMATCHED');
  });
});

describe('B-NONE: charges in the input, none for this patient (spec v3)', () => {
  it('an input with no charge resources at all: nothing to reconcile, nothing said per patient, nothing missed', () => {
    const d = run([fraction({ start: DAY1 }), fraction({ start: DAY2 })], []);
    expect(rules(d.findings)).not.toContain('B-NONE');
    expect(d.charges).toBeUndefined(); // the list is there only when charges are on file (fhir-input.md §3)
    expect(d.sessions.flatMap((s) => rules(s.findings)).filter((r) => r.startsWith('B-'))).toEqual([]);
  });

  it('charges of another patient in the input: one info B-NONE for this one, never B-MISSED', () => {
    const d = run([fraction({ start: DAY1 })], [charge({ code: '77407', patient: 'Patient/p2', date: '2026-03-02' })]);
    expect(d.findings.filter((f) => f.rule === 'B-NONE')).toEqual([expect.objectContaining({ severity: 'info', evidence: ['Patient/p1'] })]);
    expect(d.findings.find((f) => f.rule === 'B-NONE')?.message).not.toMatch(/no charges on file/i);
    expect(rules(d.sessions[0]!.findings)).not.toContain('B-MISSED');
  });

  it('no sessions (an order being signed): no B-NONE', () => {
    expect(rules(run([], []).findings)).not.toContain('B-NONE');
  });

  it('charges not read at all (a hook without them): no B finding and no charges list', () => {
    const d = evaluate(engineInput({ fractions: [fraction({ start: DAY1 })] }));
    expect(d.charges).toBeUndefined();
    expect(rules(d.findings)).not.toContain('B-NONE');
  });

  it('a focused evaluation (encounter-discharge, before charges are posted) does not reconcile', () => {
    const fx = fraction({ start: DAY1 });
    const d = run([fx], [charge({ code: '77295', date: '2026-02-20' })], { focusEncounters: [fx.encounter!] });
    expect(d.charges).toBeUndefined();
    expect(rules(d.sessions[0]!.findings)).not.toContain('B-MISSED');
  });
});

describe('matching a charge to its session', () => {
  it('through a Procedure reference', () => {
    const fx = fraction({ start: DAY1 });
    const d = run([fx], [charge({ code: '77407', procedures: [fx.ref] })]);
    expect(d.charges?.[0]).toMatchObject({ status: 'matches', session: fx.encounter });
  });

  it('by patient and date, the date as written in its own offset', () => {
    // 22:30 in New York on 2 March is 3 March in UTC: the charge written for 2 March is this session's.
    const fx = fraction({ start: '2026-03-02T22:30:00-05:00', encounter: 'Encounter/late' });
    const d = run([fx], [charge({ code: '77407', date: '2026-03-02' })]);
    expect(d.charges?.[0]).toMatchObject({ status: 'matches', session: 'Encounter/late' });
  });

  it('twice-daily treatment: two sessions on one date, two charges by date, one each (no duplicate, nothing missed)', () => {
    const am = fraction({ start: '2026-03-02T08:00:00Z' });
    const pm = fraction({ start: '2026-03-02T15:00:00Z' });
    const d = run([am, pm], [charge({ code: '77407', date: '2026-03-02' }), charge({ code: '77407', date: '2026-03-02' })]);
    expect(new Set(d.charges?.map((c) => c.session))).toEqual(new Set([am.encounter, pm.encounter]));
    expect(d.sessions.flatMap((s) => rules(s.findings)).filter((r) => r.startsWith('B-'))).toEqual([]);
  });

  it('B findings sit on their session, sorted by severity then rule, and cite rule and source', () => {
    // 77407 supported, 77412 and 77407 charged, no 77387-26: the 77412 is the duplicate, and 77387-26 was missed.
    const fx = imaged();
    const d = run([fx], [onEncounter(fx, '77412'), onEncounter(fx, '77407')]);
    const findings = d.sessions[0]!.findings;
    expect(rules(findings).filter((r) => r.startsWith('B-'))).toEqual(['B-DUPLICATE', 'B-MISSED']);
    for (const f of findings.filter((x) => x.rule.startsWith('B-'))) expect(f.source).toMatch(/^00[0-9] \(/);
  });
});

describe('a charge whose code cannot be read (no CPT or HCPCS coding)', () => {
  it('B-MISSED says "could not be checked", never "not charged"', () => {
    const fx = imaged();
    const d = run([fx], [onEncounter(fx, '77407'), charge({ code: null, encounters: [fx.encounter!] })]);
    const found = d.sessions[0]!.findings.filter((f) => f.rule === 'B-MISSED');
    expect(found).toEqual([expect.objectContaining({ severity: 'warning', amountAtRisk: null })]);
    expect(found[0]!.message).toMatch(/^Could not be checked: .*77387-26/);
    expect(found[0]!.message).not.toContain('Not charged');
  });

  it('is not listed as a reconciled charge nor reported unmatched', () => {
    const d = run([fraction({ start: DAY1 })], [charge({ code: null, date: '2026-05-05' })]);
    expect(d.charges).toEqual([]);
    expect(d.findings.map((f) => f.rule)).not.toContain('B-UNMATCHED');
  });
});
