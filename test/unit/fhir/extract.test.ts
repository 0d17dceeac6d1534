import { AS_OF } from '../../helpers/facts.js';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { extractFacts } from '../../../src/fhir/extract.js';
import { parseBundle } from '../../../src/fhir/parse.js';
import { determineBundle } from '../../../src/pipeline.js';
import { approval, bundle, cbct, fractionResource, isocenters, modalityAndTechnique, PHOTON, requestResource } from '../../helpers/bundles.js';

const read = (json: unknown) => extractFacts(parseBundle(json), { asOf: AS_OF });

/** The physician's course prescription `ServiceRequest/rx`, with none of the plan's facts. */
const courseOrder = (extra: Record<string, unknown> = {}) => requestResource('rx', 'course', { extension: [], ...extra });

describe('reading fractions', () => {
  it('fractions out of order in the Bundle come out as sessions in date order, with the right next beam-on', () => {
    const json = bundle([
      fractionResource('fx-3', '2026-03-04T09:00:00Z', { extension: [modalityAndTechnique(PHOTON, '1162782007'), isocenters(1), cbct()] }),
      fractionResource('fx-1', '2026-03-02T09:00:00Z', { extension: [modalityAndTechnique(PHOTON, '1162782007'), isocenters(1), cbct()] }),
      fractionResource('fx-2', '2026-03-03T09:00:00Z', { extension: [modalityAndTechnique(PHOTON, '1162782007'), isocenters(1), cbct()] }),
      approval('a1', 'Procedure/fx-1', '2026-03-02T10:00:00Z'),
      approval('a2', 'Procedure/fx-2', '2026-03-03T10:00:00Z'),
    ]);
    const result = determineBundle(json, { asOf: AS_OF });
    expect(result.sessions.map((s) => s.fractions[0])).toEqual(['Procedure/fx-1', 'Procedure/fx-2', 'Procedure/fx-3']);
    expect(result.sessions.map((s) => s.facts.nextBeamOn)).toEqual(['2026-03-03T09:00:00Z', '2026-03-04T09:00:00Z', null]);
    expect(result.sessions.map((s) => s.igrtStatus)).toEqual(['billable', 'billable', 'pending']);
  });

  it('references by urn:uuid resolve against urn:uuid fullUrls', () => {
    const fx = {
      ...fractionResource('x', '2026-03-02T09:00:00Z', { extension: [modalityAndTechnique(PHOTON, '1162782007'), isocenters(1), cbct()] }),
    } as Record<string, unknown>;
    delete fx.id;
    const prov = approval('p', 'urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427', '2026-03-02T10:00:00Z');
    delete (prov as Record<string, unknown>).id;
    const json = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427', resource: fx },
        { fullUrl: 'urn:uuid:2b4e28ba-2fa1-11d2-883f-0016d3cca427', resource: prov },
      ],
    };
    const [session] = determineBundle(json, { asOf: AS_OF }).sessions;
    expect(session?.fractions).toEqual(['urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427']);
    expect(session?.igrtStatus).toBe('billable');
  });

  it("relative references resolve against the entry's RESTful base, absolute ones by Type/id", () => {
    const json = bundle([
      fractionResource('fx-1', '2026-03-02T09:00:00Z', {
        basedOn: [{ reference: 'https://ehr.example.org/fhir/ServiceRequest/plan' }],
        extension: [],
      }),
      requestResource('plan', 'plan', {
        intent: 'filler-order',
        requester: undefined,
        basedOn: [{ reference: 'ServiceRequest/rx' }],
        extension: [modalityAndTechnique(PHOTON, '441799006'), isocenters(1)],
      }),
      courseOrder(),
    ]);
    const input = read(json);
    expect(input.fractions[0]).toMatchObject({
      basedOn: ['ServiceRequest/plan', 'ServiceRequest/rx'],
      prescription: 'ServiceRequest/rx',
      plan: { modalities: ['photon'], techniques: ['imrt'], isocenters: 1 },
    });
    expect(input.prescriptions.map((p) => p.ref)).toEqual(['ServiceRequest/rx']);
  });

  it('a fraction without performedPeriod is read with no start; the engine names the missing date', () => {
    const json = bundle([fractionResource('fx-1', null)]);
    const [session] = determineBundle(json, { asOf: AS_OF }).sessions;
    expect(session).toMatchObject({ start: null, deliveryCode: null, deliveryRule: 'D-UNKNOWN' });
  });

  it('twice-daily fractions with their own encounters are two sessions', () => {
    const json = bundle([
      fractionResource('am', '2026-03-02T08:00:00Z', { encounter: { reference: 'Encounter/e1' } }),
      fractionResource('pm', '2026-03-02T14:00:00Z', { encounter: { reference: 'Encounter/e2' } }),
    ]);
    expect(determineBundle(json, { asOf: AS_OF }).sessions.map((s) => s.fractions)).toEqual([['Procedure/am'], ['Procedure/pm']]);
  });

  it('fractions without an encounter form one session only when their periods overlap', () => {
    const json = bundle([
      fractionResource('a', '2026-03-02T09:00:00Z', { performedPeriod: { start: '2026-03-02T09:00:00Z', end: '2026-03-02T09:10:00Z' } }),
      fractionResource('b', '2026-03-02T09:05:00Z', { performedPeriod: { start: '2026-03-02T09:05:00Z', end: '2026-03-02T09:15:00Z' } }),
      fractionResource('c', '2026-03-02T14:00:00Z'),
    ]);
    expect(determineBundle(json, { asOf: AS_OF }).sessions.map((s) => s.fractions)).toEqual([['Procedure/a', 'Procedure/b'], ['Procedure/c']]);
  });

  it('an unrecognised code is reported as a FHIR-INPUT finding, not dropped in silence', () => {
    const json = bundle([
      fractionResource('fx-1', '2026-03-02T09:00:00Z', { extension: [modalityAndTechnique('999999999', '1162782007'), isocenters(1)] }),
    ]);
    const result = determineBundle(json, { asOf: AS_OF });
    const [session] = result.sessions;
    expect(session?.deliveryRule).toBe('D-UNKNOWN');
    expect(session?.findings.find((f) => f.rule === 'D-UNKNOWN')?.message).toContain('http://snomed.info/sct|999999999');
    // Once per resource and code, about the record: not repeated on every session that reads it.
    expect(result.findings.filter((f) => f.rule === 'FHIR-INPUT').map((f) => f.evidence)).toEqual([['Procedure/fx-1']]);
  });

  it('ignores Procedures that are not treated fractions', () => {
    const json = bundle([
      {
        resourceType: 'Procedure',
        id: 'biopsy',
        status: 'completed',
        subject: { reference: 'Patient/p1' },
        code: { coding: [{ system: 'http://snomed.info/sct', code: '86273004' }] },
      },
    ]);
    expect(determineBundle(json, { asOf: AS_OF }).sessions).toEqual([]);
  });
});

