import nock from 'nock';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '../../cds-services/index.js';
import { DETERMINATION_EXTENSION, RULE_TOPIC_SYSTEM } from '../../src/cds/cards.js';
import type { Card } from '../../src/cds/types.js';
import { SPEC_ENCOUNTER_DISCHARGE_REQUEST, SPEC_ORDER_SIGN_REQUEST } from '../fixtures/cds-hooks-spec-examples.js';
import { testApp } from '../helpers/app.js';
import { codesCardOf, expectedCardOf, orderOf, sessionOf } from '../helpers/cards.js';
import { allScenarios, goldenCases, scenario } from '../helpers/cases.js';
import { encounterDischargeRequest, orderSignRequest, resourcesOf } from '../helpers/hook-requests.js';
import { mockFhirServer, useStandInEhr } from '../helpers/mock-fhir.js';
import { CASES_DIR, sharedAvailable } from '../helpers/shared.js';

const EHR = 'https://ehr.example.org/fhir';
const { app } = testApp();
const ORDER_SIGN = '/cds-services/rt-billing-order-sign';
const DISCHARGE = '/cds-services/rt-billing-encounter-discharge';

useStandInEhr();

/** Every rule the CDS Hooks spec puts on a card (2.0 §Card attributes), and "no null or empty element". */
function expectSpecConformantCard(card: Card) {
  expect(card.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(card.summary.length).toBeGreaterThan(0);
  expect(card.summary.length).toBeLessThan(140);
  expect(['info', 'warning', 'critical']).toContain(card.indicator);
  expect(card.source.label.length).toBeGreaterThan(0);
  if (card.suggestions) {
    expect(card.selectionBehavior).toBeDefined();
    for (const s of card.suggestions) expect(s.label.length).toBeGreaterThan(0);
  }
  for (const reason of card.overrideReasons ?? []) expect(reason.display.length).toBeGreaterThan(0);
  for (const link of card.links ?? []) {
    expect(['absolute', 'smart']).toContain(link.type);
    if (link.appContext !== undefined) expect(typeof link.appContext).toBe('string');
  }
  const walk = (value: unknown, path: string): void => {
    expect(value, path).not.toBeNull();
    if (typeof value === 'string') expect(value.trim(), path).not.toBe('');
    if (Array.isArray(value)) {
      expect(value.length, path).toBeGreaterThan(0);
      value.forEach((v, i) => walk(v, `${path}[${i}]`));
    } else if (value && typeof value === 'object') {
      expect(Object.keys(value).length, path).toBeGreaterThan(0);
      if (path.endsWith(DETERMINATION_EXTENSION)) return; // the engine's own JSON, documented separately
      for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    }
  };
  walk(card, 'card');
}

const topics = (cards: Card[]) => cards.map((c) => c.source.topic?.code);

describe('discovery', () => {
  it('GET /cds-services returns exactly the registry', async () => {
    const res = await request(app).get('/cds-services');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ services: SERVICES.map((s) => s.definition) });
    expect(res.body.services.map((s: { hook: string }) => s.hook)).toEqual(['order-sign', 'encounter-discharge']);
  });

  it('prefetch templates use root-level tokens only', () => {
    for (const service of SERVICES) {
      for (const template of Object.values(service.definition.prefetch ?? {})) {
        for (const [, token] of template.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)) {
          expect(['context.patientId', 'context.encounterId', 'userPractitionerId', 'context.userId']).toContain(token);
        }
      }
    }
  });
});

describe("the specification's example requests", () => {
  it("order-sign with the spec's NutritionOrder and MedicationRequest drafts: 200, no cards (nothing radiotherapy)", async () => {
    const res = await request(app).post(ORDER_SIGN).send(SPEC_ORDER_SIGN_REQUEST);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cards: [] });
  });

  it("encounter-discharge with the spec's context, data fetched from fhirServer: 200, no cards for a non-radiotherapy encounter", async () => {
    const server = mockFhirServer(SPEC_ENCOUNTER_DISCHARGE_REQUEST.fhirServer, [
      { resourceType: 'Encounter', id: '456', status: 'finished', subject: { reference: 'Patient/1288992' } },
    ]);
    const res = await request(app).post(DISCHARGE).send(SPEC_ENCOUNTER_DISCHARGE_REQUEST);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cards: [] });
    // The session's procedures first: with none there is nothing to fetch further.
    expect(server.requests.map((r) => r.path.split('?')[0])).toContain('/Procedure');
    expect(server.requests.every((r) => r.authorization === 'Bearer some-opaque-fhir-access-token')).toBe(true);
  });
});

