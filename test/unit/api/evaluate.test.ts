import { issueLocations } from '../../helpers/errors.js';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { testApp } from '../../helpers/app.js';
import { scenario } from '../../helpers/cases.js';

const { app } = testApp({ BODY_LIMIT: '200kb' });

describe('POST /api/v1/evaluate', () => {
  it('returns the determination for a FHIR Bundle (application/fhir+json)', async () => {
    const golden = scenario('a2');
    const res = await request(app).post('/api/v1/evaluate').set('Content-Type', 'application/fhir+json').send(JSON.stringify(golden.bundle));
    expect(res.status).toBe(200);
    expect(res.body.sessions.map((s: { deliveryCode: string }) => s.deliveryCode)).toEqual(['77407', '77407']);
    expect(res.body.orders[0].order).toBe('ServiceRequest/a2-rx');
  });

  it('limits sessions to one encounter with ?encounter=', async () => {
    const golden = scenario('a2');
    const res = await request(app)
      .post('/api/v1/evaluate?encounter=Encounter/a2-enc-1')
      .send(golden.bundle as object);
    expect(res.status).toBe(200);
    expect(res.body.sessions.map((s: { fractions: string[] }) => s.fractions)).toEqual([['Procedure/a2-fx-1']]);
    expect(res.body.sessions[0].facts.nextBeamOn).toBe('2026-02-03T08:10:00-06:00');
  });

  it.each([
    ['malformed JSON', '{"resourceType": "Bundle",', 'application/json', 400, 'body'],
    ['not a Bundle', JSON.stringify({ resourceType: 'Patient' }), 'application/json', 400, 'Bundle.resourceType'],
    ['a JSON array', '[]', 'application/json', 400, 'Bundle'],
    [
      'a bad field',
      JSON.stringify({ resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Procedure', status: 'completed' } }] }),
      'application/json',
      400,
      'Bundle.entry[0].resource.subject',
    ],
    ['text/plain', 'hello', 'text/plain', 415, 'Content-Type'],
  ])('%s → %i with a JSON body naming %s', async (_label, body, type, status, path) => {
    const res = await request(app).post('/api/v1/evaluate').set('Content-Type', type).send(body);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(issueLocations(res.body).join(' ')).toContain(path);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
  });

  it('over the body limit → 413', async () => {
    const big = { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Basic', text: 'x'.repeat(300_000) } }] };
    const res = await request(app).post('/api/v1/evaluate').send(big);
    expect(res.status).toBe(413);
    expect(res.body.issue[0].code).toBe('too-long');
  });

  it('unknown paths → 404 JSON', async () => {
    const res = await request(app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: 'not found' }] });
  });
});
