import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/engine/evaluate.js';
import type { Authorization, RecordKind } from '../../../../src/engine/types.js';
import { estimatePayment } from '../../../../src/engine/estimate.js';
import { matchPolicy } from '../../../../src/engine/policy.js';
import { loadPolicies } from '../../../../src/policies/load.js';
import { signatureVerdict } from '../../../../src/engine/signatures.js';
import { determineBundle } from '../../../../src/pipeline.js';
import { approval, bundle, cbct, fractionResource, isocenters, modalityAndTechnique, PHOTON, THREE_D } from '../../../helpers/bundles.js';
import {
  AS_OF,
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
 * The spec's updated rules (billing-rules.md "Dates", "Evidence that could not be read", C-AUTH-APPLIES, C-AUTH-2025,
 * next beam-on, signatures, requester, isocenters) — each test names the rule it checks.
 */
const rules = (findings: readonly { rule: string }[]) => findings.map((f) => f.rule);
const DAY1 = '2026-06-01T09:00:00Z';
const DAY2 = '2026-06-02T09:00:00Z';

const auth = (overrides: Partial<Authorization> = {}): Authorization => authorization({ created: '2026-01-05', ...overrides });
const order = (authorizations: Authorization[], serviceDate = '2026-02-01') =>
  evaluate(engineInput({ prescriptions: [prescription({ serviceDate })], authorizations })).orders[0]!;

describe('C-AUTH-APPLIES: only authorizations that apply are checked', () => {
  const expired2025 = auth({ cptCodes: ['77385', '77014'], created: '2025-03-01', period: { start: '2025-03-01', end: '2025-09-30' } });

  it('an expired 2025 authorization from an earlier course draws no C-AUTH-MISMATCH, C-DELETED or C-AUTH-2025 on a 2026 order', () => {
    const found = rules(order([expired2025, auth({ cptCodes: ['77412'], period: { start: '2025-03-01', end: '2025-09-30' } })]).findings);
    expect(found).not.toEqual(expect.arrayContaining(['C-AUTH-MISMATCH']));
    expect(found).not.toContain('C-DELETED');
    expect(found).not.toContain('C-AUTH-2025');
    expect(found).toContain('C-AUTH-APPLIES');
  });

  it.each([
    ['an error outcome', { outcome: 'error' }, 'the payer answered with an error'],
    ['a queued request', { outcome: 'queued' }, 'no decision yet (queued)'],
    ['no response on file', { outcome: null, response: null }, 'no payer decision on file'],
    ['a period that ended', { period: { start: '2026-01-01', end: '2026-01-31' } }, 'does not cover 2026-02-01'],
  ] as const)('%s does not apply: listed (info) when none applies, and no mismatch', (_what, overrides, reason) => {
    const result = order([auth({ cptCodes: ['77412'], ...overrides })]);
    expect(rules(result.findings)).not.toContain('C-AUTH-MISMATCH');
    const applies = result.findings.find((f) => f.rule === 'C-AUTH-APPLIES');
    expect(applies).toMatchObject({ severity: 'info' });
    expect(applies!.message).toContain(reason);
  });

  it('an authorization with no period at all applies', () => {
    expect(rules(order([auth({ cptCodes: ['77412'], period: { start: null, end: null } })]).findings)).toContain('C-AUTH-MISMATCH');
  });

  it('when one applies, the skipped ones are not listed', () => {
    const result = order([auth(), auth({ claim: 'Claim/old', outcome: 'error' })]);
    expect(rules(result.findings)).not.toContain('C-AUTH-APPLIES');
  });

  it('several that apply are each checked', () => {
    const result = order([auth({ cptCodes: ['77412'] }), auth({ claim: 'Claim/second', cptCodes: ['77402'] })]);
    expect(result.findings.filter((f) => f.rule === 'C-AUTH-MISMATCH')).toHaveLength(2);
  });

  it('an undated order is judged on the as-of date', () => {
    const undated = evaluate(
      engineInput({ prescriptions: [prescription({ serviceDate: null })], authorizations: [auth({ cptCodes: ['77412'] })], asOf: '2026-03-01' }),
    ).orders[0]!;
    expect(rules(undated.findings)).toContain('C-AUTH-MISMATCH');
    const later = evaluate(
      engineInput({ prescriptions: [prescription({ serviceDate: null })], authorizations: [auth({ cptCodes: ['77412'] })], asOf: '2026-08-01' }),
    ).orders[0]!;
    expect(rules(later.findings)).not.toContain('C-AUTH-MISMATCH');
  });
});

