import nock from 'nock';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, startWarnings } from '../../src/config.js';
import { testApp } from '../helpers/app.js';
import { errorText } from '../helpers/errors.js';
import { scenario } from '../helpers/cases.js';
import { encounterDischargeRequest } from '../helpers/hook-requests.js';
import { mockFhirServer } from '../helpers/mock-fhir.js';
import { resourcesOf } from '../helpers/hook-requests.js';
import { spawnService } from '../helpers/processes.js';

const ISSUERS = JSON.stringify({ 'https://ehr.example.org': 'https://ehr.example.org/.well-known/jwks.json' });
const PRODUCTION = { NODE_ENV: 'production', CDS_TRUSTED_ISSUERS: ISSUERS, FHIR_SERVER_ALLOWLIST: 'https://ehr.example.org/fhir' };
const DISCHARGE = '/cds-services/rt-billing-encounter-discharge';
const golden = scenario('a1');
const discharge = (fhirServer: string) => encounterDischargeRequest(golden, 'a1-enc-1', { prefetch: false, fhirServer });

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('FHIR_SERVER_ALLOWLIST: one meaning, the FHIR base URLs the service may call', () => {
  it('production refuses to start without it, naming it', () => {
    expect(() => loadConfig({ ...PRODUCTION, FHIR_SERVER_ALLOWLIST: '' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...PRODUCTION, FHIR_SERVER_ALLOWLIST: '' })).toThrow(/FHIR_SERVER_ALLOWLIST is required when NODE_ENV=production/);
    expect(loadConfig(PRODUCTION).FHIR_SERVER_ALLOWLIST).toEqual(['https://ehr.example.org/fhir']);
  });

  it.each(['https://ehr.example.org/fhir?x=1', 'https://ehr.example.org/fhir#top', 'ftp://ehr.example.org/fhir', 'ehr.example.org/fhir'])(
    'an entry %s is not a base URL: the start stops, naming the setting',
    (entry) => {
      expect(() => loadConfig({ FHIR_SERVER_ALLOWLIST: entry })).toThrow(/FHIR_SERVER_ALLOWLIST/);
    },
  );

  it('entries are kept in canonical form', () => {
    expect(loadConfig({ FHIR_SERVER_ALLOWLIST: 'HTTPS://EHR.example.org:443/fhir/, http://localhost:8080/v/r4/fhir' }).FHIR_SERVER_ALLOWLIST).toEqual(
      ['https://ehr.example.org/fhir', 'http://localhost:8080/v/r4/fhir'],
    );
  });

  it('empty is allowed outside production, where it means any server, and the start warns about it', async () => {
    const config = loadConfig({});
    expect(config.FHIR_SERVER_ALLOWLIST).toEqual([]);
    expect(startWarnings(config).join('\n')).toMatch(/FHIR_SERVER_ALLOWLIST is empty: the service will call ANY http\(s\) FHIR server/);
    const service = await spawnService({ DEMO: 'off', FEEDBACK_DB_PATH: ':memory:' });
    try {
      await expect.poll(() => service.output()).toMatch(/WARNING: FHIR_SERVER_ALLOWLIST is empty/);
    } finally {
      service.process.kill('SIGTERM');
      await service.exit;
    }
    expect(startWarnings(loadConfig({ FHIR_SERVER_ALLOWLIST: 'https://ehr.example.org/fhir' })).join('\n')).not.toMatch(/FHIR_SERVER_ALLOWLIST/);
  });

  it.each([
    ['the same base with a trailing slash', 'https://ehr.example.org/fhir/'],
    ['the same base in another spelling', 'HTTPS://EHR.EXAMPLE.ORG:443/fhir'],
  ])('a hook naming %s is served, and every URL is built from the allow-listed base', async (_label, fhirServer) => {
    const { app } = testApp({ FHIR_SERVER_ALLOWLIST: 'https://ehr.example.org/fhir' });
    const ehr = mockFhirServer('https://ehr.example.org/fhir', resourcesOf(golden));
    const res = await request(app).post(DISCHARGE).send(discharge(fhirServer));
    expect(res.status).toBe(200);
    expect(ehr.requests.length).toBeGreaterThan(0);
  });

  it.each([
    ['another path on the allowed host', 'https://ehr.example.org/other-fhir'],
    ['a path below the allowed base', 'https://ehr.example.org/fhir/Patient/p1'],
    ['a query string', 'https://ehr.example.org/fhir?'],
    ['a fragment', 'https://ehr.example.org/fhir#'],
    ['credentials', 'https://user:pw@ehr.example.org/fhir'],
  ])('a hook naming %s is refused with 400 naming fhirServer and the setting', async (_label, fhirServer) => {
    const { app } = testApp({ FHIR_SERVER_ALLOWLIST: 'https://ehr.example.org/fhir' });
    const ehr = nock('https://ehr.example.org').get(/.*/).reply(200, {}).persist();
    const res = await request(app).post(DISCHARGE).send(discharge(fhirServer));
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression).toEqual(['fhirServer']);
    expect(errorText(res.body)).toContain('FHIR_SERVER_ALLOWLIST');
    expect(ehr.isDone()).toBe(false);
  });

  it('the reviewer app can ask whether a server is allowed before it launches (yes or no, never the list)', async () => {
    const { app } = testApp({ FHIR_SERVER_ALLOWLIST: 'https://ehr.example.org/fhir' });
    expect((await request(app).get('/api/v1/fhir-servers/check').query({ url: 'https://ehr.example.org/fhir/' })).body).toEqual({ allowed: true });
    const refused = await request(app).get('/api/v1/fhir-servers/check').query({ url: 'https://other.example.org/fhir' });
    expect(refused.body.allowed).toBe(false);
    expect(refused.body.message).toContain('FHIR_SERVER_ALLOWLIST');
    expect(JSON.stringify(refused.body)).not.toContain('ehr.example.org');
    expect((await request(app).get('/api/v1/fhir-servers/check')).status).toBe(400);
  });
});

