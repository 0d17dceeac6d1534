import { describe, expect, it } from 'vitest';
import { ambiguousUtcDate, localDate, today } from '../../../../src/engine/calendar.js';
import { evaluate } from '../../../../src/engine/evaluate.js';
import type { Charge, Determination, EngineInput, Fraction, TreatmentSummary } from '../../../../src/engine/types.js';
import { signerKind } from '../../../../src/fhir/vocabulary.js';
import { charge, MEDICARE, PRIORITY_HEALTH } from '../../../helpers/charges.js';
import { ammRecord, authorization, engineInput, fraction, prescription, signature } from '../../../helpers/facts.js';

/**
 * Spec v3 (billing-rules.md, fhir-input.md "spec v3"): each numbered item of the issue, each test naming its rule.
 * The same rules are run through the FHIR reader by the cases in test/fixtures/cases-v3.
 */
const rules = (findings: readonly { rule: string }[]) => findings.map((f) => f.rule);
const LA = 'America/Los_Angeles';
const run = (spec: Partial<EngineInput>): Determination => evaluate(engineInput(spec));
const sessionOf = (d: Determination, fx: Fraction) => d.sessions.find((s) => s.fractions.includes(fx.ref))!;

describe('1. Dates of service are the clinic’s calendar dates (Time zones, D-TZ)', () => {
  it('calendar: an instant read in a zone gives that zone’s date; without a zone, the date as written', () => {
    expect(localDate('2026-01-01T02:30:00Z', LA)).toBe('2025-12-31');
    expect(localDate('2026-01-01T06:00:00Z', 'America/New_York')).toBe('2026-01-01');
    expect(localDate('2026-01-01T02:30:00Z', null)).toBe('2026-01-01');
    expect(localDate('2026-03-01', LA)).toBe('2026-03-01'); // a date is that date wherever it is read
    expect(today(new Date('2026-03-02T05:00:00Z'), 'America/Chicago')).toBe('2026-03-01');
    expect(today(new Date('2026-03-02T05:00:00Z'), null)).toBe('2026-03-02');
  });

  it('the 2026 cut-over uses the Location’s zone: an evening session in Los Angeles on 2025-12-31 is not a 2026 session', () => {
    const evening = fraction({ start: '2026-01-01T02:30:00Z', timeZone: LA });
    const session = run({ fractions: [evening] }).sessions[0]!;
    expect(session).toMatchObject({ dateOfService: '2025-12-31', timeZone: LA, deliveryCode: null, deliveryRule: 'D-OUT' });
    expect(session.outOfFamily).toContain('before 2026');
  });

  it('the configured zone (CLINIC_TIME_ZONE) dates a session whose Location gives none; the Location wins over it', () => {
    const fx = fraction({ start: '2026-01-01T03:00:00Z' });
    expect(run({ fractions: [fx], clinicTimeZone: 'America/Chicago' }).sessions[0]).toMatchObject({ dateOfService: '2025-12-31' });
    const located = fraction({ start: '2026-01-01T03:00:00Z', timeZone: 'Europe/Paris' });
    expect(run({ fractions: [located], clinicTimeZone: 'America/Chicago' }).sessions[0]).toMatchObject({ dateOfService: '2026-01-01' });
  });

  it('D-TZ: no zone known and a UTC timestamp before 12:00 dates the session: one info per answer, naming the date used', () => {
    const d = run({ fractions: [fraction({ start: '2026-03-02T09:00:00Z' }), fraction({ start: '2026-03-03T09:00:00Z' })] });
    const tz = d.findings.filter((f) => f.rule === 'D-TZ');
    expect(tz).toEqual([expect.objectContaining({ severity: 'info' })]);
    expect(tz[0]!.message).toContain('2026-03-02T09:00:00Z → 2026-03-02');
    expect(tz[0]!.message).toContain('CLINIC_TIME_ZONE');
  });

  it.each([
    ['a zone on the Location', { start: '2026-03-02T09:00:00Z', timeZone: LA }, undefined],
    ['a configured zone', { start: '2026-03-02T09:00:00Z' }, 'America/Denver'],
    ['the timestamp’s own offset', { start: '2026-03-02T09:00:00-05:00' }, undefined],
    ['a UTC time in the afternoon', { start: '2026-03-02T15:00:00Z' }, undefined],
  ] as const)('D-TZ: nothing with %s', (_what, spec, zone) => {
    expect(rules(run({ fractions: [fraction(spec)], ...(zone ? { clinicTimeZone: zone } : {}) }).findings)).not.toContain('D-TZ');
    expect(ambiguousUtcDate(spec.start)).toBe(spec.start.endsWith('09:00:00Z'));
  });

  it('B matching by the clinic’s day: a charge stamped 2026-02-03T03:00:00Z is the Los Angeles evening session of 2026-02-02', () => {
    const evening = fraction({ start: '2026-02-03T02:00:00Z', timeZone: LA });
    const d = run({ fractions: [evening], charges: [charge({ code: '77407', date: '2026-02-03T03:00:00Z' })], payers: { 'Patient/p1': MEDICARE } });
    expect(d.charges?.[0]).toMatchObject({ status: 'matches', session: evening.encounter, dateOfService: '2026-02-02' });
    expect(rules([...d.findings, ...d.sessions[0]!.findings]).filter((r) => r.startsWith('B-'))).toEqual([]);
  });

  it('C-AUTH-APPLIES: an authorization period given as dates is compared with the clinic’s date of service', () => {
    const order = prescription({ serviceDate: '2026-02-01T03:00:00Z', timeZone: LA });
    const auth = authorization({ cptCodes: ['77412'], period: { start: '2026-02-01', end: '2026-06-30' } });
    const result = run({ prescriptions: [order], authorizations: [auth] }).orders[0]!;
    expect(result.dateOfService).toBe('2026-01-31');
    expect(rules(result.findings)).toContain('C-AUTH-APPLIES');
    expect(rules(result.findings)).not.toContain('C-AUTH-MISMATCH');
  });

  it('orders of events compare instants: an AMM record written in another offset still covers beam-on to beam-off', () => {
    const fx = fraction({
      start: '2026-03-02T09:00:00Z',
      delivered: { intrafraction: ['ct'] },
      ammRecords: [ammRecord('2026-03-02T03:59:00-05:00', '2026-03-02T04:15:00-05:00', [signature('2026-03-02T10:00:00Z')])],
      timeZone: 'America/New_York',
    });
    expect(run({ fractions: [fx], prescriptions: [prescription({ ordered: { intrafraction: ['surface'] } })] }).sessions[0]).toMatchObject({
      deliveryCode: '77412',
    });
  });
});

