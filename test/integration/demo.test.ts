import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startService, type RunningService } from '../../src/start.js';
import { codesCardOf, expectedCardOf, orderOf, sessionOf } from '../helpers/cards.js';
import { demoPatient, scenario } from '../helpers/cases.js';

/**
 * The embedded demo as `npm start` runs it: hooks called with fhirServer = its own Medplum in-memory server (no
 * prefetch, and a server that ignores _revinclude), compared with the scenarios the demo patients come from (scripts/make-fixtures.mjs).
 * Information cards are on here so that every session's determination travels on its codes card.
 */
let service: RunningService;
beforeAll(async () => {
  service = await startService(
    loadConfig({ PORT: '0', DEMO: 'on', CDS_INFO_CARDS: 'on', FEEDBACK_DB_PATH: ':memory:', LOG_LEVEL: 'silent' }),
    pino({ level: 'silent' }),
  );
}, 30_000);
afterAll(() => service.close());

const hook = (id: string, context: Record<string, unknown>) =>
  request(service.url)
    .post(`/cds-services/${id}`)
    .send({ hook: id.replace('rt-billing-', ''), hookInstance: crypto.randomUUID(), fhirServer: `${service.url}/fhir`, context });

describe('the demo loop (Medplum in-memory FHIR server)', () => {
  it('lists a patient per ACRO scenario and the unsigned-images patient', async () => {
    const res = await request(service.url).get('/demo/patients');
    expect(res.status).toBe(200);
    expect(res.body.patients.map((p: { title: string }) => p.title)).toEqual(
      expect.arrayContaining(['ACRO scenario 1', 'ACRO scenario 2', 'ACRO scenario 3', 'ACRO scenario 4', 'ACRO scenario 5', 'Unsigned images']),
    );
    const launch = await request(service.url).get('/smart-app/launch.html');
    expect(launch.status).toBe(200);
  });

  it.each([
    ['a1', 'a1-enc-1'],
    ['a2', 'a2-enc-1'],
    ['a4', 'a4-enc-2'],
    ['a5', 'a5-enc-1'],
    ['ig', 'ig-enc-2'],
    ['am', 'am-enc-1'],
  ])('encounter-discharge for demo %s (%s) gives the scenario’s determination', async (tag, encounter) => {
    const golden = scenario(tag);
    const res = await hook('rt-billing-encounter-discharge', {
      userId: 'Practitioner/demo',
      patientId: demoPatient(tag),
      encounterId: encounter,
    });
    expect(res.status).toBe(200);
    const session = sessionOf(codesCardOf(res.body.cards)!);
    const expected = golden.expected.sessions.find((s) => s.fractions.every((f) => session.fractions.includes(f)))!;
    expect(expected).toBeDefined();
    expect([session.deliveryCode, session.supportedDeliveryCode, session.igrtProfessional, session.igrtStatus]).toEqual([
      expected.deliveryCode,
      expected.supportedDeliveryCode,
      expected.igrtProfessional,
      expected.igrtStatus,
    ]);
    for (const rule of expected.findingRules) expect(session.findings.map((f) => f.rule)).toContain(rule);
    expect(session.estimate?.setting).toBe('non-facility'); // Location fetched from the server
  });

  it('order-sign for the authorization-mismatch patient', async () => {
    const bundle = (await request(service.url).get(`/fhir/ServiceRequest?patient=Patient/${demoPatient('au')}`)).body as {
      entry: { resource: Record<string, unknown> }[];
    };
    const drafts = bundle.entry.map((e) => ({ resource: { ...e.resource, status: 'draft' } }));
    const res = await hook('rt-billing-order-sign', {
      userId: 'Practitioner/demo',
      patientId: demoPatient('au'),
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: drafts },
    });
    expect(res.status).toBe(200);
    const order = orderOf(expectedCardOf(res.body.cards)!);
    expect(order.expectedDeliveryCode).toBe('77412');
    expect(res.body.cards.map((c: { source: { topic: { code: string } } }) => c.source.topic.code)).toContain('C-AUTH-MISMATCH');
  });
});
