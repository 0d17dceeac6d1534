import { createServer, type Server } from 'node:http';
import nock from 'nock';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.js';
import { errorText } from '../helpers/errors.js';
import { scenario } from '../helpers/cases.js';
import { encounterDischargeRequest } from '../helpers/hook-requests.js';
import { clientToken, ISSUER, JWKS_URL, makeKey } from '../helpers/jwt.js';

/**
 * Issue 14's holes, "tried as an attacker would", each reproduced here over HTTP and shown refused. Holes whose
 * test lives beside the feature:
 * - the direct API's SMART-token bypass (…/metadata?, …/Patient/A#, X-Patient-Id ..): test/integration/api-auth.test.ts
 * - a checked token accepted for 5 minutes: test/unit/security/smart-token.test.ts, test/e2e/smart-launch.test.ts
 * - feedback (4.9 MB card id, unknown card ids, unpaginated reads): test/integration/feedback.test.ts
 * - the open demo beside client authentication, /metrics and /readyz details: test/integration/allowlist-and-headers.test.ts
 * - 40 random kids (the JWKS budget), iat in the future: test/unit/security/jwt.test.ts (and below, over HTTP)
 * - made-up SMART tokens each introspected (issue 23): test/integration/rate-limit.test.ts
 * - unescaped FHIR text in card markdown: the lead's, in src/cds/cards.ts (not here)
 */
const BASE = 'https://rt-billing.example.org';
const DISCHARGE = '/cds-services/rt-billing-encounter-discharge';
const AUD = `${BASE}${DISCHARGE}`;
const key = makeKey('ES384');
const golden = scenario('a1');
const discharge = (fhirServer: string) => encounterDischargeRequest(golden, 'a1-enc-1', { prefetch: false, fhirServer });
const production = (env: Record<string, string> = {}) =>
  testApp({
    NODE_ENV: 'production',
    PUBLIC_BASE_URL: BASE,
    CDS_TRUSTED_ISSUERS: JSON.stringify({ [ISSUER]: JWKS_URL }),
    FHIR_SERVER_ALLOWLIST: 'https://ehr.example.org/fhir',
    ...env,
  });

let jwksFetches = 0;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());
const serveJwks = () =>
  nock(ISSUER)
    .persist()
    .get('/.well-known/jwks.json')
    .reply(() => {
      jwksFetches += 1;
      return [200, { keys: [{ ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, alg: key.alg, use: 'sig' }] }];
    });

describe('hook callers cannot make the service fetch any host', () => {
  it.each([
    'http://2130706433/fhir',
    'http://0x7f000001/fhir',
    'http://0177.0.0.1/fhir',
    'http://[::ffff:127.0.0.1]/fhir',
    'http://[::1]:3000/fhir',
    'http://0.0.0.0:3000/fhir',
    'http://localhost:3000/fhir',
    'http://169.254.169.254/latest/meta-data',
    'http://[fe80::1]/fhir',
  ])('fhirServer %s (with the EHR token attached) → 400 naming FHIR_SERVER_ALLOWLIST, nothing fetched', async (fhirServer) => {
    serveJwks();
    const { app, lines } = production();
    const res = await request(app)
      .post(DISCHARGE)
      .set('Authorization', `Bearer ${clientToken(key, AUD)}`)
      .send(discharge(fhirServer));
    expect(res.status).toBe(400);
    expect(errorText(res.body)).toContain('FHIR_SERVER_ALLOWLIST');
    expect(lines.join('\n')).not.toContain('FHIR fetch failed');
  });
});

describe('fetch errors are no port scanner (development: empty allowlist, any server)', () => {
  let answering: Server;
  let stalling: Server;
  let closedPort: number;
  const port = (server: Server) => (server.address() as { port: number }).port;
  beforeAll(async () => {
    answering = createServer((_req, res) => res.writeHead(401).end('{}'));
    stalling = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.write('{"resourceType":"Bundle","entry":[');
    });
    const probe = createServer();
    await Promise.all([answering, stalling, probe].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
    closedPort = port(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
  afterAll(() => {
    for (const server of [answering, stalling]) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('a closed port, a host that answers 401 and a host that stalls give the same 412 and the same words', async () => {
    const { app } = testApp({ FHIR_TIMEOUT_MS: '300' });
    const answers = await Promise.all(
      [`http://127.0.0.1:${closedPort}/fhir`, `http://127.0.0.1:${port(answering)}/fhir`, `http://127.0.0.1:${port(stalling)}/fhir`].map(
        (fhirServer) => request(app).post(DISCHARGE).send(discharge(fhirServer)),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([412, 412, 412]);
    expect(new Set(answers.map((a) => errorText(a.body))).size).toBe(1);
  });

  it('a FHIR server that sends headers and stalls the body: 412 within the timeout, not a 500', async () => {
    const { app } = testApp({ FHIR_TIMEOUT_MS: '300' });
    const res = await request(app)
      .post(DISCHARGE)
      .send(discharge(`http://127.0.0.1:${port(stalling)}/fhir`));
    expect(res.status).toBe(412);
    expect(errorText(res.body)).toMatch(/could not read .* from the FHIR server/);
  });
});

describe('CDS client JWTs', () => {
  const call = (app: ReturnType<typeof production>['app'], authorization: string) =>
    request(app)
      .post(DISCHARGE)
      .set('Authorization', authorization)
      .send(encounterDischargeRequest(golden, 'a1-enc-1', { prefetch: true }));

  it('a token issued an hour in the future is refused (its replay entry would outlive the lifetime limit)', async () => {
    serveJwks();
    const now = Math.floor(Date.now() / 1000);
    const res = await call(production().app, `Bearer ${clientToken(key, AUD, { iat: now + 3600, exp: now + 3900 })}`);
    expect(res.status).toBe(401);
    expect(errorText(res.body)).toBe('token issued in the future');
  });

  it('40 random kids do not use up the JWKS budget: at most one refetch, and the real key keeps working', async () => {
    serveJwks();
    // The JWKS budget alone: a client's failed attempts (AUTH_FAILURES_PER_MINUTE) are test/integration/rate-limit.test.ts's.
    const { app } = production({ AUTH_FAILURES_PER_MINUTE: '0' });
    expect((await call(app, `Bearer ${clientToken(key, AUD)}`)).status).toBe(200);
    const before = jwksFetches;
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => call(app, `Bearer ${clientToken({ ...key, kid: `random-${i}` }, AUD)}`)));
    expect(new Set(statuses.map((s) => s.status))).toEqual(new Set([401]));
    expect(jwksFetches - before).toBeLessThanOrEqual(1);
    expect((await call(app, `Bearer ${clientToken(key, AUD)}`)).status).toBe(200);
  });

  it('random kids with a wrong audience never reach the JWKS', async () => {
    serveJwks();
    const { app } = production();
    const before = jwksFetches;
    for (let i = 0; i < 40; i++) await call(app, `Bearer ${clientToken({ ...key, kid: `k-${i}` }, 'https://attacker.example.com/')}`);
    expect(jwksFetches).toBe(before);
  });

  it('a lowercase "bearer" scheme is accepted (RFC 6750: case-insensitive)', async () => {
    serveJwks();
    expect((await call(production().app, `bearer ${clientToken(key, AUD)}`)).status).toBe(200);
  });
});