describe('validation at the boundary', () => {
  it.each([
    ['not a Bundle', { resourceType: 'Patient' }, 'Bundle.resourceType'],
    ['entry without resource', { resourceType: 'Bundle', entry: [{ fullUrl: 'x' }] }, 'Bundle.entry[0].resource'],
    ['bad Procedure status', bundle([fractionResource('fx', '2026-03-02T09:00:00Z', { status: 'done' })]), 'Bundle.entry[0].resource.status'],
    [
      'bad date',
      bundle([fractionResource('fx', '2026-03-02T09:00:00Z', { performedPeriod: { start: '02/03/2026' } })]),
      'Bundle.entry[0].resource.performedPeriod.start',
    ],
    [
      'Provenance without target',
      bundle([{ resourceType: 'Provenance', id: 'p', recorded: '2026-03-02T10:00:00Z', agent: [{ who: { reference: 'Practitioner/x' } }] }]),
      'Bundle.entry[0].resource.target',
    ],
  ])('%s → InputError naming %s', (_label, json, path) => {
    try {
      parseBundle(json);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).issues.map((i) => i.path)).toContain(path);
    }
  });

  it('resources the service does not read pass untouched', () => {
    expect(parseBundle(bundle([{ resourceType: 'Basic', id: 'b', anything: [1, 2] }]))).toHaveLength(1);
  });
});