describe('C-AUTH-2025: a 2025 authorization that applies to a 2026 date', () => {
  it.each([
    ['no period, issued in 2025', { created: '2025-12-15', period: { start: null, end: null } }, 'no period and was issued on 2025-12-15'],
    ['a period that began in 2025', { created: null, period: { start: '2025-11-01', end: '2026-03-31' } }, 'begins 2025-11-01'],
    ['2025 codes', { cptCodes: ['77385'] }, 'deleted codes 77385'],
    ['a delivery code deleted in 2015', { cptCodes: ['77413'] }, 'deleted codes 77413'],
  ] as const)('%s → warning', (_what, overrides, reason) => {
    const found = order([auth(overrides)]).findings.find((f) => f.rule === 'C-AUTH-2025');
    expect(found).toMatchObject({ severity: 'warning' });
    expect(found!.message).toContain(reason);
  });

  it('a 2026 authorization with 2026 codes: nothing', () => {
    expect(rules(order([auth()]).findings)).not.toContain('C-AUTH-2025');
  });

  it('spec v3: issued in December 2025 for 2026 dates with 2026 codes is a 2026 authorization: nothing', () => {
    const decemberFor2026 = auth({ created: '2025-12-15', period: { start: '2026-01-01', end: '2026-06-30' } });
    expect(rules(order([decemberFor2026]).findings)).not.toContain('C-AUTH-2025');
  });
});

describe('signatures (A-SIGN, I-SIGN): every Provenance and every signature, the earliest physician signature decides', () => {
  const imaged = (approvals: ReturnType<typeof signature>[]) => [
    fraction({ start: DAY1, delivered: { imageGuidance: ['cbct'] }, imageApprovals: approvals }),
    fraction({ start: DAY2 }),
  ];
  const first = (fractions: ReturnType<typeof fraction>[], unread: RecordKind[] = []) =>
    evaluate(engineInput({ fractions, unread: unread.map((kind) => ({ kind, detail: 'test' })) })).sessions[0]!;

  it("a device's record and a resident's, then the attending's: the resident (a Practitioner) in time makes it billable", () => {
    const session = first(
      imaged([
        signature('2026-06-01T09:30:00Z', { byPractitioner: false, by: 'Device/pacs' }),
        signature('2026-06-01T11:00:00Z', { by: 'Practitioner/resident' }),
        signature('2026-06-02T10:00:00Z', { by: 'Practitioner/attending' }),
      ]),
    );
    expect(session.igrtStatus).toBe('billable');
    expect(rules(session.findings)).not.toContain('I-SIGN');
  });

  it('a PractitionerRole signer the input does not hold: could not be checked (pending, warning), never lost', () => {
    const session = first(imaged([signature('2026-06-01T11:00:00Z', { byPractitioner: null, by: 'PractitionerRole/r1' })]));
    expect(session.igrtStatus).toBe('pending');
    const found = session.findings.find((f) => f.rule === 'I-SIGN');
    expect(found).toMatchObject({ severity: 'warning' });
    expect(found!.message).toContain('could not be checked');
    expect(found!.message).toContain('PractitionerRole/r1');
  });

  it('signatures not read: pending and "could not be checked", not critical', () => {
    const session = first(imaged([]), ['signatures']);
    expect(session.igrtStatus).toBe('pending');
    expect(session.findings.filter((f) => f.severity === 'critical')).toEqual([]);
    expect(session.findings.find((f) => f.rule === 'I-SIGN')!.message).toContain('could not be checked');
  });

  it('later fractions not read: an approval cannot be shown in time, nor an absence shown late', () => {
    const signed = first(
      [fraction({ start: DAY1, delivered: { imageGuidance: ['cbct'] }, imageApprovals: [signature('2026-06-01T11:00:00Z')] })],
      ['later-fractions'],
    );
    expect(signed.igrtStatus).toBe('pending');
    expect(signed.findings.find((f) => f.rule === 'I-SIGN')!.message).toContain('could not be checked');
  });

  it('I-SIGN only for fractions with image guidance, naming what keeps the unit billable', () => {
    const session = first([
      fraction({
        start: DAY1,
        encounter: 'Encounter/s',
        delivered: { imageGuidance: ['cbct'] },
        imageApprovals: [signature('2026-06-01T10:00:00Z')],
      }),
      fraction({ start: '2026-06-01T09:20:00Z', encounter: 'Encounter/s', delivered: { imageGuidance: [] } }),
      fraction({ start: '2026-06-01T09:40:00Z', encounter: 'Encounter/s', delivered: { imageGuidance: ['x-ray'] } }),
      fraction({ start: DAY2 }),
    ]);
    const iSign = session.findings.filter((f) => f.rule === 'I-SIGN');
    expect(iSign).toHaveLength(1);
    expect(iSign[0]!.evidence[0]).toBe(session.fractions[2]);
    expect(iSign[0]!.message).toContain(`stays billable through the approved images of ${session.fractions[0]}`);
    expect(iSign[0]!.message).not.toContain('AMM record');
  });
});