describe('2. A-QUAL: a snapshot is guidance, AMM only with a record covering beam-on to beam-off', () => {
  const ORDER = prescription({ ordered: { intrafraction: ['ct'] } });

  it.each([['x-ray'], ['ct'], ['cbct'], ['fluoroscopy']] as const)(
    'an intra-fraction %s alone: 77407 (not D-3-AMM), 77387-26 expected, A-QUAL info',
    (method) => {
      const fx = fraction({ delivered: { intrafraction: [method] }, imageApprovals: [signature('2026-03-02T10:00:00Z')] });
      const session = run({ fractions: [fx], prescriptions: [ORDER] }).sessions[0]!;
      expect(session).toMatchObject({ deliveryCode: '77407', deliveryRule: 'D-2', igrtStatus: 'billable', igrtProfessional: '77387-26' });
      expect(session.findings.filter((f) => f.rule === 'A-QUAL')).toEqual([expect.objectContaining({ severity: 'info' })]);
      expect(rules(session.findings)).not.toContain('A-RECORD');
    },
  );

  it('a snapshot with an AMM record covering beam-on to beam-off qualifies: 77412 (D-3-AMM)', () => {
    const fx = fraction({
      delivered: { intrafraction: ['x-ray'] },
      ammRecords: [ammRecord('2026-03-02T08:59:00Z', '2026-03-02T09:13:00Z', [signature('2026-03-02T10:00:00Z')])],
    });
    const session = run({ fractions: [fx], prescriptions: [ORDER] }).sessions[0]!;
    expect(session).toMatchObject({ deliveryCode: '77412', deliveryRule: 'D-3-AMM', igrtStatus: 'billable' });
    expect(rules(session.findings)).not.toContain('A-QUAL');
  });

  it.each([['surface'], ['electromagnetic-tracking'], ['fiducial-tracking'], ['ultrasound'], ['mr']] as const)(
    'monitoring from beam-on to beam-off (%s) qualifies by itself',
    (method) => {
      const fx = fraction({ delivered: { intrafraction: [method] } });
      expect(run({ fractions: [fx] }).sessions[0]).toMatchObject({ deliveryCode: '77412', deliveryRule: 'D-3-AMM' });
    },
  );

  it('breath hold with only a snapshot is unmonitored breath hold: 77407 and an A-QUAL warning naming both', () => {
    const fx = fraction({ delivered: { intrafraction: ['cbct'], respiratory: ['breath-hold'] } });
    const session = run({ fractions: [fx] }).sessions[0]!;
    expect(session.deliveryCode).toBe('77407');
    const found = session.findings.find((f) => f.rule === 'A-QUAL');
    expect(found).toMatchObject({ severity: 'warning' });
    expect(found!.message).toMatch(/breath-hold.*CBCT/);
  });

  it('the AMM records could not be read: the snapshot is coded without AMM, and A-QUAL says it could not be checked', () => {
    const fx = fraction({ delivered: { intrafraction: ['ct'] } });
    const session = run({ fractions: [fx], unread: [{ kind: 'amm-records', detail: 'test' }] }).sessions[0]!;
    expect(session.deliveryCode).toBe('77407');
    expect(session.findings.find((f) => f.rule === 'A-QUAL')).toMatchObject({ severity: 'warning', couldNotBeChecked: true });
  });

  it('order-sign and discharge agree: an order for an intra-fraction CT expects 77407, as its session without an AMM record is coded', () => {
    const fx = fraction({ delivered: { intrafraction: ['ct'] } });
    const d = run({ fractions: [fx], prescriptions: [ORDER] });
    expect(d.orders[0]).toMatchObject({ expectedDeliveryCode: '77407', igrtProfessionalExpected: true });
    expect(d.orders[0]!.findings.find((f) => f.rule === 'A-QUAL')).toMatchObject({ severity: 'info' });
    expect(d.sessions[0]!.deliveryCode).toBe('77407');
  });
});

