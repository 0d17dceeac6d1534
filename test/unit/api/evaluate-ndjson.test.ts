import { issueLocations } from '../../helpers/errors.js';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { todayAtClinic } from '../../../src/dates.js';
import { determineBundle } from '../../../src/pipeline.js';
import { testApp } from '../../helpers/app.js';
import { scenario } from '../../helpers/cases.js';
import { ndjsonLines } from '../../helpers/department.js';

/** POST /api/v1/evaluate with application/fhir+ndjson: several patients in, one line per patient and a summary out. */
const { app } = testApp({ BODY_LIMIT: '200kb' });

interface Entry {
  resource: { resourceType: string; id?: string };
}
/** A scenario's resources; every scenario's ids are its own (one export never repeats an id), the clinic's shared. */
const resources = (tag: string) => (scenario(tag).bundle as { entry: Entry[] }).entry.map((e) => e.resource);
const ndjson = (items: unknown[]) => `${items.map((r) => JSON.stringify(r)).join('\n')}\n`;

describe('POST /api/v1/evaluate with application/fhir+ndjson', () => {
  it('answers application/x-ndjson: one line per patient, equal to the Bundle result, and the summary last', async () => {
    const body = ndjson([...resources('a1'), ...resources('a2')]);
    const res = await request(app).post('/api/v1/evaluate').set('Content-Type', 'application/fhir+ndjson').send(body);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const lines = ndjsonLines(res.text);
    expect(lines.map((l) => l.patient ?? 'summary')).toEqual(['Patient/a1-pt-40117', 'Patient/a2-pt-40232', 'summary']);
    const { patient: _p, ...first } = lines[0]!;
    expect(first).toEqual(JSON.parse(JSON.stringify(determineBundle(scenario('a1').bundle, { asOf: todayAtClinic(null) }))));
    expect((lines[1]!.sessions as { deliveryCode: string }[]).map((s) => s.deliveryCode)).toEqual(['77407', '77407']);
    expect(lines[2]).toMatchObject({ summary: { patients: 2, sessions: 3, errors: 0 } });
  });

  it('U+2028, U+2029 and NEL in a FHIR value are escaped: each record stays on its line for every reader', async () => {
    const separators = 'Encounter/one\u2028two\u2029three\u0085four';
    const items = resources('a2').map((r) =>
      r.resourceType === 'Procedure' && 'encounter' in r ? { ...r, encounter: { reference: separators } } : r,
    );
    const res = await request(app).post('/api/v1/evaluate').set('Content-Type', 'application/fhir+ndjson').send(ndjson(items));
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/[\u0085\u2028\u2029]/);
    expect(res.text).toContain('one\\u2028two\\u2029three\\u0085four');
    // Python's str.splitlines and readers like it end lines at these too: still one patient and one summary.
    const lines = res.text.trimEnd().split(/\r\n|[\n\r\x85\u2028\u2029]/);
    expect(lines).toHaveLength(2);
    expect((JSON.parse(lines[0]!) as { sessions: { encounter: string }[] }).sessions[0]!.encounter).toBe(separators);
  });

  it('a malformed line: 400 OperationOutcome naming the line, no partial answer', async () => {
    const body = `${ndjson(resources('a1'))}{"resourceType": "Procedure", oops\n`;
    const res = await request(app).post('/api/v1/evaluate').set('Content-Type', 'application/fhir+ndjson').send(body);
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    const lines = resources('a1').length + 1;
    expect(issueLocations(res.body)[0]).toMatch(new RegExp(`^line ${lines}: `));
  });

  it('an invalid resource: 400 naming its line and field', async () => {
    const items = resources('a1').map((r) => (r.resourceType === 'Procedure' ? { ...r, status: 'finished-ish' } : r));
    const at = items.findIndex((r) => r.resourceType === 'Procedure') + 1;
    const res = await request(app).post('/api/v1/evaluate').set('Content-Type', 'application/fhir+ndjson').send(ndjson(items));
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression).toEqual(['Procedure.status']);
    expect(res.body.issue[0].diagnostics).toMatch(new RegExp(`^line ${at}, Procedure/a1-fx-1: `));
  });

  it.each([
    ['an empty body', '', 400],
    ['only blank lines', '\n\n', 400],
  ])('%s → %i', async (_label, body, status) => {
    const res = await request(app).post('/api/v1/evaluate').set('Content-Type', 'application/fhir+ndjson').send(body);
    expect(res.status).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('over the body limit → 413, as for a Bundle', async () => {
    const big = ndjson(Array.from({ length: 400 }, (_, i) => ({ resourceType: 'Basic', id: `b${i}`, text: 'x'.repeat(1000) })));
    const res = await request(app).post('/api/v1/evaluate').set('Content-Type', 'application/fhir+ndjson').send(big);
    expect(res.status).toBe(413);
  });

  it('?encounter= applies to a Bundle: 400 with NDJSON', async () => {
    const res = await request(app)
      .post('/api/v1/evaluate?encounter=Encounter/enc-1')
      .set('Content-Type', 'application/fhir+ndjson')
      .send(ndjson(resources('a1')));
    expect(res.status).toBe(400);
    expect(issueLocations(res.body)[0]).toMatch(/^encounter \(query parameter\): /);
  });
});
