import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import nock from 'nock';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runResources } from '../../src/batch/run.js';
import { ndjsonItem } from '../../src/batch/sources.js';
import { referencesIn, SharedResources } from '../../src/batch/shared.js';
import { DEFAULT_LIMITS, nestsDeeperThan, useLimits, valueDeeperThan } from '../../src/limits.js';
import { determineBundle } from '../../src/pipeline.js';
import { testApp } from '../helpers/app.js';
import { approval, bundle, cbct, fractionResource } from '../helpers/bundles.js';
import { scenario, scenarioFile } from '../helpers/cases.js';
import { cli, ndjsonLines, readJson, removeTempDirs, tempDir, writeNdjsonExport } from '../helpers/department.js';
import { AS_OF } from '../helpers/facts.js';
import { encounterDischargeRequest } from '../helpers/hook-requests.js';

/**
 * Issue 23, "Survive the hospital network": the hostile shapes and broken files an attack run found, each reproduced
 * through the real component (the pipeline, the CLI, HTTP) and shown bounded: linear work, limits that answer with an
 * error naming them, error records for broken files, references resolved by fullUrl.
 */
afterAll(removeTempDirs);
afterEach(() => useLimits(DEFAULT_LIMITS));

describe('references resolve by fullUrl: two sites’ Procedure/fx-1 in one Bundle are two fractions', () => {
  const SITE_A = 'https://site-a.example.org/fhir/';
  const SITE_B = 'https://site-b.example.org/fhir/';
  const twoSites = () => ({
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      {
        fullUrl: `${SITE_A}Procedure/fx-1`,
        resource: fractionResource('fx-1', '2026-03-02T09:00:00Z', { extension: [...fractionResource('x', null).extension, cbct()] }),
      },
      {
        fullUrl: `${SITE_B}Procedure/fx-1`,
        resource: fractionResource('fx-1', '2026-03-02T15:00:00Z', { extension: [...fractionResource('x', null).extension, cbct()] }),
      },
      // Site A's physician approves site A's images: a relative reference resolves against site A's base.
      { fullUrl: `${SITE_A}Provenance/ok-a`, resource: approval('ok-a', 'Procedure/fx-1', '2026-03-02T09:30:00Z') },
      { fullUrl: `${SITE_A}Procedure/fx-2`, resource: fractionResource('fx-2', '2026-03-03T09:00:00Z') },
      { fullUrl: `${SITE_B}Procedure/fx-2`, resource: fractionResource('fx-2', '2026-03-03T15:00:00Z') },
    ],
  });

  it('site A’s image approval is counted for site A only; each fraction is named by its fullUrl', () => {
    const d = determineBundle(twoSites(), { asOf: AS_OF });
    const a = d.sessions.find((s) => s.fractions.includes(`${SITE_A}Procedure/fx-1`))!;
    const b = d.sessions.find((s) => s.fractions.includes(`${SITE_B}Procedure/fx-1`))!;
    expect(a.igrtStatus).toBe('billable');
    expect(b.igrtStatus).toBe('not-supportable');
  });

  it('a relative reference that cannot tell the two apart (from an entry without a base) resolves to neither', () => {
    const bare = twoSites();
    bare.entry[2] = {
      fullUrl: 'urn:uuid:4f2b1c9e-8d3a-4e6f-9a7b-2c1d0e9f8a7b',
      resource: approval('ok-a', 'Procedure/fx-1', '2026-03-02T09:30:00Z'),
    };
    const d = determineBundle(bare, { asOf: AS_OF });
    expect(d.sessions.filter((s) => s.igrtStatus === 'billable')).toEqual([]);
  });
});