describe('AMM records and orders that could not be read (A-RECORD, A-ORDER)', () => {
  const ammFraction = () => fraction({ start: DAY1, delivered: MONITORED_BREATH_HOLD });
  const amm = (unread: RecordKind[], rx = prescription({ ordered: MONITORED_BREATH_HOLD, ammNecessity: SPECIFIC_NECESSITY })) =>
    evaluate(engineInput({ fractions: [ammFraction()], prescriptions: [rx], unread: unread.map((kind) => ({ kind, detail: 'test' })) })).sessions[0]!;

  it('AMM records not read: "could not be checked", and 77412 is not lowered', () => {
    const session = amm(['amm-records']);
    expect(session).toMatchObject({ deliveryCode: '77412', supportedDeliveryCode: '77412' });
    const found = session.findings.find((f) => f.rule === 'A-RECORD');
    expect(found).toMatchObject({ severity: 'warning' });
    expect(found!.message).toMatch(/could not be checked/);
    expect(found!.message).not.toMatch(/missing/);
    expect(session.findings.filter((f) => f.severity === 'critical')).toEqual([]);
  });

  it('AMM records read and none there: missing, 77412 falls back (the read case is unchanged)', () => {
    expect(amm([])).toMatchObject({ deliveryCode: '77412', supportedDeliveryCode: '77407' });
  });

  it('orders not read: A-ORDER could not be checked, the code stays', () => {
    const session = evaluate(
      engineInput({
        fractions: [
          fraction({
            start: DAY1,
            delivered: MONITORED_BREATH_HOLD,
            ammRecords: [ammRecord(DAY1, '2026-06-01T09:12:00Z', [signature('2026-06-01T10:00:00Z')])],
            prescription: null,
            basedOn: [],
          }),
        ],
        prescriptions: [],
        unread: [{ kind: 'orders', detail: 'test' }],
      }),
    ).sessions[0]!;
    expect(session.supportedDeliveryCode).toBe('77412');
    expect(session.findings.find((f) => f.rule === 'A-ORDER')!.message).toContain('could not be checked');
  });

  it('a requester PractitionerRole that could not be read: A-ORDER could not be checked on the order', () => {
    const [result] = evaluate(
      engineInput({
        prescriptions: [prescription({ ordered: MONITORED_BREATH_HOLD, requesterIsPractitioner: null, requester: 'PractitionerRole/r' })],
      }),
    ).orders;
    const found = result!.findings.find((f) => f.rule === 'A-ORDER');
    expect(found).toMatchObject({ severity: 'warning' });
    expect(found!.message).toContain('could not be checked');
  });
});