/**
 * Every scenario through the hooks, and the golden cases (../shared/cases) too when they are beside the repository.
 * Charges are reconciled by the API and the CLI, not at the hooks: the scenarios on charges are left out.
 */
const hookCases = [
  ...allScenarios().filter((c) => !resourcesOf(c).some((r) => r.resourceType === 'ChargeItem')),
  ...(sharedAvailable ? goldenCases(CASES_DIR) : []),
];
const orderCases = hookCases.filter((c) => c.expected.orders.length > 0);
const sessionCases = hookCases.filter((c) => c.expected.sessions.length > 0);

describe.each(orderCases.map((c) => [c.name, c] as const))('order-sign, case %s', (_name, golden) => {
  it('with prefetch: an expected-level card and a card per expected finding', async () => {
    const res = await request(app)
      .post(ORDER_SIGN)
      .send(orderSignRequest(golden, { prefetch: true }));
    expect(res.status).toBe(200);
    const cards: Card[] = res.body.cards;
    cards.forEach(expectSpecConformantCard);
    for (const expected of golden.expected.orders) {
      // The expected-level card (information cards on); concern cards come first, most urgent on top.
      const determination = orderOf(expectedCardOf(cards, expected.order)!);
      const mine = cards.filter((c) => concerns(c, expected.order));
      expect(determination.expectedDeliveryCode).toBe(expected.expectedDeliveryCode);
      for (const rule of expected.findingRules) expect(determination.findings.map((f) => f.rule)).toContain(rule);
      for (const rule of expected.findingRules.filter((r) => determination.findings.find((f) => f.rule === r)?.severity !== 'info'))
        expect(topics(mine)).toContain(rule);
      // A card about this order alone opens the reviewer app on it; a card naming several orders opens the patient.
      for (const card of mine.filter((c) => subjectsOf(c) <= 1))
        expect(card.links?.some((l) => l.type === 'smart' && JSON.parse(l.appContext!).order === expected.order)).toBe(true);
    }
  });

  it('without prefetch, fetched from fhirServer: the same cards', async () => {
    const hookInstance = '3b0d4f8e-6a55-4c5e-9a3c-2f1d7c0e9b11';
    const withPrefetch = await request(app)
      .post(ORDER_SIGN)
      .send(orderSignRequest(golden, { prefetch: true, hookInstance }));
    const server = mockFhirServer(EHR, resourcesOf(golden));
    const fetched = await request(app)
      .post(ORDER_SIGN)
      .send(orderSignRequest(golden, { prefetch: false, fhirServer: EHR, hookInstance }));
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(withPrefetch.body);
    expect(server.requests.map((r) => r.path.split('?')[0])).toEqual(
      expect.arrayContaining(['/fhir/Coverage', '/fhir/Claim', '/fhir/ClaimResponse']),
    );
  });
});

