import nock from 'nock';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { scenario } from '../helpers/cases.js';
import { testApp } from '../helpers/app.js';
import { refusalCode } from '../helpers/errors.js';
import { clientToken, ISSUER, JWKS_URL, makeKey, serveJwks } from '../helpers/jwt.js';

/**
 * Issue 23: every request with a made-up token made the service introspect it with the EHR. Failed attempts are
 * now limited per client (AUTH_FAILURES_PER_MINUTE) before anything is sent, and a refused token is remembered, so
 * the same one is not introspected again. Over HTTP, against a production configuration and an EHR (nock) whose
 * authorization server introspects, as the SMART reference launcher's does.
 */
const PUBLIC = 'https://rt-billing.example.org';
const BASE = 'https://ehr.example.org/fhir';
const ADMIN_TOKEN = 'operator-token-0123456789';
const bundle = scenario('a1').bundle as object;
const production = (env: Record<string, string> = {}) =>
  testApp({
    NODE_ENV: 'production',
    PUBLIC_BASE_URL: PUBLIC,
    CDS_TRUSTED_ISSUERS: JSON.stringify({ [ISSUER]: JWKS_URL }),
    FHIR_SERVER_ALLOWLIST: BASE,
    ADMIN_TOKEN,
    ...env,
  }).app;

/** The EHR: introspection says active only for token-for-A (patient A), which also reads Patient/A. */
function ehr() {
  const counts = { introspections: 0, reads: 0 };
  nock('https://ehr.example.org')
    .persist()
    .get('/fhir/.well-known/smart-configuration')
    .reply(200, { introspection_endpoint: 'https://ehr.example.org/auth/introspect', token_endpoint: 'https://ehr.example.org/auth/token' })
    .post('/auth/introspect')
    .reply((_uri, body) => {
      counts.introspections += 1;
      const token = new URLSearchParams(String(body)).get('token');
      return [200, token === 'token-for-A' ? { active: true, patient: 'A', exp: Math.floor(Date.now() / 1000) + 3600 } : { active: false }];
    })
    .get(/^\/fhir\/Patient\//)
    .reply(function reply(uri) {
      counts.reads += 1;
      return uri === '/fhir/Patient/A' && this.req.headers.authorization === 'Bearer token-for-A'
        ? [200, { resourceType: 'Patient', id: 'A' }]
        : [403, { resourceType: 'OperationOutcome' }];
    });
  return counts;
}

/** The reviewer app's call: its SMART token with the FHIR server and the patient. */
const evaluate = (app: ReturnType<typeof production>, token: string, headers: Record<string, string> = {}) =>
  request(app)
    .post('/api/v1/evaluate')
    .set({ authorization: `Bearer ${token}`, 'x-fhir-server': BASE, 'x-patient-id': 'A', ...headers })
    .send(bundle);

const madeUp = (i: number) => `made-up-token-${i}-${Math.random().toString(36).slice(2)}`;
const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('made-up SMART tokens on the direct API', () => {
  it('50 made-up tokens at once from one client: at most AUTH_FAILURES_PER_MINUTE introspections, then 429 with Retry-After', async () => {
    const counts = ehr();
    const app = production({ AUTH_FAILURES_PER_MINUTE: '10' });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => evaluate(app, madeUp(i))));
    expect(counts.introspections).toBeLessThanOrEqual(10);
    expect(counts.reads).toBe(0); // introspection said inactive: no FHIR read either
    const statuses = answers.map((res) => res.status);
    expect(count(statuses, 401)).toBe(counts.introspections);
    expect(count(statuses, 429)).toBe(50 - counts.introspections);
    for (const res of answers.filter((r) => r.status === 429)) {
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(refusalCode(res.body)).toBe('too-many-attempts');
      expect(res.body.issue[0].code).toBe('throttled');
    }
  });

  it('a token the EHR accepted before the attack keeps working from the same address (it is known, no attempt needed)', async () => {
    ehr();
    const app = production({ AUTH_FAILURES_PER_MINUTE: '5' });
    expect((await evaluate(app, 'token-for-A')).status).toBe(200);
    for (let i = 0; i < 10; i++) await evaluate(app, madeUp(i));
    expect((await evaluate(app, madeUp(99))).status).toBe(429);
    expect((await evaluate(app, 'token-for-A')).status).toBe(200);
  });

  it('without TRUST_PROXY, X-Forwarded-For cannot spread the attempts over made-up clients', async () => {
    const counts = ehr();
    const app = production({ AUTH_FAILURES_PER_MINUTE: '10' });
    for (let i = 0; i < 50; i++) await evaluate(app, madeUp(i), { 'x-forwarded-for': `198.51.100.${i}` });
    expect(counts.introspections).toBeLessThanOrEqual(10);
  });

  it('with TRUST_PROXY, each client behind the proxy has its own: the attacker is held back, a reviewer elsewhere is not', async () => {
    const counts = ehr();
    const app = production({ AUTH_FAILURES_PER_MINUTE: '10', TRUST_PROXY: 'loopback' });
    const attacker = { 'x-forwarded-for': '203.0.113.7' };
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await evaluate(app, madeUp(i), attacker)).status);
    expect(counts.introspections).toBe(10);
    expect(count(statuses, 429)).toBe(40);
    expect((await evaluate(app, 'token-for-A', { 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
  });

  it('the same made-up token over and over is introspected once: refusals are remembered (limit off here)', async () => {
    const counts = ehr();
    const app = production({ AUTH_FAILURES_PER_MINUTE: '0' });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await evaluate(app, 'the-same-made-up-token')).status);
    expect(statuses).toEqual(Array(20).fill(401));
    expect(counts.introspections).toBe(1);
  });

  it('AUTH_FAILURES_PER_MINUTE=0 turns the limit off: 50 made-up tokens, 50 introspections, never a 429', async () => {
    const counts = ehr();
    const app = production({ AUTH_FAILURES_PER_MINUTE: '0' });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => evaluate(app, madeUp(i))));
    expect(answers.map((res) => res.status)).toEqual(Array(50).fill(401));
    expect(counts.introspections).toBe(50);
  });
});

