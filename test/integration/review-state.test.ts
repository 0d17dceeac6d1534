import { Writable } from 'node:stream';
import nock from 'nock';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqliteReviewStore, type ReviewStore } from '../../src/api/review-store.js';
import { createApp } from '../../src/app.js';
import { SqliteFeedbackStore } from '../../src/cds/feedback-store.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { refusalCode } from '../helpers/errors.js';
import { ISSUER, JWKS_URL } from '../helpers/jwt.js';

/**
 * Review state through the API (issue 21, item 5): set by a reviewer with a SMART token for the patient, kept with who
 * and when, read back; refused without one; bad input changes nothing; a store that fails is a 503.
 */
const KEY = 'integration-engine-key-0123456789';
const BASE = 'https://ehr.example.org/fhir';
const PATH = '/api/v1/patients/A/sessions/Encounter/enc-1/review-state';
const NOTE = 'Dr Rivera to sign the images of 2026-04-13 for Jane Doe';

function appWith(env: Record<string, string>, reviews: ReviewStore = new SqliteReviewStore(':memory:')) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({ LOG_LEVEL: 'debug', PUBLIC_BASE_URL: 'https://rt-billing.example.org', FEEDBACK_DB_PATH: ':memory:', ...env });
  const app = createApp({ config, logger: createLogger(config.LOG_LEVEL, sink), feedback: new SqliteFeedbackStore(':memory:'), reviews });
  return { app, lines, reviews };
}

const production = (reviews?: ReviewStore) =>
  appWith(
    { NODE_ENV: 'production', CDS_TRUSTED_ISSUERS: JSON.stringify({ [ISSUER]: JWKS_URL }), API_KEYS: KEY, FHIR_SERVER_ALLOWLIST: BASE },
    reviews,
  );

/** The EHR: introspection says token-for-A is active for patient A and user Practitioner/reviewer-1; Patient/A answers it. */
function ehr() {
  nock('https://ehr.example.org')
    .persist()
    .get('/fhir/.well-known/smart-configuration')
    .reply(200, { introspection_endpoint: 'https://ehr.example.org/auth/introspect' })
    .post('/auth/introspect')
    .reply(function reply() {
      return this.req.headers.authorization === 'Bearer token-for-A'
        ? [200, { active: true, patient: 'A', fhirUser: 'Practitioner/reviewer-1', exp: Math.floor(Date.now() / 1000) + 600 }]
        : [200, { active: false }];
    })
    .get(/\/fhir\/Patient\/.*/)
    .reply(function reply(uri) {
      return uri === '/fhir/Patient/A' && this.req.headers.authorization === 'Bearer token-for-A'
        ? [200, { resourceType: 'Patient', id: 'A' }]
        : [403, { resourceType: 'OperationOutcome' }];
    });
}

const smart = (token: string, patient = 'A') => ({ authorization: `Bearer ${token}`, 'x-fhir-server': BASE, 'x-patient-id': patient });

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('review state with client authentication on', () => {
  it('a reviewer with a SMART token for the patient sets it; the service keeps who (the token’s user) and when; it reads back', async () => {
    ehr();
    const { app } = production();
    const before = Date.now();
    const put = await request(app).put(PATH).set(smart('token-for-A')).send({ status: 'sent-to-physician', note: NOTE });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      server: BASE,
      patient: 'A',
      session: 'Encounter/enc-1',
      status: 'sent-to-physician',
      note: NOTE,
      by: 'Practitioner/reviewer-1',
    });
    expect(Date.parse(put.body.at)).toBeGreaterThanOrEqual(before - 1000);
    const read = await request(app).get('/api/v1/patients/A/review-states').set(smart('token-for-A'));
    expect(read.status).toBe(200);
    expect(read.body.reviewStates).toEqual([put.body]);
    // The latest replaces it.
    await request(app).put(PATH).set(smart('token-for-A')).send({ status: 'reviewed' }).expect(200);
    const again = await request(app).get('/api/v1/patients/A/review-states').set(smart('token-for-A'));
    expect(again.body.reviewStates).toEqual([expect.objectContaining({ status: 'reviewed', note: null })]);
    // An integration engine reads them (naming the server), and cannot set them.
    const engine = await request(app)
      .get('/api/v1/patients/A/review-states')
      .set({ authorization: `Bearer ${KEY}`, 'x-fhir-server': BASE });
    expect(engine.body.reviewStates).toHaveLength(1);
    const engineWrite = await request(app)
      .put(PATH)
      .set({ authorization: `Bearer ${KEY}`, 'x-fhir-server': BASE })
      .send({ status: 'on-hold' });
    expect(engineWrite.status).toBe(403);
  });

  it.each([
    ['no credentials', {}, 401, 'credentials-required'],
    ['a made-up token', smart('made-up'), 401, 'token-refused'],
    ['a token for another patient', smart('token-for-A', 'B'), 401, 'token-refused'],
    ['a FHIR server not allowed', { ...smart('token-for-A'), 'x-fhir-server': 'https://evil.example/fhir' }, 403, 'fhir-server-not-allowed'],
  ])('refuses a write with %s, and nothing changes', async (_label, headers, status, code) => {
    ehr();
    const { app, reviews } = production();
    const res = await request(app).put(PATH).set(headers).send({ status: 'reviewed', note: 'x' });
    expect(res.status).toBe(status);
    expect(refusalCode(res.body)).toBe(code);
    expect(await reviews.list(BASE, 'A')).toEqual([]);
  });

  it("a token for patient A cannot touch patient B's review states (the path names B)", async () => {
    ehr();
    const { app, reviews } = production();
    const res = await request(app)
      .put('/api/v1/patients/B/sessions/Encounter/enc-1/review-state')
      .set(smart('token-for-A'))
      .send({ status: 'reviewed' });
    expect(res.status).toBe(403);
    expect(res.body.issue[0].diagnostics).toContain('another patient');
    expect((await request(app).get('/api/v1/patients/B/review-states').set(smart('token-for-A'))).status).toBe(403);
    expect(await reviews.list(BASE, 'B')).toEqual([]);
  });
});