describe('3. Physicians sign (A-SIGN, I-SIGN): a non-physician’s signature is no physician’s', () => {
  const imaged = (approvals: ReturnType<typeof signature>[]) => [
    fraction({ start: '2026-06-01T09:00:00Z', delivered: { imageGuidance: ['cbct'] }, imageApprovals: approvals }),
    fraction({ start: '2026-06-02T09:00:00Z' }),
  ];

  it('I-SIGN: images approved only by a radiation therapist (NUCC 2471R0002X): not-supportable once the next fraction began', () => {
    const therapist = signature('2026-06-01T10:00:00Z', { by: 'Practitioner/rtt', role: 'non-physician', roleName: 'NUCC 2471R0002X' });
    const session = run({ fractions: imaged([therapist]) }).sessions[0]!;
    expect(session).toMatchObject({ igrtStatus: 'not-supportable', igrtProfessional: null });
    const found = session.findings.find((f) => f.rule === 'I-SIGN');
    expect(found).toMatchObject({ severity: 'critical' });
    expect(found!.message).toContain('not by a physician (Practitioner/rtt (NUCC 2471R0002X))');
  });

  it('A-SIGN: an AMM record signed by a therapist leaves the unit to the physician: critical when nothing else was signed', () => {
    const fx = fraction({
      start: '2026-06-01T09:00:00Z',
      delivered: { intrafraction: ['surface'] },
      ammRecords: [
        ammRecord('2026-06-01T08:59:00Z', '2026-06-01T09:13:00Z', [
          signature('2026-06-01T09:30:00Z', { role: 'non-physician', roleName: 'NUCC 2471R0002X' }),
        ]),
      ],
    });
    const session = run({ fractions: [fx, fraction({ start: '2026-06-02T09:00:00Z' })] }).sessions[0]!;
    expect(session.igrtStatus).toBe('not-supportable');
    expect(session.findings.find((f) => f.rule === 'A-SIGN')).toMatchObject({ severity: 'critical' });
  });

  it('a signer whose role is not recorded counts as the physician, and the evidence says "role not recorded"', () => {
    const session = run({ fractions: imaged([signature('2026-06-01T10:00:00Z')]) }).sessions[0]!;
    expect(session.igrtStatus).toBe('billable');
    expect(session.signoffs).toEqual([
      expect.objectContaining({
        record: session.fractions[0],
        kind: 'images',
        status: 'in-time',
        signerRole: 'not-recorded',
        signedBy: 'Practitioner/dr',
      }),
    ]);
    expect(session.signoffs[0]!.note).toContain('role not recorded');
  });

  it.each([
    ['http://nucc.org/provider-taxonomy', '2085R0001X', 'physician'],
    ['http://nucc.org/provider-taxonomy', '2471R0002X', 'non-physician'],
    ['http://nucc.org/provider-taxonomy', '163W00000X', 'non-physician'],
    ['http://terminology.hl7.org/CodeSystem/practitioner-role', 'doctor', 'physician'],
    ['http://terminology.hl7.org/CodeSystem/practitioner-role', 'nurse', 'non-physician'],
    ['http://terminology.hl7.org/CodeSystem/v2-0360', 'MD', 'physician'],
    ['http://terminology.hl7.org/CodeSystem/v2-0360', 'RN', 'non-physician'],
    ['http://snomed.info/sct', '3430008', 'non-physician'],
    ['http://snomed.info/sct', '309343006', 'physician'],
    ['http://example.org/local-roles', 'attending', null],
  ] as const)('who signs: %s %s is %s', (system, code, kind) => {
    expect(signerKind(system, code)).toBe(kind);
  });
});