describe('the demo never runs beside client authentication', () => {
  it.each([
    ['production with DEMO=on', { ...PRODUCTION, DEMO: 'on' }],
    ['development with CDS_TRUSTED_ISSUERS and DEMO=on', { CDS_TRUSTED_ISSUERS: ISSUERS, DEMO: 'on' }],
    ['development with API_KEYS and DEMO=on', { API_KEYS: 'integration-engine-key-0123456789', DEMO: 'on' }],
  ])('%s stops the start, naming DEMO', (_label, env) => {
    expect(() => loadConfig(env)).toThrow(/DEMO=on cannot run beside client authentication/);
  });

  it('with client authentication the demo is off by default, and npm start serves no /fhir', async () => {
    expect(loadConfig({ CDS_TRUSTED_ISSUERS: ISSUERS }).DEMO).toBe('off');
    expect(loadConfig({}).DEMO).toBe('on');
    const service = await spawnService({ CDS_TRUSTED_ISSUERS: ISSUERS, FEEDBACK_DB_PATH: ':memory:' });
    try {
      expect((await fetch(`${service.url}/fhir/metadata`)).status).toBe(404);
      expect((await fetch(`${service.url}/fhir/Patient`, { method: 'POST', body: '{"resourceType":"Patient"}' })).status).toBe(404);
    } finally {
      service.process.kill('SIGTERM');
      await service.exit;
    }
  });
});