describe('review state: bad input, store failures, logs (open demo)', () => {
  const open = () => appWith({});
  const demoHeaders = { 'x-fhir-server': 'http://127.0.0.1:3000/fhir' };

  it.each([
    ['an unknown status', { status: 'done' }, 'status'],
    ['no status', { note: 'x' }, 'status'],
    ['a note too long', { status: 'reviewed', note: 'x'.repeat(2001) }, 'note'],
    ['a note that is not text', { status: 'reviewed', note: 42 }, 'note'],
    ['a field it does not know', { status: 'reviewed', by: 'Practitioner/someone-else' }, 'by'],
  ])('%s: 400 naming the field, nothing stored', async (_label, body, field) => {
    const { app, reviews } = open();
    const res = await request(app).put(PATH).set(demoHeaders).send(body);
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(res.body.issue)).toContain(field);
    expect(await reviews.list('http://127.0.0.1:3000/fhir', 'A')).toEqual([]);
  });

  it.each([
    ['a session that is not an Encounter or fraction', '/api/v1/patients/A/sessions/Patient/enc-1/review-state', 'session'],
    ['a patient id that is not a FHIR id', '/api/v1/patients/..%2Fx/sessions/Encounter/enc-1/review-state', 'patient'],
  ])('%s: 400 naming it', async (_label, path, field) => {
    const res = await request(open().app).put(path).set(demoHeaders).send({ status: 'reviewed' });
    expect(res.status).toBe(400);
    expect(res.body.issue[0].diagnostics).toContain(field);
  });

  it('in the open demo anyone sets it, and no one is named', async () => {
    const res = await request(open().app).put(PATH).set(demoHeaders).send({ status: 'on-hold', note: 'waiting for the plan' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'on-hold', by: null });
  });

  it('a store that fails answers 503 with Retry-After, not 500', async () => {
    const reviews = new SqliteReviewStore(':memory:');
    await reviews.close();
    const { app } = appWith({}, reviews);
    const put = await request(app).put(PATH).set(demoHeaders).send({ status: 'reviewed' });
    expect(put.status).toBe(503);
    expect(put.headers['retry-after']).toBe('5');
    expect((await request(app).get('/api/v1/patients/A/review-states').set(demoHeaders)).status).toBe(503);
  });

  it('logs neither the note nor the patient or session', async () => {
    const { app, lines } = open();
    await request(app).put(PATH).set(demoHeaders).send({ status: 'sent-to-physician', note: NOTE }).expect(200);
    await request(app).put(PATH).set(demoHeaders).send({ status: 'nope', note: NOTE }).expect(400);
    const log = lines.join('\n');
    expect(log).toContain('review-state');
    for (const secret of ['Jane Doe', 'Rivera', 'enc-1', '/patients/A']) expect(log).not.toContain(secret);
  });
});