describe('4. The next beam-on proven by summaries (A-SIGN, I-SIGN)', () => {
  const summary = (overrides: Partial<TreatmentSummary>): TreatmentSummary => ({
    ref: 'Procedure/phase-1',
    level: 'phase',
    status: 'in-progress',
    patient: 'Patient/p1',
    start: '2026-06-01T09:00:00Z',
    end: '2026-06-01T09:12:00Z',
    fractionsDelivered: 1,
    plan: { modalities: ['photon'], techniques: ['3d-crt'], isocenters: 1, combinations: [], otherTechniques: [], unknown: [] },
    delivered: { imageGuidance: ['cbct'], intrafraction: [], respiratory: [], portImages: false, unknown: [] },
    sameAs: 'phase-1',
    within: [],
    plans: 1,
    bodySites: [],
    factSources: [],
    ...overrides,
  });
  const last = (approvals = [] as ReturnType<typeof signature>[]) =>
    fraction({
      start: '2026-06-01T09:00:00Z',
      delivered: { imageGuidance: ['cbct'] },
      summaries: ['Procedure/phase-1'],
      numberInPhase: 1,
      imageApprovals: approvals,
    });

  it('I-SIGN: a phase summary counting beyond the fraction’s number: unsigned images are not-supportable, not pending', () => {
    const session = run({ fractions: [last()], summaries: [summary({ fractionsDelivered: 3 })] }).sessions[0]!;
    expect(session.igrtStatus).toBe('not-supportable');
    expect(session.findings.find((f) => f.rule === 'I-SIGN')).toMatchObject({ severity: 'critical' });
    expect(session.findings.find((f) => f.rule === 'I-SIGN')!.message).toContain('Procedure/phase-1 shows a later fraction was delivered');
  });

  it('a summary ending after the session: a signature after that end is late; one before it could not be checked', () => {
    const phase = summary({ status: 'completed', end: '2026-06-03T09:12:00Z', fractionsDelivered: 3 });
    const lateOne = run({ fractions: [last([signature('2026-06-04T10:00:00Z')])], summaries: [phase] }).sessions[0]!;
    expect(lateOne.igrtStatus).toBe('not-supportable');
    const before = run({ fractions: [last([signature('2026-06-01T18:00:00Z')])], summaries: [phase] }).sessions[0]!;
    expect(before.igrtStatus).toBe('pending');
    expect(before.findings.find((f) => f.rule === 'I-SIGN')).toMatchObject({ severity: 'warning', couldNotBeChecked: true });
  });

  it('a summary that shows no later fraction leaves an unsigned record pending', () => {
    expect(run({ fractions: [last()], summaries: [summary({})] }).sessions[0]!.igrtStatus).toBe('pending');
  });
});

