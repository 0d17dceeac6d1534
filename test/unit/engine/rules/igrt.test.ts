import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/engine/evaluate.js';
import { engineInput, fraction, MONITORED_BREATH_HOLD, prescription, signature, SPECIFIC_NECESSITY, ammRecord } from '../../../helpers/facts.js';

const DAY1 = '2026-06-01T09:00:00Z';
const DAY2 = '2026-06-02T09:00:00Z';
const rules = (findings: readonly { rule: string }[]) => findings.map((f) => f.rule);
const first = (fractions: ReturnType<typeof fraction>[], order = prescription()) =>
  evaluate(engineInput({ fractions, prescriptions: [order] })).sessions[0]!;

describe('I-PC and I-TC: 77387-26 once per session, technical bundled', () => {
  it.each([['cbct'], ['x-ray'], ['fluoroscopy'], ['ct'], ['mr'], ['ultrasound'], ['surface']] as const)(
    'I-PC: %s guidance gives one 77387-26 and a bundled TC (I-TC)',
    (method) => {
      const session = first([fraction({ start: DAY1, delivered: { imageGuidance: [method] }, imageApprovals: [signature('2026-06-01T10:00:00Z')] })]);
      expect(session).toMatchObject({ igrtProfessional: '77387-26', igrtStatus: 'billable' });
      expect(session.lines.filter((l) => l.code === '77387-26')).toHaveLength(1);
      expect(session.lines).toContainEqual({ code: '77387-TC', units: 1, status: 'bundled', rule: 'I-TC' });
    },
  );

  it('I-PC: intra-fraction tracking alone is guidance (signed AMM record → billable)', () => {
    const fx = fraction({
      start: DAY1,
      delivered: MONITORED_BREATH_HOLD,
      ammRecords: [ammRecord(DAY1, '2026-06-01T09:12:00Z', [signature('2026-06-01T10:00:00Z')])],
    });
    expect(first([fx], prescription({ ordered: MONITORED_BREATH_HOLD, ammNecessity: SPECIFIC_NECESSITY }))).toMatchObject({
      igrtProfessional: '77387-26',
      igrtStatus: 'billable',
    });
  });

  it('I-PC (I-ONCE): two fractions with guidance in one session still give one unit', () => {
    const a = fraction({
      start: DAY1,
      encounter: 'Encounter/s',
      delivered: { imageGuidance: ['cbct'] },
      imageApprovals: [signature('2026-06-01T10:00:00Z')],
    });
    const b = fraction({ start: '2026-06-01T09:20:00Z', encounter: 'Encounter/s', delivered: { imageGuidance: ['cbct'] } });
    const session = first([a, b]);
    expect(session.lines.filter((l) => l.code === '77387-26')).toEqual([{ code: '77387-26', units: 1, status: 'bill', rule: 'I-PC' }]);
  });

  it('no guidance: igrtStatus none and no 77387 line', () => {
    const session = first([fraction({ start: DAY1 })]);
    expect(session).toMatchObject({ igrtProfessional: null, igrtStatus: 'none' });
    expect(session.lines.map((l) => l.code)).toEqual(['77407']);
  });
});

