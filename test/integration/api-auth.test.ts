import nock from 'nock';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.js';
import { errorText, issueLocations, refusalCode } from '../helpers/errors.js';
import { scenario } from '../helpers/cases.js';
import { ISSUER, JWKS_URL } from '../helpers/jwt.js';

/**
 * The direct API's SMART-token check, attacked as in issue 14: a production configuration (client
 * authentication, an allowlist, an API key) and an EHR that answers /metadata to anyone.
 */
const KEY = 'integration-engine-key-0123456789';
const BASE = 'https://ehr.example.org/fhir';
const bundle = scenario('a1').bundle as object;
const production = () =>
  testApp({
    NODE_ENV: 'production',
    CDS_TRUSTED_ISSUERS: JSON.stringify({ [ISSUER]: JWKS_URL }),
    API_KEYS: KEY,
    FHIR_SERVER_ALLOWLIST: BASE,
  }).app;

/** The EHR: /metadata answers anyone (as FHIR servers do); Patient/A answers token-for-A only. */
function ehr() {
  const seen: string[] = [];
  nock('https://ehr.example.org')
    .persist()
    .get(/.*/)
    .reply(function reply(uri) {
      seen.push(uri);
      const token = this.req.headers.authorization;
      if (uri.startsWith('/fhir/metadata')) return [200, { resourceType: 'CapabilityStatement' }];
      if (uri === '/fhir/Patient/A' && token === 'Bearer token-for-A') return [200, { resourceType: 'Patient', id: 'A' }];
      if (uri.startsWith('/fhir/.well-known')) return [404, {}];
      return [403, { resourceType: 'OperationOutcome' }];
    });
  return seen;
}

const evaluate = (app: ReturnType<typeof production>, headers: Record<string, string>, body: unknown = bundle) =>
  request(app)
    .post('/api/v1/evaluate')
    .set(headers)
    .send(body as object);

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('the SMART-token check of the direct API cannot be bypassed', () => {
  it.each([
    ['…/metadata? (the check would read /metadata)', `${BASE}/metadata?`],
    ['…/metadata# (the same with a fragment)', `${BASE}/metadata#`],
    ['the allowed origin with another path', 'https://ehr.example.org/'],
    ['a query string', `${BASE}?_format=json`],
  ])('X-FHIR-Server %s with any bearer string → 403, and the EHR is never asked', async (_label, server) => {
    const seen = ehr();
    const res = await evaluate(production(), { authorization: 'Bearer anything-at-all', 'x-fhir-server': server, 'x-patient-id': 'B' });
    expect(res.status).toBe(403);
    expect(refusalCode(res.body)).toBe('fhir-server-not-allowed');
    expect(errorText(res.body)).toContain('FHIR_SERVER_ALLOWLIST');
    expect(seen).toEqual([]);
  });

  it('a token for patient A is not accepted as patient B (…/Patient/A# in X-FHIR-Server)', async () => {
    const seen = ehr();
    const app = production();
    const trick = await evaluate(app, { authorization: 'Bearer token-for-A', 'x-fhir-server': `${BASE}/Patient/A#`, 'x-patient-id': 'B' });
    expect(trick.status).toBe(403);
    const honest = await evaluate(app, { authorization: 'Bearer token-for-A', 'x-fhir-server': BASE, 'x-patient-id': 'B' });
    expect(honest.status).toBe(401);
    expect(refusalCode(honest.body)).toBe('token-refused');
    expect(seen.filter((uri) => uri.includes('/Patient/'))).toEqual(['/fhir/Patient/B']); // exactly <base>/Patient/<id>
    expect((await evaluate(app, { authorization: 'Bearer token-for-A', 'x-fhir-server': BASE, 'x-patient-id': 'A' })).status).toBe(200);
  });

  it.each(['..', '.', '../metadata', 'A/../../metadata', '%2e%2e', 'A?x=1', 'A#', ''])(
    'X-Patient-Id %j → 400 naming the header, EHR not asked',
    async (patient) => {
      const seen = ehr();
      const res = await evaluate(production(), { authorization: 'Bearer token-for-A', 'x-fhir-server': BASE, 'x-patient-id': patient });
      expect(res.status).toBe(400);
      expect(issueLocations(res.body)[0]).toMatch(/^X-Patient-Id \(header\): /);
      expect(seen).toEqual([]);
    },
  );

  it('a refused caller never has its body read: bad JSON gets 401, not 400; 5 MB through the old bypass gets 403, not an evaluation', async () => {
    ehr();
    const app = production();
    const bad = await request(app).post('/api/v1/evaluate').set('content-type', 'application/json').send('{"not json');
    expect(bad.status).toBe(401);
    const big = JSON.stringify({ resourceType: 'Bundle', type: 'collection', padding: 'x'.repeat(4_900_000) });
    const res = await request(app)
      .post('/api/v1/evaluate')
      .set({ 'content-type': 'application/fhir+json', authorization: 'Bearer x', 'x-fhir-server': `${BASE}/metadata?`, 'x-patient-id': 'B' })
      .send(big);
    expect(res.status).toBe(403);
  });

  it('an expired token (as the app reports it) is refused without asking the EHR', async () => {
    const seen = ehr();
    const res = await evaluate(production(), {
      authorization: 'Bearer token-for-A',
      'x-fhir-server': BASE,
      'x-patient-id': 'A',
      'x-token-expires-at': String(Math.floor(Date.now() / 1000) - 1),
    });
    expect(res.status).toBe(401);
    expect(refusalCode(res.body)).toBe('token-expired');
    expect(seen).toEqual([]);
  });

  it('a FHIR server that does not answer the check is told apart from a refused token (502, its own code)', async () => {
    nock('https://ehr.example.org').get(/.*/).reply(503, 'maintenance').persist();
    const res = await evaluate(production(), { authorization: 'Bearer token-for-A', 'x-fhir-server': BASE, 'x-patient-id': 'A' });
    expect(res.status).toBe(502);
    expect(refusalCode(res.body)).toBe('fhir-server-unavailable');
  });
});
