import nock from 'nock';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import type { CdsService } from '../../src/cds/service.js';

/**
 * A stand-in for an EHR's FHIR server, in the test process: reads by id and the searches the hooks make, with the
 * behaviours real EHRs show — `_revinclude` honoured or silently ignored, results split into pages with `next`
 * links. The same search function fills prefetch (as the EHR would) and answers the service's own requests (nock).
 */
type Resource = Record<string, unknown> & { resourceType: string; id?: string };

export interface ServerBehaviour {
  /** Honour `_revinclude=Provenance:target` (default). `false`: ignore it silently, as many EHR servers do. */
  readonly revinclude?: boolean;
  /** Split search results into pages of this many matches, with `next` links (default: one page, or `_count`). */
  readonly pageSize?: number;
}

const refs = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(refs);
  const ref = (value as { reference?: string } | undefined)?.reference;
  return ref ? [ref.split('/').slice(-2).join('/')] : [];
};
const codings = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(codings);
  return ((value as { coding?: { system?: string; code?: string }[] } | undefined)?.coding ?? []).map((c) => `${c.system}|${c.code}`);
};
/** A reference search value, with or without its type (`patient=123` or `patient=Patient/123`). */
const matchesReference = (values: string[], type: string, wanted: string) =>
  wanted.split(',').some((w) => values.includes(w.includes('/') ? w : `${type}/${w}`));

const dateOf = (r: Resource): string | undefined =>
  r.resourceType === 'Procedure'
    ? ((r.performedPeriod as { start?: string } | undefined)?.start ?? (r.performedDateTime as string | undefined))
    : r.resourceType === 'DocumentReference'
      ? ((r.date as string | undefined) ?? (r.context as { period?: { start?: string } } | undefined)?.period?.start)
      : undefined;

function matchesDate(r: Resource, value: string): boolean {
  const [, prefix = 'eq', text] = /^(eq|gt|lt|ge|le)?(.+)$/.exec(value) ?? [];
  const own = Date.parse(dateOf(r) ?? '');
  const wanted = Date.parse(text ?? '');
  if (Number.isNaN(own) || Number.isNaN(wanted)) return false;
  return { eq: own === wanted, gt: own > wanted, lt: own < wanted, ge: own >= wanted, le: own <= wanted }[prefix as 'eq'];
}

/** Search parameters the stand-in understands, by name: what a resource must satisfy. */
const MATCHERS: Record<string, (r: Resource, value: string) => boolean> = {
  patient: (r, v) =>
    matchesReference(
      [...refs(r.subject), ...refs(r.patient), ...refs(r.beneficiary), ...refs(((r.participant ?? []) as { actor?: unknown }[]).map((p) => p.actor))],
      'Patient',
      v,
    ),
  encounter: (r, v) =>
    matchesReference([...refs(r.encounter), ...refs((r.context as { encounter?: unknown } | undefined)?.encounter)], 'Encounter', v),
  code: (r, v) => v.split(',').some((c) => codings(r.code).includes(c)),
  type: (r, v) => v.split(',').some((c) => codings(r.type).includes(c)),
  status: (r, v) => v.split(',').includes(String(r.status)),
  use: (r, v) => v.split(',').includes(String(r.use)),
  target: (r, v) => refs(r.target).some((t) => v.split(',').includes(t)),
  related: (r, v) => refs((r.context as { related?: unknown } | undefined)?.related).some((t) => v.split(',').includes(t)),
  date: matchesDate,
  _id: (r, v) => v.split(',').includes(String(r.id)),
};

/** Answers a read (`Type/id`) or a search (`Type?…`) on the resources, as the EHR's server would. */
export function answer(resources: readonly Resource[], query: string, base: string, behaviour: ServerBehaviour = {}): unknown {
  const url = new URL(query.replace(/^\/+/, ''), `${base.replace(/\/$/, '')}/`);
  const path = url.pathname.slice(new URL(base).pathname.replace(/\/$/, '').length + 1);
  const [type, id] = path.split('/');
  if (id) {
    const found = resources.find((r) => r.resourceType === type && r.id === id);
    return found ?? { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] };
  }
  const params = [...url.searchParams.entries()];
  let matches = resources.filter(
    (r) =>
      r.resourceType === type &&
      params.every(([name, value]) => (name.startsWith('_') && name !== '_id' ? true : (MATCHERS[name]?.(r, value) ?? true))),
  );
  const sort = url.searchParams.get('_sort');
  if (sort) {
    const desc = sort.startsWith('-');
    matches = [...matches].sort((a, b) => (Date.parse(dateOf(a) ?? '') - Date.parse(dateOf(b) ?? '')) * (desc ? -1 : 1));
  }
  const count = Number(url.searchParams.get('_count') ?? behaviour.pageSize ?? matches.length) || matches.length;
  const pageSize = Math.max(1, Math.min(count, behaviour.pageSize ?? count));
  const page = Number(url.searchParams.get('_page') ?? '1');
  const shown = matches.slice((page - 1) * pageSize, page * pageSize);
  const included: Resource[] = [];
  const revinclude = url.searchParams.getAll('_revinclude');
  const honoured = behaviour.revinclude !== false && revinclude.length > 0;
  if (honoured) {
    for (const value of revinclude) {
      const [includeType, param] = value.split(':');
      for (const r of resources) {
        if (
          r.resourceType === includeType &&
          refs(r[param!]).some((t) => shown.some((m) => `${m.resourceType}/${m.id}` === t)) &&
          !included.includes(r)
        )
          included.push(r);
      }
    }
  }
  const self = new URL(url);
  if (!honoured) self.searchParams.delete('_revinclude');
  const next = new URL(url);
  next.searchParams.set('_page', String(page + 1));
  const hasNext = page * pageSize < matches.length;
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: matches.length,
    link: [{ relation: 'self', url: self.toString() }, ...(hasNext ? [{ relation: 'next', url: next.toString() }] : [])],
    entry: [
      ...shown.map((resource) => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'match' } })),
      ...included.map((resource) => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'include' } })),
    ],
  };
}

export interface MockFhirServer {
  readonly requests: { path: string; authorization: string | undefined }[];
}

/** The stand-in served on `base` through nock: every GET under it is answered from the resources. */
export function mockFhirServer(base: string, resources: readonly Resource[], behaviour: ServerBehaviour = {}): MockFhirServer {
  const url = new URL(base);
  const prefix = url.pathname.replace(/\/$/, '');
  const state: MockFhirServer = { requests: [] };
  nock(url.origin)
    .persist()
    .get((path) => path.startsWith(`${prefix}/`))
    .reply(function reply(uri) {
      state.requests.push({ path: uri, authorization: this.req.headers.authorization as string | undefined });
      const body = answer(resources, uri.slice(prefix.length + 1), base, behaviour) as { resourceType: string };
      return [body.resourceType === 'OperationOutcome' ? 404 : 200, body];
    });
  return state;
}

/** Which prefetch keys the EHR fills. */
export interface PrefetchPlan extends ServerBehaviour {
  /** Keys the EHR leaves out (it MUST NOT send a key it chose not to satisfy). Default: none. */
  readonly omit?: readonly string[];
  /** Keys with no data, sent as `null`. */
  readonly nulls?: readonly string[];
  /** Only the keys that use the recommended query subset (no `_revinclude`): the others are left out. */
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
    if (plan.omit?.includes(key) || (plan.recommendedOnly && spec.template.includes('_revinclude'))) continue;
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
