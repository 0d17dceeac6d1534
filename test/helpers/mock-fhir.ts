import nock from 'nock';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { answer, type Resource, type ServerBehaviour, type TimedRequest } from '../../bench/fhir-stub.js';
import type { CdsService } from '../../src/cds/service.js';

/**
 * A stand-in for an EHR's FHIR server, in the test process (bench/fhir-stub.ts: reads by id and the searches the
 * hooks make, `_revinclude`/`_include` honoured or silently ignored, pages with `next` links). The same search
 * function fills prefetch (as the EHR would) and answers the service's own requests (nock).
 */
export { answer, depthOf, type ServerBehaviour } from '../../bench/fhir-stub.js';

export interface MockFhirServer {
  readonly requests: ({ path: string; authorization: string | undefined } & TimedRequest)[];
}

/**
 * The stand-in served on `base` through nock: every GET under it is answered from the resources, after `delayMs`
 * when given (per path if a function; then `depthOf(server.requests)` counts the sequential round trips of a call).
 */
export function mockFhirServer(
  base: string,
  resources: readonly Resource[],
  behaviour: ServerBehaviour & { readonly delayMs?: number | ((path: string) => number) } = {},
): MockFhirServer {
  const url = new URL(base);
  const prefix = url.pathname.replace(/\/$/, '');
  const state: MockFhirServer = { requests: [] };
  nock(url.origin)
    .persist()
    .get((path) => path.startsWith(`${prefix}/`))
    .reply(function reply(uri, _body, callback) {
      const request: MockFhirServer['requests'][number] = {
        path: uri,
        authorization: this.req.headers.authorization as string | undefined,
        start: performance.now(),
      };
      state.requests.push(request);
      const body = answer(resources, uri.slice(prefix.length + 1), base, behaviour) as { resourceType: string };
      setTimeout(
        () => {
          request.end = performance.now();
          callback(null, [body.resourceType === 'OperationOutcome' ? 404 : 200, body]);
        },
        (typeof behaviour.delayMs === 'function' ? behaviour.delayMs(uri) : behaviour.delayMs) ?? 0,
      );
    });
  return state;
}

/** Which prefetch keys the EHR fills. */
export interface PrefetchPlan extends ServerBehaviour {
  /** Keys the EHR leaves out (it MUST NOT send a key it chose not to satisfy). Default: none. */
  readonly omit?: readonly string[];
  /** Keys with no data, sent as `null`. */
  readonly nulls?: readonly string[];
  /** Only the keys that use the recommended query subset (no `_revinclude`, no `_include`): the others are left out. */
  readonly recommendedOnly?: boolean;
}

/** A service's prefetch as an EHR fills it from these resources: each template resolved and answered. */
export function prefetchFor(
  service: CdsService,
  context: Record<string, unknown>,
  resources: readonly Resource[],
  base: string,
  plan: PrefetchPlan = {},
): Record<string, unknown> {
  const prefetch: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(service.prefetch)) {
    if (plan.omit?.includes(key) || (plan.recommendedOnly && /[?&]_(rev)?include=/.test(spec.template))) continue;
    if (plan.nulls?.includes(key)) {
      prefetch[key] = null;
      continue;
    }
    const query = spec.template.replace(/\{\{\s*context\.([A-Za-z]+)\s*\}\}/g, (_t, name: string) => encodeURIComponent(String(context[name])));
    const value = answer(resources, query, base, plan) as { resourceType: string; entry?: unknown[] };
    // "If the CDS Client has no data to populate a template prefetch key, the prefetch template key MUST have a value of null."
    prefetch[key] = value.resourceType === 'OperationOutcome' || (value.resourceType === 'Bundle' && (value.entry ?? []).length === 0) ? null : value;
  }
  return prefetch;
}

/**
 * For a test file that calls the hooks against stand-in EHR servers: no real network beyond this machine, the
 * stand-ins cleared after each test, and one clock (suggested resources carry the call's time: `created`,
 * `authoredOn`), so two calls are comparable.
 */
export function useStandInEhr(now = '2026-11-25T12:00:00Z'): void {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    vi.useFakeTimers({ toFake: ['Date'], now: new Date(now) });
  });
  afterAll(() => vi.useRealTimers());
  afterEach(() => nock.cleanAll());
}
