import type { Express } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.js';
import { scenario } from '../helpers/cases.js';
import { encounterDischargeRequest } from '../helpers/hook-requests.js';

/**
 * Answers that carry patient data, or echo what was posted, must not be kept by a browser, a proxy or a shared
 * cache on the hospital network: `Cache-Control: no-store` on each (RFC 9111 §5.2.2.5). The reviewer app's own
 * files may still be cached.
 */
const golden = scenario('ig');
const bundle = golden.bundle as { entry: { resource: { resourceType: string; id?: string } }[] };
const SERVICE = '/cds-services/rt-billing-encounter-discharge';
const ndjson = `${bundle.entry.map(({ resource }) => JSON.stringify(resource)).join('\n')}\n`;
/** The Bundle with one fraction's status made invalid: the 400 names it (and the resource it is in). */
const badBundle = () => {
  const copy = structuredClone(golden.bundle) as { entry: { resource: { resourceType: string; status?: string } }[] };
  copy.entry.find(({ resource }) => resource.resourceType === 'Procedure')!.resource.status = 'not-a-status';
  return copy;
};
const ADMIN_TOKEN = 'operator-token-0123456789';

const noStore = (res: request.Response) => {
  expect(res.headers['cache-control']).toBe('no-store');
};

describe('Cache-Control: no-store on every answer that carries patient data', () => {
  const { app } = testApp();
  const post = (path: string, body: unknown, type = 'application/fhir+json') =>
    request(app)
      .post(path)
      .set('content-type', type)
      .send(typeof body === 'string' ? body : JSON.stringify(body));

  it.each<[string, (app: Express) => Promise<request.Response>, number]>([
    ['a hook answer (cards)', () => post(SERVICE, encounterDischargeRequest(golden, 'ig-enc-2', { prefetch: true }), 'application/json'), 200],
    [
      'a hook error naming the input',
      () => post(SERVICE, { ...encounterDischargeRequest(golden, 'ig-enc-2', { prefetch: true }), hook: 'order-sign' }, 'application/json'),
      400,
    ],
    ['POST /api/v1/evaluate (a Bundle)', () => post('/api/v1/evaluate', golden.bundle), 200],
    ['POST /api/v1/evaluate (NDJSON)', () => post('/api/v1/evaluate', ndjson, 'application/fhir+ndjson'), 200],
    ['POST /api/v1/evaluate with a bad field (the 400 names it)', () => post('/api/v1/evaluate', badBundle()), 400],
    ['POST /api/v1/evaluate with bad JSON', () => post('/api/v1/evaluate', '{"resourceType": "Bundle",'), 400],
    ['POST /api/v1/report (a Bundle)', () => post('/api/v1/report', golden.bundle), 200],
    ['POST /api/v1/report (NDJSON)', () => post('/api/v1/report', ndjson, 'application/fhir+ndjson'), 200],
    ['POST /api/v1/report with a bad field', () => post('/api/v1/report', badBundle()), 400],
    ['a body of the wrong type', () => post('/api/v1/evaluate', 'x', 'text/plain'), 415],
    ['GET /api/v1/feedback', (a) => request(a).get('/api/v1/feedback'), 200],
    ['GET /api/v1/feedback with a bad parameter', (a) => request(a).get('/api/v1/feedback?limit=abc'), 400],
    ['a path that does not exist', (a) => request(a).get('/api/v1/patients/p1'), 404],
  ])('%s', async (_label, call, status) => {
    const res = await call(app);
    expect(res.status).toBe(status);
    noStore(res);
  });

  it('with client authentication: refusals and the operator reading feedback', async () => {
    const { app: production } = testApp({
      NODE_ENV: 'production',
      CDS_TRUSTED_ISSUERS: JSON.stringify({ 'https://ehr.example.org': 'https://ehr.example.org/jwks.json' }),
      FHIR_SERVER_ALLOWLIST: 'https://ehr.example.org/fhir',
      API_KEYS: 'integration-engine-key-0123456789',
      ADMIN_TOKEN,
    });
    const refused = await request(production).post('/api/v1/evaluate').set('content-type', 'application/fhir+json').send('{}');
    expect(refused.status).toBe(401);
    noStore(refused);
    const operator = await request(production).get('/api/v1/feedback').set('authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(operator.status).toBe(200);
    noStore(operator);
    const evaluated = await request(production)
      .post('/api/v1/evaluate')
      .set({ 'content-type': 'application/fhir+json', authorization: 'Bearer integration-engine-key-0123456789' })
      .send(JSON.stringify(golden.bundle));
    expect(evaluated.status).toBe(200);
    noStore(evaluated);
  });

  it("the reviewer app's files stay cacheable", async () => {
    const res = await request(app).get('/smart-app/index.html');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).not.toContain('no-store');
  });
});