describe('5. Authorizations: C-AUTH-2025 by period and codes, C-AUTH-SCOPE, deleted codes of 2015 (C-DELETED)', () => {
  const orderWith = (authorizations: ReturnType<typeof authorization>[], spec = {}) =>
    run({ prescriptions: [prescription({ plannedFractions: 25, ordered: { imageGuidance: ['cbct'] }, ...spec })], authorizations }).orders[0]!;

  it('C-AUTH-2025: a 2026 request denied while a carried-forward 2025 authorization applies: appeal or peer-to-peer', () => {
    const carried = authorization({ claim: 'Claim/pa-2025', cptCodes: ['77407', '77387-26'], period: { start: '2025-11-01', end: '2026-04-30' } });
    const denied = authorization({
      claim: 'Claim/pa-2026',
      response: 'ClaimResponse/r-2026',
      cptCodes: ['77407', '77387-26'],
      denied: true,
      disposition: 'Covered by authorization pa-2025',
    });
    const found = orderWith([carried, denied]).findings.filter((f) => f.rule === 'C-AUTH-2025');
    expect(found).toHaveLength(2);
    expect(found.some((f) => /2026 request Claim\/pa-2026 was denied/.test(f.message) && /peer-to-peer/.test(f.message))).toBe(true);
  });

  it('C-AUTH-APPLIES: a denied request does not apply (it authorizes nothing)', () => {
    const result = orderWith([authorization({ cptCodes: ['77412'], denied: true })]);
    expect(rules(result.findings)).not.toContain('C-AUTH-MISMATCH');
    expect(result.findings.find((f) => f.rule === 'C-AUTH-APPLIES')!.message).toContain('the payer denied it');
  });

  it('C-AUTH-SCOPE: fewer authorized delivery units than planned fractions', () => {
    const auth = authorization({
      items: [
        { code: '77407', modifiers: [], quantity: 15, denied: false },
        { code: '77387', modifiers: ['26'], quantity: 15, denied: false },
      ],
    });
    const found = orderWith([auth]).findings.filter((f) => f.rule === 'C-AUTH-SCOPE');
    expect(found).toEqual([expect.objectContaining({ severity: 'warning' })]);
    expect(found[0]!.message).toMatch(/grants 15 delivery units.*plans 25 fractions/);
  });

  it('C-AUTH-SCOPE: no 77387-26 on the authorization while image guidance is ordered; none when it is there (or global)', () => {
    expect(rules(orderWith([authorization({ cptCodes: ['77407'] })]).findings)).toContain('C-AUTH-SCOPE');
    expect(rules(orderWith([authorization({ cptCodes: ['77407', '77387-26'] })]).findings)).not.toContain('C-AUTH-SCOPE');
    expect(rules(orderWith([authorization({ cptCodes: ['77407', '77387'] })]).findings)).not.toContain('C-AUTH-SCOPE');
    expect(rules(orderWith([authorization({ cptCodes: ['77407', '77387-TC'] })]).findings)).toContain('C-AUTH-SCOPE');
  });

  it.each([['77413'], ['77403'], ['77418']])(
    'C-DELETED: %s (deleted in 2015) on an authorization for a 2026 order is critical, naming 2015',
    (code) => {
      const found = orderWith([authorization({ cptCodes: [code, '77387-26'] })]).findings.find((f) => f.rule === 'C-DELETED');
      expect(found).toMatchObject({ severity: 'critical' });
      expect(found!.message).toContain('2015-01-01');
    },
  );
});