describe('I-SIGN: images approved before the next fraction', () => {
  it.each([
    ['approved before the next fraction', [signature('2026-06-01T17:00:00Z')], true, 'billable', null],
    ['not approved, no later fraction', [], false, 'pending', 'warning'],
    ['not approved, next fraction started', [], true, 'not-supportable', 'critical'],
    ['approved after the next beam-on', [signature('2026-06-02T09:30:00Z')], true, 'not-supportable', 'critical'],
    ['approved by a Device', [signature('2026-06-01T10:00:00Z', { byPractitioner: false, by: 'Device/pacs' })], true, 'not-supportable', 'critical'],
    [
      'approved by an Organization, no later fraction',
      [signature('2026-06-01T10:00:00Z', { byPractitioner: false, by: 'Organization/x' })],
      false,
      'pending',
      'warning',
    ],
  ])('%s → %s', (_label, imageApprovals, withNext, status, severity) => {
    const fx = fraction({ start: DAY1, delivered: { imageGuidance: ['cbct'] }, imageApprovals });
    const fractions = withNext ? [fx, fraction({ start: DAY2, delivered: { imageGuidance: ['cbct'] } })] : [fx];
    const session = evaluate(engineInput({ fractions })).sessions.find((s) => s.fractions.includes(fx.ref))!;
    expect(session.igrtStatus).toBe(status);
    expect(session.igrtProfessional).toBe(status === 'not-supportable' ? null : '77387-26');
    const found = session.findings.find((f) => f.rule === 'I-SIGN');
    if (severity === null) expect(found).toBeUndefined();
    else expect(found?.severity).toBe(severity);
  });

  it('the next beam-on is the next delivered fraction of the same patient: other patients and fractions not delivered do not count', () => {
    const fx = fraction({ start: DAY1, delivered: { imageGuidance: ['cbct'] } });
    const otherPatient = fraction({ start: DAY2, patient: 'Patient/p2' });
    const notDone = fraction({ start: DAY2, status: 'not-done' });
    const session = evaluate(engineInput({ fractions: [fx, otherPatient, notDone] })).sessions.find((s) => s.fractions.includes(fx.ref))!;
    expect(session.facts.nextBeamOn).toBeNull();
    expect(session.igrtStatus).toBe('pending');
  });

  it('D-PARTIAL: a stopped fraction delivered radiation, so its beam-on is the next beam-on', () => {
    const fx = fraction({ start: DAY1, delivered: { imageGuidance: ['cbct'] } });
    const stopped = fraction({ start: DAY2, status: 'stopped' });
    const session = evaluate(engineInput({ fractions: [fx, stopped] })).sessions.find((s) => s.fractions.includes(fx.ref))!;
    expect(session.facts.nextBeamOn).toBe(DAY2);
    expect(session.igrtStatus).toBe('not-supportable');
  });

  it('twice-daily: the afternoon session is the next beam-on of the morning session', () => {
    const am = fraction({
      start: '2026-06-01T08:00:00Z',
      delivered: { imageGuidance: ['cbct'] },
      imageApprovals: [signature('2026-06-01T15:00:00Z')],
    });
    const pm = fraction({
      start: '2026-06-01T14:00:00Z',
      delivered: { imageGuidance: ['cbct'] },
      imageApprovals: [signature('2026-06-01T14:30:00Z')],
    });
    const result = evaluate(engineInput({ fractions: [pm, am] }));
    expect(result.sessions.map((s) => s.fractions[0])).toEqual([am.ref, pm.ref]);
    expect(result.sessions.map((s) => s.igrtStatus)).toEqual(['not-supportable', 'billable']);
  });

  it('tracking with no record at all to sign gets an I-SIGN finding', () => {
    const fx = fraction({ start: DAY1, delivered: { respiratory: ['gating'] } });
    const session = first([fx, fraction({ start: DAY2 })], prescription({ ordered: { respiratory: ['gating'] }, ammNecessity: SPECIFIC_NECESSITY }));
    expect(session.igrtStatus).toBe('not-supportable');
    expect(session.findings).toContainEqual(expect.objectContaining({ rule: 'I-SIGN', severity: 'critical' }));
  });
});

