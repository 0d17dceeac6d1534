import { outcome } from '../../src/errors.js';
import { createHmac } from 'node:crypto';
import nock from 'nock';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { testApp } from '../helpers/app.js';
import { errorText, refusalCode } from '../helpers/errors.js';
import { scenario } from '../helpers/cases.js';
import { encounterDischargeRequest, orderSignRequest } from '../helpers/hook-requests.js';
import { clientToken, ISSUER, JWKS_URL, makeKey, serveJwks } from '../helpers/jwt.js';

const BASE = 'https://rt-billing.example.org';
const SERVICE = '/cds-services/rt-billing-order-sign';
const AUD = `${BASE}${SERVICE}`;
const es384 = makeKey('ES384');
const rs384 = makeKey('RS384');
const outsider = makeKey('ES384', es384.kid); // same kid, a key the EHR never published
const body = () => orderSignRequest(scenario('au'), { prefetch: true });
const { app } = testApp({ CDS_TRUSTED_ISSUERS: JSON.stringify({ [ISSUER]: JWKS_URL }), PUBLIC_BASE_URL: BASE });

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  serveJwks([es384, rs384]);
});
afterAll(() => nock.cleanAll());

const call = (token?: string) => {
  const req = request(app).post(SERVICE);
  return (token ? req.set('Authorization', `Bearer ${token}`) : req).send(body());
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('CDS Hooks client JWT', () => {
  it('accepts a valid ES384 token', async () => {
    const res = await call(clientToken(es384, AUD));
    expect(res.status).toBe(200);
    expect(res.body.cards.length).toBeGreaterThan(0);
  });

  it('accepts a valid RS384 token', async () => {
    expect((await call(clientToken(rs384, AUD))).status).toBe(200);
  });

  it('refuses a replayed jti', async () => {
    const token = clientToken(es384, AUD);
    expect((await call(token)).status).toBe(200);
    const replay = await call(token);
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual(outcome('login', 'token replayed'));
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['no token', () => undefined, 'bearer token required'],
    ['an expired token', () => clientToken(es384, AUD, { iat: now() - 600, exp: now() - 120 }), 'token expired'],
    ['a wrong aud', () => clientToken(es384, `${BASE}/cds-services/rt-billing-encounter-discharge`), 'wrong audience'],
    ['an untrusted iss', () => clientToken(es384, AUD, { iss: 'https://evil.example.com' }), 'untrusted issuer'],
    ['a jku outside the allow-list', () => clientToken(es384, AUD, {}, { jku: 'https://evil.example.com/jwks.json' }), 'jku not allowed'],
    [
      'alg none',
      () => `${b64({ alg: 'none', typ: 'JWT', kid: es384.kid })}.${b64({ iss: ISSUER, aud: AUD, exp: now() + 60, iat: now(), jti: 'x' })}.`,
      'algorithm not allowed',
    ],
    [
      'HS256 signed with the public key',
      () => {
        const head = b64({ alg: 'HS256', typ: 'JWT', kid: es384.kid });
        const payload = b64({ iss: ISSUER, aud: AUD, exp: now() + 60, iat: now(), jti: 'hs' });
        const secret = es384.publicKey.export({ format: 'pem', type: 'spki' });
        return `${head}.${payload}.${createHmac('sha256', secret).update(`${head}.${payload}`).digest('base64url')}`;
      },
      'algorithm not allowed',
    ],
    [
      'a tampered payload',
      () => {
        const [head, , signature] = clientToken(es384, AUD).split('.');
        return `${head}.${b64({ iss: ISSUER, sub: 'attacker', aud: AUD, exp: now() + 60, iat: now(), jti: 'tampered' })}.${signature}`;
      },
      'invalid signature',
    ],
    ['a key the issuer never published', () => clientToken(outsider, AUD), 'invalid signature'],
    ['a token living longer than 5 minutes', () => clientToken(es384, AUD, { exp: now() + 3600 }), 'token lifetime too long'],
    ['no kid', () => clientToken(es384, AUD, {}, { kid: undefined }), 'kid missing'],
    ['typ not JWT', () => clientToken(es384, AUD, {}, { typ: 'at+jwt' }), 'typ must be JWT'],
    ['no jti', () => clientToken(es384, AUD, { jti: undefined }), 'jti missing'],
    ['an unknown kid', () => clientToken({ ...es384, kid: 'rotated-away' }, AUD), 'unknown signing key'],
    ['garbage', () => 'not.a.jwt', 'malformed token'],
  ])('refuses %s with 401', async (_label, token, reason) => {
    const res = await call(token());
    expect(res.status).toBe(401);
    expect(res.body).toEqual(outcome('login', reason));
    expect(res.headers['www-authenticate']).toContain('Bearer');
  });

  it('feedback needs a token too (aud: the service or its feedback URL)', async () => {
    const cards = await call(clientToken(es384, AUD));
    const feedback = { feedback: [{ card: cards.body.cards[0].uuid, outcome: 'accepted', outcomeTimestamp: '2026-04-13T12:00:00Z' }] };
    expect((await request(app).post(`${SERVICE}/feedback`).send(feedback)).status).toBe(401);
    const ok = await request(app)
      .post(`${SERVICE}/feedback`)
      .set('Authorization', `Bearer ${clientToken(es384, `${AUD}/feedback`)}`)
      .send(feedback);
    expect(ok.status).toBe(200);
  });

  it('discovery is public; a token sent with it is checked against the discovery URL', async () => {
    expect((await request(app).get('/cds-services')).status).toBe(200);
    expect(
      (
        await request(app)
          .get('/cds-services')
          .set('Authorization', `Bearer ${clientToken(es384, `${BASE}/cds-services`)}`)
      ).status,
    ).toBe(200);
    expect(
      (
        await request(app)
          .get('/cds-services')
          .set('Authorization', `Bearer ${clientToken(es384, AUD)}`)
      ).status,
    ).toBe(401);
  });

  it('never logs the token or the FHIR access token', async () => {
    const { app: logged, lines } = testApp({ CDS_TRUSTED_ISSUERS: JSON.stringify({ [ISSUER]: JWKS_URL }), PUBLIC_BASE_URL: BASE });
    const token = clientToken(es384, AUD);
    mockEmptyEhr();
    await request(logged)
      .post(SERVICE)
      .set('Authorization', `Bearer ${token}`)
      .send(orderSignRequest(scenario('au'), { prefetch: false, fhirServer: 'https://ehr.example.org/fhir' }));
    const log = lines.join('\n');
    expect(log).toContain('client authenticated');
    expect(log).not.toContain(token.split('.')[2]);
    expect(log).not.toContain('test-access-token');
  });
});

function mockEmptyEhr() {
  nock('https://ehr.example.org')
    .get(/^\/fhir\//)
    .reply(200, { resourceType: 'Bundle', type: 'searchset' })
    .persist();
}

describe('modes', () => {
  it('production without CDS_TRUSTED_ISSUERS refuses to start', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/CDS_TRUSTED_ISSUERS/);
  });

  it.each([
    ['not JSON', '{'],
    ['a JWKS URL that is not a URL', '{"https://ehr.example.org":"jwks"}'],
  ])('CDS_TRUSTED_ISSUERS %s stops the start, naming it', (_label, value) => {
    expect(() => loadConfig({ CDS_TRUSTED_ISSUERS: value })).toThrow(/CDS_TRUSTED_ISSUERS/);
  });

  it('HS256 cannot be allowed', () => {
    expect(() => loadConfig({ CDS_JWT_ALGORITHMS: 'HS256' })).toThrow(/CDS_JWT_ALGORITHMS/);
  });

  it('the demo runs without authentication', async () => {
    const { app: demo } = testApp();
    expect((await request(demo).post(SERVICE).send(body())).status).toBe(200);
  });
});