describe('6. D-PARTIAL, D-OUT-LIMITS, D-COURSE', () => {
  it('D-PARTIAL: a stopped fraction is a session coded by its facts, with a warning', () => {
    const stopped = fraction({ status: 'stopped' });
    const session = run({ fractions: [stopped] }).sessions[0]!;
    expect(session).toMatchObject({ deliveryCode: '77407', fractions: [stopped.ref] });
    expect(session.findings.find((f) => f.rule === 'D-PARTIAL')).toMatchObject({ severity: 'warning' });
  });

  const sbrt = (day: number, plan = 'ServiceRequest/sbrt-plan', hour = '09') =>
    fraction({ start: `2026-04-${String(day).padStart(2, '0')}T${hour}:00:00Z`, plan: { techniques: ['imrt', 'sbrt'] }, basedOn: [plan] });

  it('D-OUT-LIMITS: the sixth SBRT fraction of a plan is coded by the delivery levels, with a warning; the first five stay SBRT', () => {
    const fractions = [1, 2, 3, 6, 7, 8].map((day) => sbrt(day));
    const d = run({ fractions });
    const sixth = sessionOf(d, fractions[5]!);
    expect(sixth).toMatchObject({ deliveryCode: '77407', deliveryRule: 'D-2' });
    expect(sixth.findings.find((f) => f.rule === 'D-OUT-LIMITS')!.message).toContain('fraction 6');
    const fifth = sessionOf(d, fractions[4]!);
    expect(fifth).toMatchObject({ deliveryCode: null, deliveryRule: 'D-OUT' });
    expect(rules(fifth.findings)).not.toContain('D-OUT-LIMITS');
  });

  it('D-OUT-LIMITS: a second SRS session is the SBRT family; the first stays SRS', () => {
    const srs = (day: number) =>
      fraction({ start: `2026-04-0${day}T09:00:00Z`, plan: { techniques: ['imrt', 'srs'] }, basedOn: ['ServiceRequest/srs-plan'] });
    const [first, second] = [srs(1), srs(2)];
    const d = run({ fractions: [first, second] });
    expect(sessionOf(d, first).outOfFamily).toContain('SRS');
    expect(sessionOf(d, second).outOfFamily).toContain('SBRT 77373');
    expect(rules(sessionOf(d, second).findings)).toContain('D-OUT-LIMITS');
  });

  it('D-OUT-LIMITS: two stereotactic sessions on one date (two lesions, two plans): one unit per day', () => {
    const [morning, afternoon] = [sbrt(1, 'ServiceRequest/lesion-a', '09'), sbrt(1, 'ServiceRequest/lesion-b', '15')];
    const d = run({ fractions: [morning, afternoon] });
    expect(rules(sessionOf(d, morning).findings)).not.toContain('D-OUT-LIMITS');
    expect(sessionOf(d, afternoon).findings.find((f) => f.rule === 'D-OUT-LIMITS')!.message).toContain('once per day');
  });

  it('D-OUT-LIMITS: an SBRT order planning 8 fractions is warned before treatment', () => {
    const order = prescription({ plan: { techniques: ['imrt', 'sbrt'] }, plannedFractions: 8 });
    expect(run({ prescriptions: [order] }).orders[0]!.findings.find((f) => f.rule === 'D-OUT-LIMITS')).toMatchObject({ severity: 'warning' });
  });

  it('D-OUT (the reported bug): an SBRT course prescription (VMAT + SBRT) is D-OUT, never D-COURSE, with 77387 bundled', () => {
    const order = prescription({
      level: 'course',
      plan: { techniques: ['imrt', 'sbrt'], combinations: [{ modality: 'photon', techniques: ['imrt'] }] },
      ordered: { imageGuidance: ['cbct'] },
    });
    const result = run({ prescriptions: [order] }).orders[0]!;
    expect(result).toMatchObject({ expectedDeliveryCode: null, deliveryRule: 'D-OUT', igrtProfessionalExpected: false });
    expect(result.outOfFamily).toContain('77373');
    expect(rules(result.findings)).not.toContain('D-COURSE');
  });
});