describe('the other authenticated paths: refusals use the same attempts', () => {
  const key = makeKey('ES384');

  it.each<[string, (app: ReturnType<typeof production>) => request.Test, (app: ReturnType<typeof production>) => request.Test]>([
    [
      'CDS Hooks discovery with a bad JWT',
      (app) => request(app).get('/cds-services').set('authorization', 'Bearer not-a-jwt'),
      (app) =>
        request(app)
          .get('/cds-services')
          .set('authorization', `Bearer ${clientToken(key, `${PUBLIC}/cds-services`)}`),
    ],
    [
      'a CDS Hooks call with a bad JWT',
      (app) => request(app).post('/cds-services/rt-billing-order-sign').set('authorization', 'Bearer not-a-jwt').send({}),
      (app) => request(app).get('/cds-services'),
    ],
    [
      'GET /api/v1/feedback with a wrong admin token',
      (app) => request(app).get('/api/v1/feedback').set('authorization', 'Bearer wrong-operator-token-0123'),
      (app) => request(app).get('/api/v1/feedback').set('authorization', `Bearer ${ADMIN_TOKEN}`),
    ],
    [
      'GET /metrics with a wrong admin token',
      (app) => request(app).get('/metrics').set('authorization', 'Bearer wrong-operator-token-0123'),
      (app) => request(app).get('/metrics').set('authorization', `Bearer ${ADMIN_TOKEN}`),
    ],
  ])('%s: 401 five times, then 429 with Retry-After; right credentials still pass', async (_label, wrong, right) => {
    serveJwks([key]);
    const app = production({ AUTH_FAILURES_PER_MINUTE: '5' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await wrong(app)).status);
    expect(statuses).toEqual(Array(5).fill(401));
    const held = await wrong(app);
    expect(held.status).toBe(429);
    expect(Number(held.headers['retry-after'])).toBeGreaterThanOrEqual(10); // one attempt back every 12 s at 5 a minute
    expect(Number(held.headers['retry-after'])).toBeLessThanOrEqual(12);
    expect(held.body.issue[0].code).toBe('throttled');
    expect((await right(app)).status).toBe(200);
  });
});

describe('the settings', () => {
  it('AUTH_FAILURES_PER_MINUTE is 30 by default, 0 or more; TRUST_PROXY is a hop count or proxies, else the start stops naming it', () => {
    expect(loadConfig({}).AUTH_FAILURES_PER_MINUTE).toBe(30);
    expect(() => loadConfig({ AUTH_FAILURES_PER_MINUTE: '-1' })).toThrow(/AUTH_FAILURES_PER_MINUTE/);
    expect(() => loadConfig({ AUTH_FAILURES_PER_MINUTE: 'lots' })).toThrow(/AUTH_FAILURES_PER_MINUTE/);
    expect(loadConfig({}).TRUST_PROXY).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, 2001:db8::/32' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8', '2001:db8::/32']);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY: "everyone" is not/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
  });
});