describe('linear work, bounded work: limits that answer with what was exceeded', () => {
  it('a Procedure whose basedOn lists 20,000 plans absent from the Bundle: 400 naming MAX_REFERENCES_PER_RESOURCE', async () => {
    const { app } = testApp();
    const basedOn = Array.from({ length: 20_000 }, (_, i) => ({ reference: `ServiceRequest/absent-${i}` }));
    const res = await request(app)
      .post('/api/v1/evaluate')
      .send(bundle([fractionResource('fx', '2026-03-02T09:00:00Z', { basedOn })]));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('MAX_REFERENCES_PER_RESOURCE');
  });

  it('under the limit, the same shape is read once per reference (the unread plans are a set, not a list scanned per reference)', () => {
    const basedOn = Array.from({ length: 900 }, (_, i) => ({ reference: `ServiceRequest/absent-${i % 300}` }));
    const d = determineBundle(bundle([fractionResource('fx', '2026-03-02T09:00:00Z', { basedOn })]), { asOf: AS_OF });
    expect(d.sessions).toHaveLength(1);
  });

  it('a Bundle nested 700,000 levels: 400 naming MAX_JSON_DEPTH, and the process goes on', async () => {
    const { app } = testApp({ BODY_LIMIT: '20mb' });
    const deep = `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Basic","x":${'['.repeat(700_000)}${']'.repeat(700_000)}}}]}`;
    const res = await request(app).post('/api/v1/evaluate').set('content-type', 'application/json').send(deep);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('MAX_JSON_DEPTH');
    expect((await request(app).get('/healthz')).status).toBe(200);
  });

  it('depth is checked without recursion, on the text and on parsed values', () => {
    expect(nestsDeeperThan(`${'['.repeat(65)}${']'.repeat(65)}`, 64)).toBe(true);
    expect(nestsDeeperThan('{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', 3)).toBe(false);
    expect(valueDeeperThan(JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`), 64)).toBe(true);
  });

  it('a Bundle with more resources than MAX_RESOURCES_PER_PATIENT: 400 naming the limit', async () => {
    const { app } = testApp({ MAX_RESOURCES_PER_PATIENT: '10' });
    const res = await request(app)
      .post('/api/v1/evaluate')
      .send(bundle(Array.from({ length: 11 }, (_, i) => fractionResource(`fx-${i}`, '2026-03-02T09:00:00Z'))));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('MAX_RESOURCES_PER_PATIENT');
  });

  it('a department’s shared resources are validated once and each patient gets only those it references', () => {
    const stored = [
      { json: JSON.stringify({ resourceType: 'Practitioner', id: 'dr' }), fullUrl: null, origin: { file: 'Practitioner.ndjson', line: 1 } },
      {
        json: JSON.stringify({ resourceType: 'PractitionerRole', id: 'role', practitioner: { reference: 'Practitioner/dr' } }),
        fullUrl: null,
        origin: { file: 'PractitionerRole.ndjson', line: 1 },
      },
      { json: JSON.stringify({ resourceType: 'Practitioner', id: 'other' }), fullUrl: null, origin: { file: 'Practitioner.ndjson', line: 2 } },
      {
        json: JSON.stringify({ resourceType: 'Location', id: 'bad', type: 'not a list' }),
        fullUrl: null,
        origin: { file: 'Location.ndjson', line: 1 },
      },
    ];
    const shared = new SharedResources(stored);
    const needed = shared.needed(referencesIn({ agent: [{ who: { reference: 'PractitionerRole/role' } }] }));
    expect(needed.entries.map((e) => `${e.resource.resourceType}/${e.resource.id}`).sort()).toEqual(['Practitioner/dr', 'PractitionerRole/role']);
    expect(needed.invalid).toEqual([]);
    expect(shared.needed(['Location/bad']).invalid).toEqual([
      expect.objectContaining({ ref: 'Location/bad', origin: { file: 'Location.ndjson', line: 1 } }),
    ]);
  });

  it('a department run gives the event loop a turn while it works: a hook is answered between patients', async () => {
    const golden = scenario('a3').bundle as { entry: { resource: { resourceType: string; id?: string } }[] };
    const items = Array.from({ length: 600 }, (_, i) =>
      golden.entry.map(({ resource }) => ({ ...resource, id: `${resource.id}-${i}`, ...relink(resource, i) })),
    )
      .flat()
      .map((resource, i) => ndjsonItem(JSON.stringify(resource), 'body', i + 1)!);
    let turns = 0;
    const ticker = setInterval(() => (turns += 1), 1);
    await runResources(items, { asOf: AS_OF, record: () => undefined });
    clearInterval(ticker);
    expect(turns).toBeGreaterThan(3);
  });
});

/** The same record for another patient: its references renamed with the same suffix. */
function relink(resource: Record<string, unknown>, i: number): Record<string, unknown> {
  const text = JSON.stringify(resource).replace(
    /"reference":"([A-Za-z]+)\/([A-Za-z0-9\-.]+)"/g,
    (_m, type: string, id: string) => `"reference":"${type}/${id}-${i}"`,
  );
  const { id: _id, ...rest } = JSON.parse(text) as Record<string, unknown>;
  return rest;
}

describe('broken files are error records: the file and line named, the other patients evaluated, exit 3, no bytes echoed', () => {
  const twoPatients = () => {
    const dir = join(tempDir(), 'export');
    writeNdjsonExport(readJson(scenarioFile('a1')), dir);
    writeNdjsonExport(readJson(scenarioFile('a3')), dir);
    return dir;
  };

  it('a line longer than MAX_NDJSON_LINE_BYTES inside a small .ndjson.gz: an error record, the rest read', async () => {
    const dir = twoPatients();
    writeFileSync(join(dir, 'Basic.ndjson.gz'), gzipSync(`{"resourceType":"Basic","note":"${'x'.repeat(5_000_000)}"}\n`));
    const result = await cli(['evaluate', dir, '--format', 'ndjson'], {}, { MAX_NDJSON_LINE_BYTES: '100000' });
    expect(result.code).toBe(3);
    const lines = ndjsonLines(result.stdout);
    expect(lines.filter((l) => 'error' in l)).toEqual([
      { error: expect.objectContaining({ file: join(dir, 'Basic.ndjson.gz'), line: 1, message: expect.stringContaining('MAX_NDJSON_LINE_BYTES') }) },
    ]);
    expect(lines.filter((l) => 'patient' in l && !('error' in l))).toHaveLength(2);
  });

  it('a truncated .ndjson.gz: its patients are not evaluated, the others are and say what could not be checked; nothing invented', async () => {
    const dir = twoPatients();
    const procedures = readFileSync(join(dir, 'Procedure.ndjson'));
    const [first] = procedures.toString().split('\n');
    // The first patient's fraction is read, then the stream stops: the second patient's fraction is lost.
    writeFileSync(join(dir, 'Procedure.ndjson.gz'), gzipSync(procedures).subarray(0, Math.floor(gzipSync(procedures).length * 0.6)));
    writeFileSync(join(dir, 'Procedure.ndjson'), '');
    appendFileSync(
      join(dir, 'ChargeItem.ndjson'),
      `${JSON.stringify({ resourceType: 'ChargeItem', id: 'c1', status: 'billable', code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '77407' }] }, subject: JSON.parse(first!).subject, occurrenceDateTime: '2026-03-02' })}\n`,
    );
    const result = await cli(['evaluate', dir, '--format', 'ndjson']);
    expect(result.code).toBe(3);
    const lines = ndjsonLines(result.stdout);
    const errors = lines.filter((l) => 'error' in l) as { error: { file?: string; patient?: string; message: string } }[];
    expect(errors.some((e) => e.error.file?.endsWith('Procedure.ndjson.gz') && /stops at line/.test(e.error.message))).toBe(true);
    const evaluated = lines.filter((l) => 'patient' in l && !('error' in l)) as { findings: { rule: string }[]; unread?: { kind: string }[] }[];
    for (const line of evaluated) {
      expect(line.findings.map((f) => f.rule)).not.toContain('B-UNMATCHED');
      expect(line.unread?.map((u) => u.kind)).toContain('later-fractions');
    }
    expect(errors.filter((e) => e.error.patient).length + evaluated.length).toBe(2);
  });

  it('a Bundle file nested too deep among good ones: an error record naming it, the others evaluated', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'good.json'), readFileSync(scenarioFile('a1')));
    writeFileSync(join(dir, 'deep.json'), `{"resourceType":"Bundle","entry":${'['.repeat(700_000)}${']'.repeat(700_000)}}`);
    const result = await cli(['evaluate', dir, '--format', 'ndjson']);
    expect(result.code).toBe(3);
    const lines = ndjsonLines(result.stdout);
    expect(lines.filter((l) => 'error' in l)).toEqual([
      { error: expect.objectContaining({ file: join(dir, 'deep.json'), message: expect.stringContaining('MAX_JSON_DEPTH') }) },
    ]);
    expect(lines.filter((l) => 'patient' in l)).toHaveLength(1);
  });

  it('a Bundle file larger than MAX_BUNDLE_FILE_BYTES is not read into memory: an error record', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'big.json'), readFileSync(scenarioFile('a3')));
    writeFileSync(
      join(dir, 'small.json'),
      JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: 'p' } }] }),
    );
    const result = await cli(['evaluate', dir, '--format', 'ndjson'], {}, { MAX_BUNDLE_FILE_BYTES: '5000' });
    expect(result.code).toBe(3);
    expect(ndjsonLines(result.stdout).filter((l) => 'error' in l)).toEqual([
      { error: expect.objectContaining({ file: join(dir, 'big.json'), message: expect.stringContaining('MAX_BUNDLE_FILE_BYTES') }) },
    ]);
  });

  it('stderr never shows the file’s bytes nor a terminal escape from a file name', async () => {
    const dir = tempDir();
    const file = join(dir, 'x\u001b[31mred.json');
    writeFileSync(file, '{"resourceType":"Bundle", "entry": [ PATIENT-NAME-Smith ]}');
    const result = await cli(['evaluate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('\u001b');
    expect(result.stderr).not.toContain('Smith');
    expect(result.stderr).toMatch(/not valid JSON/);
  });
});

describe('hooks: a bounded number of FHIR pages, requests and bytes per call', () => {
  const EHR = 'https://ehr.example.org/fhir';
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  });
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('a server whose searches never end: FHIR_MAX_REQUESTS_PER_HOOK requests at most, and the hook still answers', async () => {
    let requests = 0;
    nock('https://ehr.example.org')
      .persist()
      .get(/\/fhir\/.*/)
      .reply(() => {
        requests += 1;
        return [
          200,
          { resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: `${EHR}/Procedure?page=${requests}` }], entry: [] },
        ];
      });
    const { app } = testApp({ FHIR_MAX_REQUESTS_PER_HOOK: '12', FHIR_SERVER_ALLOWLIST: EHR });
    const res = await request(app)
      .post('/cds-services/rt-billing-encounter-discharge')
      .send(encounterDischargeRequest(scenario('a1'), 'a1-enc-1', { prefetch: false, fhirServer: EHR }));
    expect(res.status).toBeLessThan(500);
    expect(requests).toBeLessThanOrEqual(12);
  });

  it('pages of one search stop at FHIR_MAX_PAGES', async () => {
    let pages = 0;
    nock('https://ehr.example.org')
      .persist()
      .get(/\/fhir\/.*/)
      .reply(() => {
        pages += 1;
        return [200, { resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: `${EHR}/Procedure?page=${pages}` }], entry: [] }];
      });
    const { app } = testApp({ FHIR_MAX_PAGES: '3', FHIR_SERVER_ALLOWLIST: EHR });
    await request(app)
      .post('/cds-services/rt-billing-encounter-discharge')
      .send(encounterDischargeRequest(scenario('a1'), 'a1-enc-1', { prefetch: false, fhirServer: EHR }));
    // Each search the hook makes reads at most 3 pages; the hook makes a handful of searches.
    expect(pages).toBeLessThanOrEqual(3 * 8);
  });
});