describe('7. B rules (spec v3)', () => {
  const charged = (fractions: Fraction[], charges: Charge[], payer = MEDICARE) => run({ fractions, charges, payers: { 'Patient/p1': payer } });

  it('twice-daily charges without references: one per session in time order, whatever the order they are written in', () => {
    const am = fraction({ start: '2026-03-02T08:00:00Z', plan: { isocenters: 2 } });
    const pm = fraction({ start: '2026-03-02T16:00:00Z' });
    const d = charged(
      [am, pm],
      [
        charge({ ref: 'ChargeItem/pm', code: '77407', date: '2026-03-02T16:05:00Z' }),
        charge({ ref: 'ChargeItem/am', code: '77412', date: '2026-03-02T08:05:00Z' }),
      ],
    );
    expect(d.charges?.find((c) => c.charge === 'ChargeItem/am')).toMatchObject({ session: am.encounter, status: 'matches' });
    expect(d.charges?.find((c) => c.charge === 'ChargeItem/pm')).toMatchObject({ session: pm.encounter, status: 'matches' });
    expect(d.sessions.flatMap((s) => rules(s.findings)).filter((r) => r.startsWith('B-'))).toEqual([]);
  });

  const portSessions = () => Array.from({ length: 8 }, (_, i) => fraction({ start: `2026-03-${String(i + 2).padStart(2, '0')}T09:00:00Z` }));

  it('B-26: 77417 twice within 5 fractions for a commercial payer whose policy has the port-image edits (Priority Health, P-PORT): warning on the second; 5 apart is fine', () => {
    const fx = portSessions();
    const ports = (a: number, b: number) => [
      charge({ ref: 'ChargeItem/p1', code: '77417', encounters: [fx[a]!.encounter!] }),
      charge({ ref: 'ChargeItem/p2', code: '77417', encounters: [fx[b]!.encounter!] }),
    ];
    const close = charged(fx, ports(0, 2), PRIORITY_HEALTH);
    expect(rules(sessionOf(close, fx[2]!).findings)).toContain('B-26');
    expect(rules(sessionOf(close, fx[0]!).findings)).not.toContain('B-26');
    const apart = charged(fx, ports(0, 5), PRIORITY_HEALTH);
    expect(apart.sessions.flatMap((s) => rules(s.findings))).not.toContain('B-26');
  });

  it('B-26: 77417 with quantity 2, and 77417 beside 77387 for the same session, for a commercial payer whose policy has the port-image edits (Priority Health, P-PORT)', () => {
    const fx = portSessions();
    const quantity = charged(fx, [charge({ code: '77417', units: 2, encounters: [fx[0]!.encounter!] })], PRIORITY_HEALTH);
    expect(sessionOf(quantity, fx[0]!).findings.find((f) => f.rule === 'B-26')!.message).toContain('2 units');
    const sameDay = charged(
      fx,
      [charge({ code: '77417', encounters: [fx[0]!.encounter!] }), charge({ code: '77387', modifiers: ['26'], encounters: [fx[0]!.encounter!] })],
      PRIORITY_HEALTH,
    );
    expect(sessionOf(sameDay, fx[0]!).findings.some((f) => f.rule === 'B-26' && f.message.includes('same date'))).toBe(true);
  });

  it('B-26: 77417 in the last 3 fractions of the course, when the record numbers them', () => {
    const rx = prescription({ level: 'phase', plannedFractions: 10 });
    const fx = fraction({ numberInPhase: 9 });
    const d = run({
      fractions: [fx],
      prescriptions: [rx],
      charges: [charge({ code: '77417', encounters: [fx.encounter!] })],
      payers: { 'Patient/p1': PRIORITY_HEALTH },
    });
    expect(d.sessions[0]!.findings.find((f) => f.rule === 'B-26')!.message).toContain('fraction 9 of 10');
  });

  it('B-26: for Medicare 77417 is bundled (status B): a warning, without the edits', () => {
    const fx = portSessions();
    const d = charged(fx, [charge({ code: '77417', encounters: [fx[0]!.encounter!] })]);
    expect(sessionOf(d, fx[0]!).findings.find((f) => f.rule === 'B-26')!.message).toContain('status B');
  });

  it('B-DELETED: a charged 77413 is the session’s delivery charge: critical, never dropped, no B-MISSED or B-UNMATCHED', () => {
    const fx = fraction();
    const d = charged([fx], [charge({ code: '77413', encounters: [fx.encounter!] })]);
    expect(d.charges).toEqual([expect.objectContaining({ code: '77413', status: 'deleted' })]);
    expect(d.findings.find((f) => f.rule === 'B-DELETED')!.message).toContain('2015-01-01');
    expect(rules([...d.findings, ...d.sessions[0]!.findings])).not.toEqual(expect.arrayContaining(['B-MISSED']));
    expect(rules(d.findings)).not.toContain('B-UNMATCHED');
  });
});

/**
 * An outside review of the spec v3 change found these wrong answers; each is reproduced here and shown right.
 */
