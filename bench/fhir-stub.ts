import { createServer, type Server } from 'node:http';

/**
 * A stand-in for an EHR's FHIR server: reads by id and the searches the hooks make, with the behaviours real EHRs
 * show — `_revinclude` and `_include` honoured or silently ignored, results split into pages with `next` links. The
 * tests serve it through nock (test/helpers/mock-fhir.ts); the benchmark serves it over HTTP with a delay per request
 * (a slow EHR), and both count the sequential round trips a hook call makes ({@link depthOf}).
 */
export type Resource = Record<string, unknown> & { resourceType: string; id?: string };

export interface ServerBehaviour {
  /** Honour `_revinclude=Provenance:target` (default). `false`: ignore it silently, as many EHR servers do. */
  readonly revinclude?: boolean;
  /** Honour `_include` (default). `false`: ignore it silently. */
  readonly include?: boolean;
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

/** Where an `_include` finds its targets, when the element is not named as the search parameter. */
const INCLUDE_PATHS: Record<string, (r: Resource) => string[]> = {
  'Encounter:location': (r) => refs(((r.location ?? []) as { location?: unknown }[]).map((l) => l.location)),
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
  const includes = url.searchParams.getAll('_include');
  const includeHonoured = behaviour.include !== false && includes.length > 0;
  if (includeHonoured) {
    for (const value of includes) {
      const [sourceType, param] = value.split(':');
      const wanted = new Set(
        shown.filter((m) => m.resourceType === sourceType).flatMap((m) => (INCLUDE_PATHS[value] ?? ((r) => refs(r[param!])))(m)),
      );
      for (const r of resources) if (wanted.has(`${r.resourceType}/${r.id}`) && !included.includes(r)) included.push(r);
    }
  }
  const self = new URL(url);
  if (!honoured) self.searchParams.delete('_revinclude');
  if (!includeHonoured) self.searchParams.delete('_include');
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

/** One request the stand-in answered: its path and when it started and ended (performance.now(), ms). */
export interface TimedRequest {
  readonly path: string;
  readonly start: number;
  end?: number;
}

/**
 * The sequential round trips (waves) the requests took: a request that started before another ended runs beside it;
 * one that started only after another ended may have waited for its answer. Depth = the longest chain of requests
 * each started after the previous one ended (0 for none).
 */
export function depthOf(requests: readonly TimedRequest[]): number {
  const sorted = [...requests].sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  sorted.forEach((request, i) => {
    let deepest = 0;
    for (let j = 0; j < i; j++) if ((sorted[j]!.end ?? Infinity) <= request.start) deepest = Math.max(deepest, depth[j]!);
    depth.push(deepest + 1);
  });
  return Math.max(0, ...depth);
}

/** The stand-in over HTTP on 127.0.0.1, every answer after `delayMs` (a slow EHR): for the benchmark. */
export interface FhirStub {
  readonly base: string;
  readonly requests: TimedRequest[];
  close(): Promise<void>;
}

export async function startFhirStub(resources: readonly Resource[], delayMs: number, behaviour: ServerBehaviour = {}): Promise<FhirStub> {
  const requests: TimedRequest[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const timed: TimedRequest = { path: req.url ?? '', start: performance.now() };
    requests.push(timed);
    setTimeout(() => {
      const body = answer(resources, (req.url ?? '').replace(/^\/fhir\//, ''), base, behaviour) as { resourceType: string };
      res.writeHead(body.resourceType === 'OperationOutcome' ? 404 : 200, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(body), () => {
        timed.end = performance.now();
      });
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/fhir`;
  return {
    base,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