describe('outbound fetches', () => {
  it('a fhirServer outside FHIR_SERVER_ALLOWLIST is refused with 400 and never contacted', async () => {
    const { app: strict } = testApp({ FHIR_SERVER_ALLOWLIST: 'https://ehr.example.org' });
    const scope = nock('https://other.example.org').get(/.*/).reply(200, {});
    const res = await request(strict)
      .post(SERVICE)
      .send(orderSignRequest(scenario('au'), { prefetch: false, fhirServer: 'https://other.example.org/fhir' }));
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression).toEqual(['fhirServer']);
    expect(scope.isDone()).toBe(false);
    nock.cleanAll();
  });

  it('a fhirServer that is not http(s) is refused', async () => {
    const res = await request(app)
      .post(SERVICE)
      .set('Authorization', `Bearer ${clientToken(es384, AUD)}`)
      .send({ ...body(), fhirServer: 'file:///etc/passwd' });
    expect(res.status).toBe(400);
  });

  it('a response larger than the limit fails the call with 412', async () => {
    const { app: small } = testApp({ FHIR_MAX_RESPONSE_BYTES: '2048' });
    nock('https://ehr.example.org')
      .get(/.*/)
      .reply(200, { resourceType: 'Bundle', padding: 'x'.repeat(10_000) })
      .persist();
    const res = await request(small)
      .post('/cds-services/rt-billing-encounter-discharge')
      .send(encounterDischargeRequest(scenario('a1'), 'a1-enc-1', { prefetch: false, fhirServer: 'https://ehr.example.org/fhir' }));
    expect(res.status).toBe(412);
    expect(errorText(res.body)).toMatch(/could not read .* from the FHIR server/);
    nock.cleanAll();
    serveJwks([es384, rs384]);
  });
});

