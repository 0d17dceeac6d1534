import { createServer, type Server } from 'node:http';
import nock from 'nock';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { testApp } from '../helpers/app.js';
import { scenario } from '../helpers/cases.js';
import { encounterDischargeRequest } from '../helpers/hook-requests.js';
import { spawnService } from '../helpers/processes.js';

describe('health and metrics', () => {
  beforeAll(() => nock.enableNetConnect());

  it('GET /healthz is live; GET /readyz checks the feedback store and replay cache', async () => {
    const { app } = testApp();
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ feedbackStore: 'ok', replayCache: 'ok' });
  });

  it('a closed feedback store makes the service unready', async () => {
    const { app, feedback } = testApp();
    await feedback.close();
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.feedbackStore).toBe('failing');
  });

  it('a JWKS that cannot be fetched is reported but does not make the service unready', async () => {
    const { app } = testApp({ CDS_TRUSTED_ISSUERS: JSON.stringify({ 'https://ehr.example.org': 'http://127.0.0.1:9/jwks.json' }) });
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.jwks).toEqual({ 'https://ehr.example.org': 'unreachable' });
  });

  it('GET /metrics shows requests, cards by indicator and rule, and JWT rejections, with no PHI in labels', async () => {
    const { app } = testApp({ CDS_TRUSTED_ISSUERS: JSON.stringify({ 'https://ehr.example.org': 'http://127.0.0.1:9/jwks.json' }) });
    await request(app).post('/cds-services/rt-billing-encounter-discharge').send({});
    const open = testApp();
    await request(open.app)
      .post('/cds-services/rt-billing-encounter-discharge')
      .send(encounterDischargeRequest(scenario('ig'), 'ig-enc-2', { prefetch: true }));
    const metrics = (await request(open.app).get('/metrics')).text;
    expect(metrics).toMatch(/rt_billing_http_requests_total\{service="rt-billing-encounter-discharge",status="200"\} 1/);
    expect(metrics).toMatch(/rt_billing_http_request_duration_seconds_bucket\{le="[^"]+",service="rt-billing-encounter-discharge",status="200"\}/);
    expect(metrics).toMatch(/rt_billing_cards_total\{service="rt-billing-encounter-discharge",indicator="warning",rule="I-SIGN"\} 1/);
    expect(metrics).not.toMatch(/-pt-|Patient\/|Encounter\//);
    const refused = (await request(app).get('/metrics')).text;
    expect(refused).toMatch(/rt_billing_jwt_rejections_total\{reason="bearer token required"\} 1/);
  });

  it('counts FHIR fetch failures by reason', async () => {
    const { app } = testApp({ FHIR_TIMEOUT_MS: '200' });
    nock('https://ehr.example.org').get(/.*/).reply(503, 'down').persist();
    await request(app)
      .post('/cds-services/rt-billing-encounter-discharge')
      .send(encounterDischargeRequest(scenario('a1'), 'a1-enc-1', { prefetch: false, fhirServer: 'https://ehr.example.org/fhir' }));
    nock.cleanAll();
    expect((await request(app).get('/metrics')).text).toMatch(/rt_billing_fhir_fetch_errors_total\{reason="http-503"\} [1-9]/);
  });
});

describe('configuration', () => {
  it.each([
    ['PORT', 'eighty'],
    ['REDIS_URL', 'localhost:6379'],
    ['DATABASE_URL', 'mysql://x'],
    ['FHIR_TIMEOUT_MS', '-1'],
    ['LOG_LEVEL', 'loud'],
    ['ADMIN_TOKEN', 'short'],
  ])('a wrong %s stops the start with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('npm start refuses to start on a bad value, naming it, with exit code 1', async () => {
    await expect(spawnService({ PORT: 'eighty' })).rejects.toThrow(/exited \(1\).*PORT/s);
  });
});

describe('graceful shutdown', () => {
  let slowFhir: Server;
  let fhirUrl: string;
  let sessionReads = 0;

  beforeAll(async () => {
    // A FHIR server that takes 400 ms per request, so hook calls are in flight when SIGTERM arrives.
    slowFhir = createServer((req, res) => {
      if (req.url?.startsWith('/fhir/Procedure?encounter=')) sessionReads += 1; // the session's procedures: the first read
      setTimeout(() => {
        res.setHeader('content-type', 'application/fhir+json');
        res.end(
          JSON.stringify(
            req.url?.includes('?') ? { resourceType: 'Bundle', type: 'searchset' } : { resourceType: 'Encounter', id: '456', status: 'finished' },
          ),
        );
      }, 400);
    });
    await new Promise<void>((resolve) => slowFhir.listen(0, '127.0.0.1', resolve));
    fhirUrl = `http://127.0.0.1:${(slowFhir.address() as { port: number }).port}/fhir`;
  });
  afterAll(() => new Promise<void>((resolve) => slowFhir.close(() => resolve())));

  it('SIGTERM during a burst: every accepted request is answered, then the process exits 0', async () => {
    const service = await spawnService({ DEMO: 'off', FEEDBACK_DB_PATH: ':memory:' });
    const body = {
      hook: 'encounter-discharge',
      fhirServer: fhirUrl,
      context: { userId: 'Practitioner/1', patientId: '1288992', encounterId: '456' },
    };
    const burst = Array.from({ length: 40 }, () =>
      fetch(`${service.url}/cds-services/rt-billing-encounter-discharge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, hookInstance: crypto.randomUUID() }),
      }).then((r) => r.status),
    );
    // SIGTERM once all 40 are inside the service, waiting on the FHIR server.
    for (let waited = 0; sessionReads < 40 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(sessionReads).toBe(40);
    service.process.kill('SIGTERM');
    const statuses = await Promise.all(burst);
    expect(statuses).toEqual(Array(40).fill(200));
    expect(await service.exit).toBe(0);
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow(); // no longer accepting
  });
});