describe('spec v3 reading (review of the change)', () => {
  const CPT = 'http://www.ama-assn.org/go/cpt';
  const preauth = (id: string, code: string, extra: Record<string, unknown> = {}) => ({
    resourceType: 'Claim',
    id,
    use: 'preauthorization',
    patient: { reference: 'Patient/p1' },
    item: [{ sequence: 1, productOrService: { coding: [{ system: CPT, code }] } }],
    ...extra,
  });
  const response = (id: string, claim: string, disposition: string) => ({
    resourceType: 'ClaimResponse',
    id,
    use: 'preauthorization',
    patient: { reference: 'Patient/p1' },
    request: { reference: `Claim/${claim}` },
    outcome: 'complete',
    disposition,
  });

  it('C-AUTH-2025: words that name an old authorization without denying ("approved; X is closed") are no denial', () => {
    const facts = read(
      bundle([
        preauth('pa-2025', '77407', { identifier: [{ value: 'LK-2025-903' }] }),
        preauth('pa-2026', '77407'),
        response('r-2026', 'pa-2026', 'Approved as requested. Prior authorization LK-2025-903 is closed.'),
      ]),
    );
    expect(facts.authorizations.find((a) => a.claim === 'Claim/pa-2026')?.denied).toBe(false);
  });

  it('C-AUTH-2025: a decision that denies and names the 2025 authorization is that request’s denial', () => {
    const facts = read(
      bundle([
        preauth('pa-2025', '77407', { identifier: [{ value: 'LK-2025-903' }] }),
        preauth('pa-2026', '77407'),
        response('r-2026', 'pa-2026', 'Denied: services covered by authorization LK-2025-903.'),
      ]),
    );
    expect(facts.authorizations.find((a) => a.claim === 'Claim/pa-2026')?.denied).toBe(true);
  });

  it('PAS review action A3 on an item is a denial of that item; A1 is not', () => {
    const reviewAction = (code: string) => [
      {
        url: 'http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction',
        extension: [
          {
            url: 'http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewActionCode',
            valueCodeableConcept: { coding: [{ system: 'https://codesystem.x12.org/005010/306', code }] },
          },
        ],
      },
    ];
    const facts = read(
      bundle([
        {
          ...preauth('pa', '77407'),
          item: [
            { sequence: 1, productOrService: { coding: [{ system: CPT, code: '77407' }] }, quantity: { value: 25 } },
            { sequence: 2, productOrService: { coding: [{ system: CPT, code: '77387' }] }, modifier: [{ coding: [{ system: CPT, code: '26' }] }] },
          ],
        },
        {
          ...response('r', 'pa', ''),
          item: [
            { itemSequence: 1, adjudication: [{ category: { coding: [{ code: 'submitted' }] }, extension: reviewAction('A3') }] },
            { itemSequence: 2, adjudication: [{ category: { coding: [{ code: 'submitted' }] }, extension: reviewAction('A1') }] },
          ],
        },
      ]),
    );
    expect(facts.authorizations[0]).toMatchObject({
      denied: false,
      items: [
        { code: '77407', modifiers: [], quantity: 0, denied: true },
        { code: '77387', modifiers: ['26'], quantity: null, denied: false },
      ],
    });
  });

  it('Time zones: a treatment room without a zone takes the zone of the department it is part of', () => {
    const result = determineBundle(
      bundle([
        {
          resourceType: 'Location',
          id: 'dept',
          extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/timezone', valueCode: 'America/Los_Angeles' }],
        },
        { resourceType: 'Location', id: 'room', partOf: { reference: 'Location/dept' } },
        {
          resourceType: 'Encounter',
          id: 'enc',
          status: 'finished',
          subject: { reference: 'Patient/p1' },
          location: [{ location: { reference: 'Location/room' } }],
        },
        fractionResource('fx', '2026-01-01T02:30:00Z', { encounter: { reference: 'Encounter/enc' } }),
      ]),
      { asOf: AS_OF },
    );
    expect(result.sessions[0]).toMatchObject({ dateOfService: '2025-12-31', timeZone: 'America/Los_Angeles', deliveryRule: 'D-OUT' });
  });

  it('FHIR-INPUT: a zone name the runtime does not know is not used, and is said', () => {
    const result = determineBundle(
      bundle([
        { resourceType: 'Location', id: 'loc', extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/timezone', valueCode: 'Mars/Olympus' }] },
        {
          resourceType: 'Encounter',
          id: 'enc',
          status: 'finished',
          subject: { reference: 'Patient/p1' },
          location: [{ location: { reference: 'Location/loc' } }],
        },
        fractionResource('fx', '2026-03-02T15:00:00Z', { encounter: { reference: 'Encounter/enc' } }),
      ]),
      { asOf: AS_OF },
    );
    expect(result.sessions[0]!.timeZone).toBeNull();
    expect(result.findings.find((f) => f.rule === 'FHIR-INPUT')?.message).toContain('Mars/Olympus');
  });
});

describe("an order's date of service", () => {
  const order = (occurrence: Record<string, unknown>) => bundle([courseOrder({ authoredOn: '2026-02-20', ...occurrence })]);
  const serviceDate = (occurrence: Record<string, unknown>) => read(order(occurrence)).prescriptions[0]?.serviceDate;

  it('a Timing is dated by its first event, whatever their order', () => {
    expect(serviceDate({ occurrenceTiming: { event: ['2026-03-09T09:00:00Z', '2026-03-02T09:00:00Z'] } })).toBe('2026-03-02T09:00:00Z');
  });

  it('a Timing without events is dated by the start of its bounds; with neither, authoredOn', () => {
    expect(serviceDate({ occurrenceTiming: { repeat: { count: 25, boundsPeriod: { start: '2026-03-02' } } } })).toBe('2026-03-02');
    expect(serviceDate({ occurrenceTiming: { repeat: { count: 25 } } })).toBe('2026-02-20');
  });

  it('occurrenceDateTime and occurrencePeriod still come first; no occurrence at all falls back to authoredOn', () => {
    expect(serviceDate({ occurrencePeriod: { start: '2026-03-04' } })).toBe('2026-03-04');
    expect(serviceDate({})).toBe('2026-02-20');
  });
});