describe("next beam-on: after the session's last beam-off", () => {
  it('a second fraction record of the same session is not the next beam-on', () => {
    const result = evaluate(
      engineInput({
        fractions: [
          fraction({ start: DAY1, encounter: 'Encounter/s1', delivered: { imageGuidance: ['cbct'] } }),
          fraction({ start: '2026-06-01T09:15:00Z', encounter: 'Encounter/s1' }),
        ],
      }),
    );
    expect(result.sessions).toHaveLength(1);
    expect(result.sessions[0]).toMatchObject({ igrtStatus: 'pending', facts: { nextBeamOn: null } });
  });

  it('a fraction starting during the session (no encounter to group it) does not count as the next beam-on', () => {
    const long = fraction({ start: DAY1, end: '2026-06-01T10:00:00Z', encounter: 'Encounter/a' });
    const overlapping = fraction({ start: '2026-06-01T09:30:00Z', encounter: 'Encounter/b' });
    const later = fraction({ start: DAY2, encounter: 'Encounter/c' });
    const [session] = evaluate(engineInput({ fractions: [long, overlapping, later] })).sessions;
    expect(session!.facts.nextBeamOn).toBe(DAY2);
  });
});

describe('requesters and signers through FHIR: PractitionerRole resolved to its Practitioner', () => {
  const rx = (requester: string) => ({
    resourceType: 'ServiceRequest',
    id: 'rx',
    status: 'active',
    intent: 'original-order',
    code: { coding: [{ system: 'http://snomed.info/sct', code: '1222565005' }] },
    subject: { reference: 'Patient/p1' },
    requester: { reference: requester },
    authoredOn: '2026-02-01',
    extension: [
      modalityAndTechnique(PHOTON, THREE_D),
      {
        url: 'http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/codexrt-radiotherapy-respiratory-motion-management',
        valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '721061000124106' }] },
      },
    ],
  });
  const role = (id: string, practitioner?: string) => ({
    resourceType: 'PractitionerRole',
    id,
    ...(practitioner ? { practitioner: { reference: practitioner } } : {}),
  });

  it.each([
    ['a Practitioner', [rx('Practitioner/dr')], false],
    ['a PractitionerRole naming a Practitioner', [rx('PractitionerRole/r'), role('r', 'Practitioner/dr')], false],
    ['an Organization', [rx('Organization/clinic')], true],
    ['a PractitionerRole without a practitioner', [rx('PractitionerRole/r'), role('r')], true],
  ])('A-ORDER: requester %s → A-ORDER finding: %s', (_what, resources, expected) => {
    const [result] = determineBundle(bundle(resources), { asOf: AS_OF }).orders;
    expect(rules(result!.findings).includes('A-ORDER')).toBe(expected);
  });

  it('I-SIGN: an approval signed by a PractitionerRole that names a Practitioner counts', () => {
    const result = determineBundle(
      bundle([
        fractionResource('fx-1', '2026-03-02T09:00:00Z', {
          extension: [modalityAndTechnique(PHOTON, THREE_D), isocenters(1), cbct()],
          basedOn: [{ reference: 'ServiceRequest/plan' }],
        }),
        fractionResource('fx-2', '2026-03-03T09:00:00Z', { basedOn: [{ reference: 'ServiceRequest/plan' }] }),
        approval('a1', 'Procedure/fx-1', '2026-03-02T10:00:00Z', 'PractitionerRole/r'),
        role('r', 'Practitioner/dr'),
      ]),
      { asOf: AS_OF },
    );
    expect(result.sessions[0]).toMatchObject({ igrtStatus: 'billable' });
  });

  it("I-SIGN: one Provenance with several signatures, the physician's among them", () => {
    const provenance = approval('a1', 'Procedure/fx-1', '2026-03-02T10:00:00Z', 'Device/pacs') as Record<string, unknown>;
    provenance.signature = [
      {
        type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.5' }],
        when: '2026-03-02T09:20:00Z',
        who: { reference: 'Device/pacs' },
      },
      {
        type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.5' }],
        when: '2026-03-02T10:00:00Z',
        who: { reference: 'Practitioner/dr' },
      },
    ];
    const result = determineBundle(
      bundle([
        fractionResource('fx-1', '2026-03-02T09:00:00Z', {
          extension: [modalityAndTechnique(PHOTON, THREE_D), isocenters(1), cbct()],
          basedOn: [{ reference: 'ServiceRequest/plan' }],
        }),
        fractionResource('fx-2', '2026-03-03T09:00:00Z', { basedOn: [{ reference: 'ServiceRequest/plan' }] }),
        provenance,
      ]),
      { asOf: AS_OF },
    );
    expect(result.sessions[0]).toMatchObject({ igrtStatus: 'billable' });
  });

  it('D-UNKNOWN: a photon fraction with neither a plan nor an isocenter count has unknown isocenters', () => {
    const result = determineBundle(
      bundle([fractionResource('fx-1', '2026-03-02T09:00:00Z', { extension: [modalityAndTechnique(PHOTON, THREE_D)] })]),
      { asOf: AS_OF },
    );
    expect(result.sessions[0]).toMatchObject({ deliveryCode: null, deliveryRule: 'D-UNKNOWN' });
    expect(result.sessions[0]!.findings.find((f) => f.rule === 'D-UNKNOWN')!.message).toContain('isocenter count');
  });
});