describe.each(sessionCases.map((c) => [c.name, c] as const))('encounter-discharge, case %s', (_name, golden) => {
  const encounters = [
    ...new Set(
      resourcesOf(golden)
        .filter((r) => r.resourceType === 'Procedure' && r.status === 'completed')
        .map((r) => (r.encounter as { reference: string }).reference.split('/')[1]!),
    ),
  ];

  it.each(encounters)('encounter %s, with prefetch: the codes card carries the expected determination', async (encounterId) => {
    const res = await request(app)
      .post(DISCHARGE)
      .send(encounterDischargeRequest(golden, encounterId, { prefetch: true }));
    expect(res.status).toBe(200);
    const cards: Card[] = res.body.cards;
    cards.forEach(expectSpecConformantCard);
    // The codes card (information cards on), wherever the most urgent cards put it.
    const codes = codesCardOf(cards)!;
    const session = sessionOf(codes);
    expect(session.encounter).toBe(`Encounter/${encounterId}`);
    const expected = golden.expected.sessions.find((s) => s.fractions.every((f) => session.fractions.includes(f)))!;
    expect({ d: session.deliveryCode, s: session.supportedDeliveryCode, p: session.igrtProfessional, st: session.igrtStatus }).toEqual({
      d: expected.deliveryCode,
      s: expected.supportedDeliveryCode,
      p: expected.igrtProfessional,
      st: expected.igrtStatus,
    });
    for (const rule of expected.findingRules) expect(session.findings.map((f) => f.rule)).toContain(rule);
    for (const rule of expected.absentFindingRules) expect(session.findings.map((f) => f.rule)).not.toContain(rule);
    const problems = session.findings.filter((f) => f.severity !== 'info' && f.rule !== 'D-UNKNOWN').map((f) => f.rule);
    // Cards about a phase summary (D-COUNT, D-SUMMARY: scenario x6) are the phase's, not the session's.
    expect(new Set(topics(cards.filter((c) => c !== codes && !aboutPhases(c))))).toEqual(new Set(problems));
    expect(codes.source.topic).toMatchObject({ system: RULE_TOPIC_SYSTEM, code: session.supportedDeliveryRule });
  });

  it.each(encounters)('encounter %s: prefetch and fhirServer give the same cards', async (encounterId) => {
    const hookInstance = '7f3e2a10-1b2c-4d5e-8f90-a1b2c3d4e5f6';
    mockFhirServer(EHR, resourcesOf(golden));
    const withPrefetch = await request(app)
      .post(DISCHARGE)
      .send(encounterDischargeRequest(golden, encounterId, { prefetch: true, fhirServer: EHR, hookInstance }));
    const fetched = await request(app)
      .post(DISCHARGE)
      .send(encounterDischargeRequest(golden, encounterId, { prefetch: false, fhirServer: EHR, hookInstance }));
    expect(fetched.status).toBe(200);
    expect(fetched.body.cards.length).toBeGreaterThan(0);
    expect(fetched.body).toEqual(withPrefetch.body);
  });
});

/** The orders a card is about: its determination part's order, or each subject's of a concern card. */
function concerns(card: Card, order: string): boolean {
  const part = card.extension?.[DETERMINATION_EXTENSION] as { order?: string; subjects?: { order?: string }[] } | undefined;
  return part?.order === order || (part?.subjects ?? []).some((s) => s.order === order);
}
/** A card whose determination part is a phase summary's (or names only phase summaries). */
function aboutPhases(card: Card): boolean {
  const part = card.extension?.[DETERMINATION_EXTENSION] as { phase?: string; subjects?: { phase?: string }[] } | undefined;
  return part?.phase !== undefined || (part?.subjects !== undefined && part.subjects.length > 0 && part.subjects.every((s) => s.phase));
}
const subjectsOf = (card: Card) => ((card.extension?.[DETERMINATION_EXTENSION] as { subjects?: unknown[] }).subjects ?? []).length;

describe('order-sign: a course order listing several techniques (D-COURSE)', () => {
  it('no code of its own; the card says where each combination is coded, and the detail codes each', async () => {
    const res = await request(app)
      .post(ORDER_SIGN)
      .send(orderSignRequest(scenario('a3'), { prefetch: true }));
    expect(res.status).toBe(200);
    const card = (res.body.cards as Card[]).find((c) => c.source.topic?.code === 'D-COURSE')!;
    expect(card.summary).toBe(
      'Course order lists several modalities or techniques: no delivery code of its own (what each combination describes is in the detail)',
    );
    expect(card.detail).toMatch(/Each describes: photons .*IMRT\/VMAT.* 77407 \(D-2\); photons 3D-CRT 77407 \(D-2\)/);
  });
});

describe('encounter-discharge: tracking with no guidance record to sign (the EHR has no AMM records: null)', () => {
  it('the I-SIGN card speaks of the tracking record, not of image approvals the session never had', async () => {
    const golden = scenario('am');
    const res = await request(app)
      .post(DISCHARGE)
      .send(encounterDischargeRequest(golden, 'am-enc-1', { prefetch: { nulls: ['ammRecords', 'ammRecordSignatures'] } }));
    expect(res.status).toBe(200);
    const card = (res.body.cards as Card[]).find((c) => c.source.topic?.code === 'I-SIGN')!;
    expect(card.detail).toContain('no guidance record');
    // The next fraction has begun (latestFractions): too late to sign, a billing notice rather than an alarm.
    expect(card.indicator).toBe('warning');
    expect(card.summary).toBe('Do not bill 77387-26 for the session of 2026-04-06: tracking was performed with no guidance record signed');
    expect(card.overrideReasons!.map((r) => r.code)).toEqual(['signed-elsewhere', 'billing-corrected']);
  });
});

