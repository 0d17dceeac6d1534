import nock from 'nock';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { answer } from '../../bench/fhir-stub.js';
import { testApp } from '../helpers/app.js';
import { CASES_DIR, goldenCase, goldenCases } from '../helpers/cases.js';
import { sharedAvailable } from '../helpers/shared.js';
import { EHR, encounterDischargeRequest, orderSignRequest, resourcesOf } from '../helpers/hook-requests.js';
import { depthOf, mockFhirServer, useStandInEhr, type ServerBehaviour } from '../helpers/mock-fhir.js';

/**
 * Round trips to the EHR (issue 24, "Round trips"): every read that depends on no other starts at once, the
 * service's own searches bring signatures, the session's Location and the payer along where the server honours
 * `_revinclude`/`_include`, and Locations, payers and signers are kept per FHIR server for a while. Counted against
 * the stand-in server answering each request after a delay: `depthOf` is the number of sequential round trips.
 * Whatever the plan, the answer is the same: bodies are compared with and without prefetch, with and without includes.
 */
const DISCHARGE = '/cds-services/rt-billing-encounter-discharge';
const ORDER_SIGN = '/cds-services/rt-billing-order-sign';
const HOOK_INSTANCE = '5d1c7a2e-3f4b-4c6d-8e9f-0a1b2c3d4e5f';
/** Long enough that requests of one wave overlap and a follow-up starts after what it waits for has ended. */
const DELAY_MS = 40;
// Golden case acro-4 (acceptance material beside the repository): these tests run where ../shared is, as in CI.
const CASE = 'acro-4-breast-tangents-amm';

useStandInEhr();

const pathsOf = (server: { requests: { path: string }[] }) => server.requests.map((r) => r.path.split('?')[0]!.replace('/fhir/', ''));
const cacheOff = () => testApp({ FHIR_SHARED_CACHE_SECONDS: '0' }).app;

/** One discharge of CASE enc-1 against a fresh stand-in: the answer, the requests and the waves. */
async function discharge(app = cacheOff(), options: Parameters<typeof encounterDischargeRequest>[2], behaviour: ServerBehaviour = {}) {
  nock.cleanAll();
  const server = mockFhirServer(EHR, resourcesOf(goldenCase(CASE)), { ...behaviour, delayMs: DELAY_MS });
  const res = await request(app)
    .post(DISCHARGE)
    .send(encounterDischargeRequest(goldenCase(CASE), 'enc-1', { hookInstance: HOOK_INSTANCE, ...options }));
  expect(res.status).toBe(200);
  return { body: res.body as unknown, requests: server.requests.length, depth: depthOf(server.requests), paths: pathsOf(server) };
}