describe('R: an estimate never guesses the site of service', () => {
  const lines = [
    { code: '77412', units: 1, status: 'bill', rule: 'D-3-AMM' },
    { code: '77387-26', units: 1, status: 'bill', rule: 'I-PC' },
  ] as const;
  const medicare = matchPolicy(loadPolicies(), [{ coverage: 'Coverage/c', kind: 'medicare', state: null }], '2026-03-02');

  it('unknown: no total, each rate that depends on the site named for both settings', () => {
    const estimate = estimatePayment(lines, medicare, undefined, '2026-03-02')!;
    expect(estimate).toMatchObject({ setting: 'unknown', total: null });
    expect(estimate.lines[0]).toMatchObject({ code: '77412', amount: null });
    expect(estimate.lines[0]!.note).toMatch(/site of service unknown: \$391\.46 non-facility \(office\), \$564\.51 hospital outpatient/);
  });

  it('known: the rate of that setting and a total', () => {
    const estimate = estimatePayment(lines, medicare, 'facility', '2026-03-02')!;
    expect(estimate.setting).toBe('facility');
    expect(estimate.lines[0]!.amount).toBe(564.51);
    expect(estimate.total).not.toBeNull();
  });
});

describe('A-SIGN / I-SIGN: the earliest physician signature, with signers of unknown role', () => {
  const timing = { nextBeamOn: DAY2, nextBeamOnKnown: true, signaturesRead: true, laterDelivered: null };

  it('an unreadable PractitionerRole signing before the next beam-on, the physician after it: unverified, naming the role', () => {
    const verdict = signatureVerdict(
      [signature('2026-06-02T10:00:00Z'), signature('2026-06-01T10:00:00Z', { by: 'PractitionerRole/r9', byPractitioner: null, role: null })],
      timing,
    );
    expect(verdict).toMatchObject({ kind: 'unverified', missing: { kind: 'role', role: 'PractitionerRole/r9' } });
  });

  it('the unreadable role signing after the next beam-on too: late (it could not have been in time)', () => {
    const verdict = signatureVerdict(
      [signature('2026-06-02T10:00:00Z'), signature('2026-06-02T11:00:00Z', { by: 'PractitionerRole/r9', byPractitioner: null, role: null })],
      timing,
    );
    expect(verdict.kind).toBe('late');
  });

  it('a physician in time decides, whatever the role of another signer', () => {
    const verdict = signatureVerdict(
      [signature('2026-06-01T10:00:00Z'), signature(null, { by: 'PractitionerRole/r9', byPractitioner: null })],
      timing,
    );
    expect(verdict.kind).toBe('in-time');
  });
});
