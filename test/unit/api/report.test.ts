import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { testApp } from '../../helpers/app.js';
import { scenario } from '../../helpers/cases.js';

/** POST /api/v1/report: the report of one patient's course (what the reviewer app would link to), or of NDJSON. */
const { app } = testApp({ BODY_LIMIT: '200kb' });

describe('POST /api/v1/report', () => {
  it('a Bundle: one self-contained HTML page with the charts and the worklist, no script, under its own policy', async () => {
    const golden = scenario('ig');
    const res = await request(app).post('/api/v1/report').set('Content-Type', 'application/fhir+json').send(JSON.stringify(golden.bundle));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).not.toContain('script-src');
    expect(res.text).not.toMatch(/<script/i);
    expect(res.text).toMatch(/<svg role="img" aria-label="Sessions by level/);
    expect(res.text).toMatch(/<table id="worklist"[\s\S]*I-SIGN/);
  });

  it('NDJSON: the report of every patient posted', async () => {
    const resources = (scenario('a1').bundle as { entry: { resource: unknown }[] }).entry.map((e) => JSON.stringify(e.resource));
    const res = await request(app)
      .post('/api/v1/report')
      .set('Content-Type', 'application/fhir+ndjson')
      .send(`${resources.join('\n')}\n`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<b>1</b>'); // one patient
  });

  it('bad input: 400 with an OperationOutcome naming the field, as for evaluate', async () => {
    const res = await request(app).post('/api/v1/report').send({ resourceType: 'Patient' });
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression[0]).toContain('Bundle.resourceType');
  });
});