describe('I-PORT, I-PORT-SAME, I-2D, I-BUNDLED, I-PROTON', () => {
  it('I-PORT: port images only give no 77387-26 and a bundled 77417', () => {
    const session = first([fraction({ start: DAY1, delivered: { portImages: true } })]);
    expect(session).toMatchObject({ igrtProfessional: null, igrtStatus: 'none' });
    expect(session.lines).toContainEqual({ code: '77417', units: 1, status: 'bundled', rule: 'I-PORT' });
    expect(rules(session.findings)).toContain('I-PORT');
  });

  it('I-PORT-SAME: port images with IGRT in the same session is info; 77387-26 stands', () => {
    const session = first([
      fraction({ start: DAY1, delivered: { portImages: true, imageGuidance: ['cbct'] }, imageApprovals: [signature('2026-06-01T10:00:00Z')] }),
    ]);
    expect(session.igrtStatus).toBe('billable');
    expect(session.findings).toContainEqual(expect.objectContaining({ rule: 'I-PORT-SAME', severity: 'info' }));
    expect(rules(session.findings)).not.toContain('I-PORT');
  });

  it('I-2D: IGRT with 2D photons is derived with a likely-denied warning', () => {
    const session = first([
      fraction({
        start: DAY1,
        plan: { techniques: ['2d'] },
        delivered: { imageGuidance: ['x-ray'] },
        imageApprovals: [signature('2026-06-01T10:00:00Z')],
      }),
    ]);
    expect(session).toMatchObject({ deliveryCode: '77402', igrtProfessional: '77387-26' });
    expect(session.findings).toContainEqual(expect.objectContaining({ rule: 'I-2D', severity: 'warning' }));
  });

  it('I-2D does not fire for 3D', () => {
    const session = first([fraction({ start: DAY1, delivered: { imageGuidance: ['x-ray'] }, imageApprovals: [signature('2026-06-01T10:00:00Z')] })]);
    expect(rules(session.findings)).not.toContain('I-2D');
  });

  it.each([['sbrt'], ['srs'], ['superficial'], ['orthovoltage']] as const)('I-BUNDLED: guidance with %s gives no 77387-26', (technique) => {
    const session = first([
      fraction({
        start: DAY1,
        plan: { techniques: [technique] },
        delivered: { imageGuidance: ['cbct'] },
        imageApprovals: [signature('2026-06-01T10:00:00Z')],
      }),
    ]);
    expect(session).toMatchObject({ deliveryCode: null, igrtProfessional: null, igrtStatus: 'none' });
    expect(rules(session.findings)).toContain('I-BUNDLED');
    expect(session.lines).toContainEqual({ code: '77387', units: 1, status: 'bundled', rule: 'I-BUNDLED' });
  });

  it('I-PROTON: proton delivery is out of family but 77387-26 follows I-PC/I-SIGN', () => {
    const session = first([
      fraction({
        start: DAY1,
        plan: { modalities: ['proton'], techniques: [] },
        delivered: { imageGuidance: ['cbct'] },
        imageApprovals: [signature('2026-06-01T10:00:00Z')],
      }),
    ]);
    expect(session).toMatchObject({ deliveryCode: null, deliveryRule: 'D-OUT', igrtProfessional: '77387-26', igrtStatus: 'billable' });
    expect(session.outOfFamily).toContain('77520');
    expect(session.lines).toContainEqual({ code: '77387-26', units: 1, status: 'bill', rule: 'I-PROTON' });
  });

  it('D-UNKNOWN leaves 77387-26 undecided rather than guessed', () => {
    const session = first([fraction({ start: DAY1, plan: { techniques: [] }, delivered: { imageGuidance: ['cbct'] } })]);
    expect(session).toMatchObject({ deliveryCode: null, igrtProfessional: null, igrtStatus: 'none' });
  });
});

describe('R: rate estimates', () => {
  it('prices Medicare non-facility (MPFS) lines', () => {
    const fx = fraction({
      start: DAY1,
      encounter: 'Encounter/e',
      delivered: { imageGuidance: ['cbct'] },
      imageApprovals: [signature('2026-06-01T10:00:00Z')],
    });
    const input = engineInput({
      fractions: [fx],
      siteOfService: { 'Encounter/e': 'non-facility' },
      payers: { 'Patient/p1': { kind: 'medicare', state: null, coverage: 'Coverage/c' } },
    });
    expect(evaluate(input).sessions[0]!.estimate).toMatchObject({
      setting: 'non-facility',
      total: 354.38,
      lines: [
        { code: '77407', amount: 317.64 },
        { code: '77387-26', amount: 36.74 },
      ],
    });
  });

  it('prices Medicare facility (OPPS) and Texas Medicaid by effective date', () => {
    const fx = fraction({ start: '2026-02-10T09:00:00Z', encounter: 'Encounter/e' });
    const opps = engineInput({
      fractions: [fx],
      siteOfService: { 'Encounter/e': 'facility' },
      payers: { 'Patient/p1': { kind: 'medicare', state: null, coverage: 'Coverage/c' } },
    });
    expect(evaluate(opps).sessions[0]!.estimate?.total).toBe(394.05);
  });

  it('no payer on file: no estimate', () => {
    expect(first([fraction({ start: DAY1 })]).estimate).toBeNull();
  });
});