describe('fetching from a server that ignores _revinclude', () => {
  it('fetches the signatures itself (Provenance?target=…) and still finds the approval', async () => {
    const golden = scenario('a2');
    const server = mockFhirServer(EHR, resourcesOf(golden), { revinclude: false });
    const res = await request(app)
      .post(DISCHARGE)
      .send(encounterDischargeRequest(golden, 'a2-enc-1', { prefetch: false, fhirServer: EHR }));
    expect(res.status).toBe(200);
    expect(sessionOf(codesCardOf(res.body.cards)!).igrtStatus).toBe('billable');
    const provenanceSearch = server.requests.find((r) => r.path.startsWith('/fhir/Provenance?target='));
    expect(decodeURIComponent(provenanceSearch?.path ?? '')).toContain('Procedure/a2-fx-1');
  });
});

describe('suggestions', () => {
  it('pending image approval, seen by a therapist: a Task for the physician', async () => {
    const golden = scenario('ig');
    const res = await request(app)
      .post(DISCHARGE)
      .send(encounterDischargeRequest(golden, 'ig-enc-2', { prefetch: true, userId: 'Practitioner/therapist-1' }));
    const card = (res.body.cards as Card[]).find((c) => c.source.topic?.code === 'I-SIGN')!;
    expect(card.indicator).toBe('warning');
    expect(card.selectionBehavior).toBe('at-most-one');
    expect(card.suggestions![0]!.actions[0]).toMatchObject({
      type: 'create',
      resource: { resourceType: 'Task', status: 'requested', focus: { reference: 'Procedure/ig-fx-2' } },
    });
  });

  it('authorization mismatch: a peer-to-peer request, or a draft preauthorization with the derived codes', async () => {
    const golden = scenario('au');
    const res = await request(app)
      .post(ORDER_SIGN)
      .send(orderSignRequest(golden, { prefetch: true }));
    const card = (res.body.cards as Card[]).find((c) => c.source.topic?.code === 'C-AUTH-MISMATCH')!;
    const resources = card.suggestions!.map((suggestion) => suggestion.actions[0]!.resource!);
    expect(resources.map((r) => r.resourceType)).toEqual(['CommunicationRequest', 'Claim']);
    const claim = resources[1] as { item: { productOrService: { coding: { code: string }[] }; modifier?: { coding: { code: string }[] }[] }[] };
    expect(claim.item.map((i) => [i.productOrService.coding[0]!.code, i.modifier?.[0]?.coding[0]?.code ?? null])).toEqual([
      ['77412', null],
      ['77387', '26'],
    ]);
    expect(card.overrideReasons!.length).toBeGreaterThan(0);
  });
});