describe('review of spec v3: wrong answers that are now right', () => {
  it('I-SIGN: a fraction recorded by one instant (no beam-off) and its phase summary ending then: pending, never lost', () => {
    const last = fraction({
      start: '2026-02-04T15:00:00Z',
      end: '2026-02-04T15:00:00Z',
      delivered: { imageGuidance: ['cbct'] },
      summaries: ['Procedure/phase'],
      numberInPhase: 3,
    });
    const phase: TreatmentSummary = {
      ref: 'Procedure/phase',
      level: 'phase',
      status: 'completed',
      patient: 'Patient/p1',
      start: '2026-02-02T15:00:00Z',
      end: '2026-02-04T15:12:00Z',
      fractionsDelivered: 3,
      plan: { modalities: ['photon'], techniques: ['3d-crt'], isocenters: 1, combinations: [], otherTechniques: [], unknown: [] },
      delivered: { imageGuidance: ['cbct'], intrafraction: [], respiratory: [], portImages: false, unknown: [] },
      sameAs: 'phase',
      within: [],
      plans: 1,
      bodySites: [],
      factSources: [],
    };
    expect(run({ fractions: [last], summaries: [phase] }).sessions[0]!.igrtStatus).toBe('pending');
  });

  it('C-AUTH-2025: a replanned SBRT course (plan A 3 fractions, plan B 3 more) is one course of 6: the sixth is not SBRT', () => {
    const fractions = [1, 2, 3, 6, 7, 8].map((day, i) =>
      fraction({
        start: `2026-04-0${day}T09:00:00Z`,
        plan: { techniques: ['imrt', 'sbrt'] },
        basedOn: [i < 3 ? 'ServiceRequest/plan-a' : 'ServiceRequest/plan-b'],
        prescription: 'ServiceRequest/sbrt-rx',
      }),
    );
    const sixth = sessionOf(run({ fractions }), fractions[5]!);
    expect(sixth).toMatchObject({ deliveryCode: '77407' });
    expect(rules(sixth.findings)).toContain('D-OUT-LIMITS');
  });

  it('C-AUTH-APPLIES: a period written as UTC midnight is the payer’s date, not shifted into the clinic’s zone', () => {
    const order = prescription({ serviceDate: '2026-03-31', timeZone: LA });
    const auth = authorization({ cptCodes: ['77407'], period: { start: '2026-01-01T00:00:00Z', end: '2026-03-31T00:00:00Z' } });
    const findings = run({ prescriptions: [order], authorizations: [auth] }).orders[0]!.findings;
    expect(rules(findings)).not.toContain('C-AUTH-2025');
    expect(rules(findings)).not.toContain('C-AUTH-APPLIES');
  });

  it('C-AUTH-2025 and C-AUTH-SCOPE: a 2026 request denied in part (the delivery code) while a 2025 authorization applies', () => {
    const carried = authorization({ claim: 'Claim/pa-2025', cptCodes: ['77407', '77387-26'], period: { start: '2025-11-01', end: '2026-04-30' } });
    const partial = authorization({
      claim: 'Claim/pa-2026',
      items: [
        { code: '77407', modifiers: [], quantity: 25, denied: true },
        { code: '77387', modifiers: ['26'], quantity: 25, denied: false },
      ],
    });
    const findings = run({
      prescriptions: [prescription({ plannedFractions: 25, ordered: { imageGuidance: ['cbct'] } })],
      authorizations: [carried, partial],
    }).orders[0]!.findings;
    expect(findings.some((f) => f.rule === 'C-AUTH-2025' && f.message.includes('denied in part (77407)'))).toBe(true);
    expect(findings.some((f) => f.rule === 'C-AUTH-SCOPE' && f.message.includes('grants 0 delivery units'))).toBe(true);
  });

  it('B matching: two date-only delivery charges for a twice-daily date go each to the session whose code it is', () => {
    const am = fraction({ start: '2026-02-03T13:00:00Z', plan: { isocenters: 2 } }); // 77412
    const pm = fraction({ start: '2026-02-03T20:00:00Z' }); // 77407
    const d = run({
      fractions: [am, pm],
      charges: [
        charge({ ref: 'ChargeItem/a', code: '77407', date: '2026-02-03' }),
        charge({ ref: 'ChargeItem/b', code: '77412', date: '2026-02-03' }),
      ],
      payers: { 'Patient/p1': MEDICARE },
    });
    expect(d.charges?.map((c) => [c.charge, c.session, c.status])).toEqual([
      ['ChargeItem/a', pm.encounter, 'matches'],
      ['ChargeItem/b', am.encounter, 'matches'],
    ]);
  });
});