describe('direct API authentication', () => {
  const KEY = 'integration-engine-key-0123456789';
  const bundle = scenario('a1').bundle as object;
  const secured = () =>
    testApp({ CDS_TRUSTED_ISSUERS: JSON.stringify({ [ISSUER]: JWKS_URL }), API_KEYS: KEY, FHIR_SERVER_ALLOWLIST: 'https://ehr.example.org/fhir' })
      .app;

  it('the open demo needs no credentials', async () => {
    expect((await request(testApp().app).post('/api/v1/evaluate').send(bundle)).status).toBe(200);
  });

  it.each([
    ['no credentials', {}, 401, 'credentials-required', 'bearer token required'],
    ['a wrong key', { authorization: 'Bearer integration-engine-key-9999999999' }, 401, 'credentials-refused', 'unknown API key'],
    [
      'a SMART token for a FHIR server outside the allow-list',
      { authorization: 'Bearer smart-token', 'x-fhir-server': 'https://evil.example.com/fhir', 'x-patient-id': 'p1' },
      403,
      'fhir-server-not-allowed',
      'FHIR_SERVER_ALLOWLIST',
    ],
  ])('with client authentication on, %s → %i naming why', async (_label, headers, status, code, words) => {
    const res = await request(secured()).post('/api/v1/evaluate').set(headers).send(bundle);
    expect(res.status).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(refusalCode(res.body)).toBe(code);
    expect(errorText(res.body)).toContain(words);
  });

  it('an integration engine with an API key → 200 (any case of "Bearer")', async () => {
    expect((await request(secured()).post('/api/v1/evaluate').set('Authorization', `Bearer ${KEY}`).send(bundle)).status).toBe(200);
    expect((await request(secured()).post('/api/v1/evaluate').set('Authorization', `bearer ${KEY}`).send(bundle)).status).toBe(200);
  });

  it('the reviewer app with a SMART token the EHR accepts → 200, checked once then remembered; a token it refuses → 401', async () => {
    const app = secured();
    const ehr = nock('https://ehr.example.org')
      .get('/fhir/Patient/p1')
      .matchHeader('authorization', 'Bearer good-token')
      .once()
      .reply(200, { resourceType: 'Patient', id: 'p1' })
      .get('/fhir/Patient/p1')
      .matchHeader('authorization', 'Bearer bad-token')
      .reply(401, {});
    nock('https://ehr.example.org').get('/fhir/.well-known/smart-configuration').reply(404, {});
    const smart = (token: string) =>
      request(app)
        .post('/api/v1/evaluate')
        .set({ authorization: `Bearer ${token}`, 'x-fhir-server': 'https://ehr.example.org/fhir', 'x-patient-id': 'p1' })
        .send(bundle);
    expect((await smart('good-token')).status).toBe(200);
    expect((await smart('good-token')).status).toBe(200); // remembered: the EHR was asked once
    const refused = await smart('bad-token');
    expect(refused.status).toBe(401);
    expect(refusalCode(refused.body)).toBe('token-refused');
    expect(ehr.isDone()).toBe(true);
  });
});