describe('bad requests', () => {
  const golden = scenario('au');
  const valid = () => orderSignRequest(golden, { prefetch: true }) as Record<string, unknown>;

  it.each([
    ['wrong hook', () => ({ ...valid(), hook: 'patient-view' }), 'hook'],
    ['missing hookInstance', () => ({ ...valid(), hookInstance: undefined }), 'hookInstance'],
    ['hookInstance not a UUID', () => ({ ...valid(), hookInstance: '42' }), 'hookInstance'],
    ['missing context', () => ({ ...valid(), context: undefined }), 'context'],
    [
      'draftOrders not a Bundle',
      () => ({ ...valid(), context: { ...(valid().context as object), draftOrders: { resourceType: 'Patient' } } }),
      'context.draftOrders',
    ],
    [
      'a bad draft order',
      () => ({
        ...valid(),
        context: {
          ...(valid().context as object),
          draftOrders: { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'ServiceRequest', status: 'signed' } }] },
        },
      }),
      'context.draftOrders.entry[0].resource.status',
    ],
    [
      'fhirAuthorization without fhirServer',
      () => ({ ...valid(), fhirAuthorization: { access_token: 'x', token_type: 'Bearer', expires_in: 1, scope: 's', subject: 'c' } }),
      'fhirServer',
    ],
    ['a bad prefetch resource', () => ({ ...valid(), prefetch: { coverage: { resourceType: 'Coverage', status: 'active' } } }), 'prefetch.coverage'],
  ])('%s → 400 naming %s', async (_label, body, field) => {
    const res = await request(app).post(ORDER_SIGN).send(body());
    expect(res.status).toBe(400);
    expect(res.body.issue.flatMap((i: { expression: string[] }) => i.expression).join(' ')).toContain(field);
  });

  it('malformed JSON → 400', async () => {
    const res = await request(app).post(ORDER_SIGN).set('Content-Type', 'application/json').send('{"hook":');
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('unknown service → 404', async () => {
    const res = await request(app).post('/cds-services/nope').send(valid());
    expect(res.status).toBe(404);
  });

  it('oversized body → 413', async () => {
    const { app: small } = testApp({ BODY_LIMIT: '10kb' });
    const body = { ...valid(), padding: 'x'.repeat(20_000) };
    expect((await request(small).post(ORDER_SIGN).send(body)).status).toBe(413);
  });

  it("encounter-discharge: the session's procedures neither prefetched nor fetchable → 412 Precondition Failed", async () => {
    const res = await request(app)
      .post(DISCHARGE)
      .send(encounterDischargeRequest(scenario('a1'), 'a1-enc-1', { prefetch: { omit: ['sessionProcedures', 'fractionSignatures'] } }));
    expect(res.status).toBe(412);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].diagnostics).toContain('sessionProcedures');
  });

  it("encounter-discharge: sessionProcedures omitted but fractionSignatures sent → the session's Procedures are taken from it", async () => {
    const res = await request(app)
      .post(DISCHARGE)
      .send(encounterDischargeRequest(scenario('a1'), 'a1-enc-1', { prefetch: { omit: ['sessionProcedures'] } }));
    expect(res.status).toBe(200);
    expect((res.body.cards as Card[])[0]!.summary).toContain('Bill 77402');
  });

  it('order-sign without prefetch or fhirServer: cards still, authorizations "could not be checked"', async () => {
    const res = await request(app)
      .post(ORDER_SIGN)
      .send(orderSignRequest(golden, { prefetch: false }));
    expect(res.status).toBe(200);
    // Information (shown because the suite turns information cards on): nothing the physician can do about it.
    const card = (res.body.cards as Card[]).find((c) => c.source.topic?.code === 'C-AUTH-APPLIES')!;
    expect(card.indicator).toBe('info');
    expect(card.summary).toContain('could not be checked');
  });

  it('a prefetch value that is an OperationOutcome is fetched; null means no data and is not', async () => {
    const server = mockFhirServer(EHR, resourcesOf(golden));
    const body = orderSignRequest(golden, { prefetch: true, fhirServer: EHR }) as { prefetch: Record<string, unknown> };
    body.prefetch.coverage = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing' }] };
    body.prefetch.preauthorizations = null;
    const res = await request(app).post(ORDER_SIGN).send(body);
    expect(res.status).toBe(200);
    const paths = server.requests.map((r) => r.path.split('?')[0]);
    expect(paths).toContain('/fhir/Coverage');
    expect(paths).not.toContain('/fhir/Claim');
    expect(paths).not.toContain('/fhir/ClaimResponse');
  });

  it.each([
    ['a 500', () => nock('https://ehr.example.org').get(/.*/).reply(500, 'oops').persist()],
    ['a timeout', () => nock('https://ehr.example.org').get(/.*/).delay(1000).reply(200, {}).persist()],
    ['a redirect', () => nock('https://ehr.example.org').get(/.*/).reply(302, '', { location: 'https://evil.example.com/' }).persist()],
    ['not JSON', () => nock('https://ehr.example.org').get(/.*/).reply(200, '<html>').persist()],
  ])('the FHIR server answers with %s → 412 with a clear error and no cards', async (_label, mock) => {
    mock();
    const { app: quick } = testApp({ FHIR_TIMEOUT_MS: '300' });
    const res = await request(quick)
      .post(DISCHARGE)
      .send(encounterDischargeRequest(scenario('a1'), 'a1-enc-1', { prefetch: false, fhirServer: EHR }));
    expect(res.status).toBe(412);
    expect(res.body.cards).toBeUndefined();
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].diagnostics).toMatch(/FHIR server/);
  });
});