const csp = (header: string | undefined) =>
  Object.fromEntries(
    (header ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );

describe('embedding the reviewer app in an EHR', () => {
  it("by default only this origin may frame the app ('self' and X-Frame-Options)", async () => {
    const res = await request(testApp().app).get('/smart-app/index.html');
    expect(csp(res.headers['content-security-policy'])['frame-ancestors']).toEqual(["'self'"]);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('FRAME_ANCESTORS names the EHRs that may frame it; X-Frame-Options (which cannot name them) is then not sent', async () => {
    const { app } = testApp({ FRAME_ANCESTORS: 'https://ehr.example.org, http://localhost:8080' });
    const res = await request(app).get('/smart-app/index.html');
    expect(csp(res.headers['content-security-policy'])['frame-ancestors']).toEqual(["'self'", 'https://ehr.example.org', 'http://localhost:8080']);
    expect(res.headers['x-frame-options']).toBeUndefined();
  });

  it.each(['https://ehr.example.org/launch', '*', "'unsafe-inline'", 'https://*.example.org'])(
    'FRAME_ANCESTORS=%s is not an origin: refused',
    (value) => {
      expect(() => loadConfig({ FRAME_ANCESTORS: value })).toThrow(/FRAME_ANCESTORS/);
    },
  );

  it('connect-src is built from the allow-listed FHIR origins and SMART_AUTH_ORIGINS, not a blanket https:', async () => {
    const { app } = testApp({
      FHIR_SERVER_ALLOWLIST: 'https://ehr.example.org/fhir/r4,https://ehr.example.org/fhir/stu3,http://localhost:8080/v/r4/fhir',
      SMART_AUTH_ORIGINS: 'https://authorization.example.org',
    });
    const policy = csp((await request(app).get('/smart-app/index.html')).headers['content-security-policy']);
    expect(policy['connect-src']).toEqual(["'self'", 'https://ehr.example.org', 'http://localhost:8080', 'https://authorization.example.org']);
    expect(policy['upgrade-insecure-requests']).toBeUndefined(); // it would turn the listed http server into https
  });

  it('with only https servers listed, requests stay upgraded; with none listed (development) any https server is reachable', async () => {
    const listed = csp(
      (await request(testApp({ FHIR_SERVER_ALLOWLIST: 'https://ehr.example.org/fhir' }).app).get('/smart-app/index.html')).headers[
        'content-security-policy'
      ],
    );
    expect(listed['connect-src']).toEqual(["'self'", 'https://ehr.example.org']);
    expect(listed['upgrade-insecure-requests']).toEqual([]);
    const any = csp((await request(testApp().app).get('/smart-app/index.html')).headers['content-security-policy']);
    expect(any['connect-src']).toEqual(["'self'", 'https:']);
  });
});

describe('CORS_ORIGINS: which browsers on other origins may call', () => {
  const SANDBOX = 'https://sandbox.cds-hooks.org';
  /** A browser's preflight for a hook call, then the call's discovery counterpart, both from `origin`. */
  const fromBrowser = async (env: Record<string, string>, origin: string) => {
    const app = testApp(env).app;
    const preflight = await request(app)
      .options('/cds-services/rt-billing-order-sign')
      .set({ origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' });
    const discovery = await request(app).get('/cds-services').set('origin', origin);
    return { preflight, discovery };
  };

  it('production, unset: no other origin (no Access-Control-Allow-Origin on the preflight or the answer)', async () => {
    expect(loadConfig(PRODUCTION).CORS_ORIGINS).toEqual([]);
    const { preflight, discovery } = await fromBrowser(PRODUCTION, SANDBOX);
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-headers']).toBeUndefined();
    expect(discovery.status).toBe(200);
    expect(discovery.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('development, unset: any origin ("*"), for the CDS Hooks sandbox', async () => {
    const { preflight, discovery } = await fromBrowser({}, SANDBOX);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-headers']).toContain('Authorization');
    expect(discovery.headers['access-control-allow-origin']).toBe('*');
  });

  it('production with CORS_ORIGINS listed: those origins only, named back with Vary: Origin', async () => {
    const env = { ...PRODUCTION, CORS_ORIGINS: `${SANDBOX}/` };
    const listed = await fromBrowser(env, SANDBOX);
    expect(listed.preflight.headers['access-control-allow-origin']).toBe(SANDBOX);
    expect(listed.discovery.headers['access-control-allow-origin']).toBe(SANDBOX);
    expect(listed.discovery.headers['vary']).toMatch(/Origin/);
    const other = await fromBrowser(env, 'https://attacker.example');
    expect(other.preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.discovery.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('empty turns cross-origin calls off in development too; a value that is not "*" or origins stops the start', async () => {
    const { discovery } = await fromBrowser({ CORS_ORIGINS: '' }, SANDBOX);
    expect(discovery.headers['access-control-allow-origin']).toBeUndefined();
    expect(() => loadConfig({ CORS_ORIGINS: 'https://sandbox.cds-hooks.org/path' })).toThrow(/CORS_ORIGINS: must be "\*" or/);
    expect(() => loadConfig({ CORS_ORIGINS: '*.example.org' })).toThrow(/CORS_ORIGINS/);
  });
});

describe('the CDS Hooks endpoints answer JSON with the headers of a JSON API', () => {
  it.each(['/cds-services', '/CDS-Services', '/cds-services/rt-billing-order-sign'])('%s: nothing to frame, sniff, run or cache', async (path) => {
    const app = testApp().app;
    const res = path.endsWith('sign') ? await request(app).post(path).send({}) : await request(app).get(path);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['etag']).toBeUndefined();
    expect(res.headers['content-type']).toMatch(/json/);
  });
});

describe('operations endpoints in production', () => {
  const ADMIN_TOKEN = 'operator-token-0123456789';

  it('/metrics needs the admin token', async () => {
    const { app } = testApp({ ...PRODUCTION, ADMIN_TOKEN });
    expect((await request(app).get('/metrics')).status).toBe(401);
    expect((await request(app).get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789')).status).toBe(401);
    const ok = await request(app).get('/metrics').set('Authorization', `bearer ${ADMIN_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('rt_billing_http_requests_total');
  });

  it('/metrics is closed in production without an ADMIN_TOKEN', async () => {
    expect((await request(testApp(PRODUCTION).app).get('/metrics')).status).toBe(401);
  });

  it('/readyz tells a load balancer ready or not; issuers and checks only to the operator', async () => {
    const { app } = testApp({ ...PRODUCTION, ADMIN_TOKEN });
    const anonymous = await request(app).get('/readyz');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ status: 'ready' });
    expect(anonymous.text).not.toContain('ehr.example.org');
    const operator = await request(app).get('/readyz').set('Authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(operator.body.checks).toEqual({ feedbackStore: 'ok', replayCache: 'ok' });
    expect(Object.keys(operator.body.jwks)).toEqual(['https://ehr.example.org']);
  });

  it('outside production they stay open (development, CI)', async () => {
    expect((await request(testApp().app).get('/metrics')).status).toBe(200);
    expect((await request(testApp().app).get('/readyz')).body.checks).toBeDefined();
  });
});