describe.skipIf(!sharedAvailable)('encounter-discharge without prefetch', () => {
  it('a server that honours _revinclude and _include: 2 round trips (the session and its signatures, the payer and the other searches at once; then the Location and the signers), the same answer as with a full prefetch', async () => {
    const full = await discharge(undefined, { prefetch: true, fhirServer: EHR });
    const none = await discharge(undefined, { prefetch: false, fhirServer: EHR });
    expect(none.body).toEqual(full.body);
    expect(none.depth).toBe(2);
    expect(none.requests).toBeLessThanOrEqual(10);
    // No Provenance?target= and no Organization read: they came with the searches. The Encounter is read (an _id
    // search would turn "not found" into "no data"), so its Location is read in the second wave, beside the signers.
    expect(none.paths.filter((p) => /^(Provenance|Organization)\b/.test(p))).toEqual([]);
    expect(none.paths.filter((p) => p.startsWith('Location/'))).toEqual(['Location/loc-1']);
  });

  it('a server that ignores both silently: 3 round trips at most (the signatures, then their signers, asked after), the same answer', async () => {
    const full = await discharge(undefined, { prefetch: true, fhirServer: EHR });
    const ignored = await discharge(undefined, { prefetch: false, fhirServer: EHR }, { revinclude: false, include: false });
    expect(ignored.body).toEqual(full.body);
    expect(ignored.depth).toBeLessThanOrEqual(3);
    expect(ignored.paths).toContain('Provenance');
    // Silence is not trusted: the Location and the payer are read, beside the signature search.
    expect(ignored.paths.filter((p) => /^(Location|Organization)\//.test(p)).length).toBeGreaterThan(0);
  });

  it('a server that refuses _revinclude and _include (400): asked the templates instead, the same answer, never a 412', async () => {
    const full = await discharge(undefined, { prefetch: true, fhirServer: EHR });
    nock.cleanAll();
    const resources = resourcesOf(goldenCase(CASE));
    const asked: string[] = [];
    nock('https://ehr.example.org')
      .persist()
      .get(/^\/fhir\//)
      .reply((uri) => {
        asked.push(uri);
        if (/[?&]_(rev)?include=/.test(decodeURIComponent(uri)))
          return [400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported' }] }];
        const body = answer(resources, uri.slice('/fhir/'.length), EHR) as { resourceType: string };
        return [body.resourceType === 'OperationOutcome' ? 404 : 200, body];
      });
    const res = await request(cacheOff())
      .post(DISCHARGE)
      .send(encounterDischargeRequest(goldenCase(CASE), 'enc-1', { prefetch: false, fhirServer: EHR, hookInstance: HOOK_INSTANCE }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual(full.body);
    expect(asked.some((uri) => uri.startsWith('/fhir/Procedure?encounter=enc-1') && !uri.includes('_revinclude'))).toBe(true);
  });

  it('the first wave holds the session and every search that does not depend on it', async () => {
    const { paths, depth } = await discharge(undefined, { prefetch: false, fhirServer: EHR });
    expect(depth).toBe(2);
    nock.cleanAll();
    const server = mockFhirServer(EHR, resourcesOf(goldenCase(CASE)), { delayMs: DELAY_MS });
    await request(cacheOff())
      .post(DISCHARGE)
      .send(encounterDischargeRequest(goldenCase(CASE), 'enc-1', { prefetch: false, fhirServer: EHR }));
    const firstEnd = Math.min(...server.requests.map((r) => r.end ?? Infinity));
    const firstWave = server.requests.filter((r) => r.start < firstEnd).map((r) => r.path.split('?')[0]!.replace('/fhir/', ''));
    expect(firstWave.sort()).toEqual([
      'Appointment',
      'Coverage',
      'DocumentReference',
      'Encounter/enc-1',
      'Procedure',
      'Procedure',
      'Procedure',
      'ServiceRequest',
    ]);
    expect(paths.length).toBeGreaterThan(firstWave.length); // the signers, read once their Provenance is in
  });

  it('a session closed after later fractions: the fractions after it and its AMM records (with their signatures) in one more wave', async () => {
    // acro-4's enc-1 has a later session; with prefetch limited to one fraction and one record, the follow-ups are needed.
    const full = await discharge(undefined, { prefetch: true, fhirServer: EHR });
    const paged = await discharge(undefined, { prefetch: false, fhirServer: EHR }, { pageSize: 1 });
    expect(paged.body).toEqual(full.body);
    expect(paged.depth).toBeLessThanOrEqual(3 + 2); // pages of the unbounded searches are sequential by nature
  });
});

describe.skipIf(!sharedAvailable)('an encounter that is no treatment session', () => {
  it('no cards after one round trip; the searches started beside it read no further page once the hook has answered', async () => {
    nock.cleanAll();
    // The session's search answers first, so the hook has answered before any other search has its first page.
    const delayMs = (path: string) => (path.includes('/Procedure?encounter=') ? DELAY_MS / 4 : DELAY_MS);
    const server = mockFhirServer(EHR, resourcesOf(goldenCase(CASE)), { delayMs, pageSize: 1 });
    const res = await request(cacheOff())
      .post(DISCHARGE)
      .send(encounterDischargeRequest(goldenCase(CASE), 'clinic-visit-1', { prefetch: false, fhirServer: EHR }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cards: [] });
    await new Promise((resolve) => setTimeout(resolve, 4 * DELAY_MS));
    expect(depthOf(server.requests)).toBe(1);
    expect(server.requests.length).toBe(8);
  });
});

describe.skipIf(!sharedAvailable)('encounter-discharge with prefetch', () => {
  it('a full prefetch (the Location and the payer included): only the signers are read, in one round trip; none once they are cached', async () => {
    const app = testApp().app;
    const first = await discharge(app, { prefetch: true, fhirServer: EHR });
    expect(first.depth).toBeLessThanOrEqual(1);
    expect(first.paths.every((p) => /^Practitioner(Role)?\//.test(p))).toBe(true);
    const second = await discharge(app, { prefetch: true, fhirServer: EHR });
    expect(second.requests).toBe(0);
    expect(second.body).toEqual(first.body);
  });

  it('the recommended keys only, a server that ignores _revinclude: one round trip for the signatures, Location and payer beside it', async () => {
    const full = await discharge(undefined, { prefetch: true, fhirServer: EHR });
    const recommended = await discharge(undefined, { prefetch: { recommendedOnly: true }, fhirServer: EHR }, { revinclude: false });
    expect(recommended.body).toEqual(full.body);
    // The Location and the payer do not wait for the signatures; the signers do.
    expect(recommended.depth).toBeLessThanOrEqual(2);
    const app = testApp().app;
    await discharge(app, { prefetch: { recommendedOnly: true }, fhirServer: EHR }, { revinclude: false });
    const warm = await discharge(app, { prefetch: { recommendedOnly: true }, fhirServer: EHR }, { revinclude: false });
    expect(warm.depth).toBe(1);
    expect(warm.paths.every((p) => p === 'Provenance')).toBe(true);
    expect(warm.body).toEqual(full.body);
  });
});

describe.skipIf(!sharedAvailable)('every golden session: the same answer whatever the plan', () => {
  const sessions = (sharedAvailable ? goldenCases(CASES_DIR) : []).flatMap((golden) =>
    [
      ...new Set(
        resourcesOf(golden)
          .filter((r) => r.resourceType === 'Procedure' && r.status === 'completed')
          .map((r) => (r.encounter as { reference: string }).reference.split('/')[1]!),
      ),
    ].map((encounter) => [golden.name, encounter] as const),
  );

  it.each(sessions)('%s %s: full prefetch, none, none with includes ignored, recommended keys only, a warm cache', async (name, encounter) => {
    const golden = goldenCase(name);
    const call = async (
      app: ReturnType<typeof cacheOff>,
      options: Parameters<typeof encounterDischargeRequest>[2],
      behaviour: ServerBehaviour = {},
    ) => {
      nock.cleanAll();
      mockFhirServer(EHR, resourcesOf(golden), behaviour);
      const res = await request(app)
        .post(DISCHARGE)
        .send(encounterDischargeRequest(golden, encounter, { hookInstance: HOOK_INSTANCE, fhirServer: EHR, ...options }));
      return { status: res.status, body: res.body as unknown };
    };
    const reference = await call(cacheOff(), { prefetch: true });
    expect(reference.status).toBe(200);
    expect(await call(cacheOff(), { prefetch: false })).toEqual(reference);
    expect(await call(cacheOff(), { prefetch: false }, { revinclude: false, include: false })).toEqual(reference);
    expect(await call(cacheOff(), { prefetch: { recommendedOnly: true, revinclude: false } }, { revinclude: false })).toEqual(reference);
    const warm = testApp().app;
    await call(warm, { prefetch: false });
    expect(await call(warm, { prefetch: false })).toEqual(reference);
  });
});

describe.skipIf(!sharedAvailable)('order-sign', () => {
  // Read lazily: a skipped describe still runs its body's top level.
  const golden = {
    get bundle() {
      return goldenCase(CASE).bundle;
    },
  };
  const sign = async (app: ReturnType<typeof cacheOff>, prefetch: boolean) => {
    nock.cleanAll();
    const server = mockFhirServer(EHR, resourcesOf(golden), { delayMs: DELAY_MS });
    const res = await request(app)
      .post(ORDER_SIGN)
      .send(orderSignRequest(golden, { prefetch, fhirServer: EHR, hookInstance: HOOK_INSTANCE }));
    expect(res.status).toBe(200);
    return { body: res.body as unknown, depth: depthOf(server.requests), paths: pathsOf(server) };
  };

  it('without prefetch: one round trip (the keys, the payer with the coverage, the requesters beside them); the same answer', async () => {
    const full = await sign(cacheOff(), true);
    const none = await sign(cacheOff(), false);
    expect(none.body).toEqual(full.body);
    expect(none.depth).toBe(1);
  });

  it('with prefetch and a warm cache: no round trip', async () => {
    const app = testApp().app;
    const first = await sign(app, true);
    const second = await sign(app, true);
    expect(second.paths).toEqual([]);
    expect(second.body).toEqual(first.body);
  });
});

describe.skipIf(!sharedAvailable)('the cache of Locations, payers and signers', () => {
  it('is never filled from what a caller sends: a Location planted in prefetch is not what the next call sees', async () => {
    const app = testApp().app;
    const planted = encounterDischargeRequest(goldenCase(CASE), 'enc-1', { prefetch: true, fhirServer: EHR }) as unknown as {
      prefetch: { sessionLocation: { entry: { resource: { resourceType: string; name?: string } }[] } };
    };
    for (const entry of planted.prefetch.sessionLocation.entry) if (entry.resource.resourceType === 'Location') entry.resource.name = 'planted';
    nock.cleanAll();
    mockFhirServer(EHR, resourcesOf(goldenCase(CASE)));
    await request(app).post(DISCHARGE).send(planted);
    const next = await discharge(app, { prefetch: false, fhirServer: EHR }, { include: false });
    expect(next.paths.some((p) => p.startsWith('Location/'))).toBe(true);
  });

  it('is per FHIR server: another server is asked itself', async () => {
    const app = testApp().app;
    await discharge(app, { prefetch: false, fhirServer: EHR });
    const other = 'https://other-ehr.example.org/fhir';
    nock.cleanAll();
    const server = mockFhirServer(other, resourcesOf(goldenCase(CASE)), { include: false });
    const res = await request(app)
      .post(DISCHARGE)
      .send(encounterDischargeRequest(goldenCase(CASE), 'enc-1', { prefetch: false, fhirServer: other }));
    expect(res.status).toBe(200);
    expect(pathsOf(server).some((p) => p.startsWith('Location/'))).toBe(true);
  });
});
