import type Client from 'fhirclient/lib/Client';
import { fhirProblem, Problem } from './problems.js';
import { tokenExpired } from './session.js';

export type Resource = { resourceType: string; id?: string; [key: string]: unknown };

export const TREATED_FRACTION = 'http://snomed.info/sct|1297069006';
export const AMM_RECORD = 'https://rt-billing-cds.example/fhir/CodeSystem/rt-document-type|amm-record';
/** A FHIR request that takes longer is treated as a server that does not answer. */
const REQUEST_TIMEOUT_MS = 30_000;
/**
 * FHIR requests in flight at once. A browser opens at most 6 connections to one server (HTTP/1.1), and the CORS
 * preflight of a request with a bearer token takes one of them: more would only queue inside the browser, where a
 * request's preflight can wait behind another request's answer.
 */
export const PARALLEL_REQUESTS = 6;
/** Matches asked for per page: a long course and its signatures on one page. Servers cap it at their own maximum and say `next`. */
const PAGE_SIZE = 1000;
/** Pages of one search followed at most (× the server's page size); a record beyond is refused, not cut short. */
const MAX_PAGES = 50;
/** Targets per Provenance search, or ids per `_id` search, when they must be asked for: the URL stays short. */
const PER_SEARCH = 40;

/** The course as the service's API takes it. */
export interface CourseBundle {
  resourceType: 'Bundle';
  type: 'collection';
  entry: { fullUrl: string; resource: Resource }[];
}

/** The reads of one review: the Patient (the banner) as soon as it arrives, the course once every read is done. */
export interface CourseReading {
  readonly patient: Promise<Resource>;
  readonly course: Promise<CourseBundle>;
}

/**
 * The patient's searches, all started at once beside the Patient read (none depends on another), those with the most
 * to bring first. `brings`: what the server may send along with the matches (`_revinclude`, `_include`), kept only
 * for the types in `keep`; it counts only where the answer shows it was honoured, as for the service's own searches
 * (src/fhir/parse.ts): a server that ignores it silently says nothing about signatures, and they are asked for.
 */
const SEARCHES = {
  // Every Procedure: fractions, and the phase, plan and course summaries and unstructured radiotherapy records too.
  procedures: { query: (s: string) => `Procedure?patient=${s}`, brings: '_revinclude=Provenance:target', keep: ['Provenance'] },
  records: {
    query: (s: string) => `DocumentReference?patient=${s}&type=${encodeURIComponent(AMM_RECORD)}`,
    brings: '_revinclude=Provenance:target',
    keep: ['Provenance'],
  },
  encounters: { query: (s: string) => `Encounter?patient=${s}`, brings: '_include=Encounter:location', keep: ['Location'] },
  coverage: { query: (s: string) => `Coverage?patient=${s}&status=active`, brings: '_include=Coverage:payor', keep: ['Organization'] },
  requests: {
    query: (s: string) => `ServiceRequest?patient=${s}`,
    brings: '_include=ServiceRequest:requester',
    keep: ['Practitioner', 'PractitionerRole'],
  },
  claims: { query: (s: string) => `Claim?patient=${s}&use=preauthorization` },
  responses: { query: (s: string) => `ClaimResponse?patient=${s}&use=preauthorization` },
  // What the payer paid (spec E): optional — an EHR that does not hold or share it only costs the payment column.
  payments: { query: (s: string) => `ExplanationOfBenefit?patient=${s}`, optional: true },
} satisfies Record<string, { query: (subject: string) => string; brings?: string; keep?: string[]; optional?: boolean }>;

/** What a search gave: its matches, what came along (of the kept types), and whether every page showed `brings` honoured. */
interface Found {
  readonly matches: Resource[];
  readonly along: Resource[];
  readonly honoured: boolean;
}

interface SearchBundle {
  resourceType?: string;
  link?: { relation?: string; url?: string }[];
  entry?: { resource?: Resource; search?: { mode?: string } }[];
}

/** What a server that does not support a search parameter answers. */
const REFUSED_PARAMETER = [400, 422, 501];

const statusOf = (error: unknown): number | undefined =>
  (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;

function classify(client: Client, error: unknown): Problem {
  if (error instanceof Problem) return error;
  return fhirProblem(statusOf(error), tokenExpired(client));
}

const refOf = (value: unknown): string | undefined => (value as { reference?: string } | undefined)?.reference?.split('/').slice(-2).join('/');
const keyOf = (resource: Resource) => `${resource.resourceType}/${resource.id}`;
const chunked = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Runs tasks at most `limit` at a time, in the order they were asked for; `first` ones (what other reads wait for:
 * a search's next pages, the signatures the signers wait for) before those already waiting.
 */
function inTurns(limit: number): <T>(task: () => Promise<T>, first?: boolean) => Promise<T> {
  let running = 0;
  const waiting: { first: (() => void)[]; rest: (() => void)[] } = { first: [], rest: [] };
  return (task, first = false) =>
    new Promise((resolve, reject) => {
      const start = () => {
        running += 1;
        task()
          .then(resolve, reject)
          .finally(() => {
            running -= 1;
            (waiting.first.shift() ?? waiting.rest.shift())?.();
          });
      };
      if (running < limit) start();
      else waiting[first ? 'first' : 'rest'].push(start);
    });
}

/** An answer shows `brings` honoured when it marks included entries or echoes the parameter in its `self` link. */
function showsHonoured(page: SearchBundle, brings: string): boolean {
  if ((page.entry ?? []).some((e) => e.search?.mode === 'include')) return true;
  let self = page.link?.find((l) => l.relation === 'self')?.url ?? '';
  try {
    self = decodeURIComponent(self);
  } catch {
    // a self link that does not decode is read as written
  }
  return new RegExp(`[?&]${brings.split('=')[0]}(:[a-z]+)?=`, 'i').test(self);
}

/**
 * Reads the patient's radiotherapy course from the EHR's FHIR server: fractions, orders and plans, AMM records,
 * signatures, sessions and their locations, coverage and payer, preauthorizations, payments, and the practitioners
 * named. Two waves where the server honours `_revinclude`/`_include`: the Patient and every search at once (at most
 * PARALLEL_REQUESTS in flight), then what they name and did not bring. Where it does not, the same plan asks for the
 * signatures, locations and payer in the second wave, and the signers in a third. Every page is followed.
 */
export function readCourse(client: Client): CourseReading {
  const patientId = client.getPatientId();
  if (!patientId) throw new Problem('invalid', 'The launch did not name a patient.');
  const subject = `Patient/${patientId}`;
  const base = client.state.serverUrl.replace(/\/$/, '');
  const inTurn = inTurns(PARALLEL_REQUESTS);
  const request = (url: string, first = false): Promise<unknown> =>
    inTurn(() => client.request({ url, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }) as Promise<unknown>, first);
  const get = (url: string, first = false): Promise<unknown> =>
    request(url, first).catch((error: unknown) => {
      throw classify(client, error);
    });

  /** A search and its next pages (on this server only, at most MAX_PAGES). */
  const search = async (query: string, brings?: string, keep: readonly string[] = [], first = false): Promise<Found> => {
    const type = query.split('?')[0];
    const sep = query.includes('?') ? '&' : '?';
    let page: SearchBundle;
    try {
      page = (await request(`${query}${sep}_count=${PAGE_SIZE}${brings ? `&${brings}` : ''}`, first)) as SearchBundle;
    } catch (error) {
      // A server that refuses the parameter (400, 422, 501) is asked the plain search, as the service does.
      if (brings && REFUSED_PARAMETER.includes(statusOf(error) ?? 0)) return search(query, undefined, [], true);
      throw classify(client, error);
    }
    const found = { matches: [] as Resource[], along: [] as Resource[], honoured: !!brings };
    for (let pages = 1; ; pages++) {
      if (page?.resourceType !== 'Bundle') throw new Problem('fhir-server-down', `The FHIR server did not answer a ${type} search with a Bundle.`);
      for (const { resource } of page.entry ?? []) {
        if (!resource?.resourceType || resource.resourceType === 'OperationOutcome') continue;
        if (resource.resourceType === type) found.matches.push(resource);
        else if (keep.includes(resource.resourceType)) found.along.push(resource);
      }
      if (brings && !showsHonoured(page, brings)) found.honoured = false;
      const next = page.link?.find((l) => l.relation === 'next')?.url;
      if (!next) return found;
      if (!next.startsWith(`${base}/`))
        throw new Problem('invalid', `The FHIR server's ${type} search sent its next page to another server; the app reads from ${base} only.`);
      if (pages >= MAX_PAGES) throw new Problem('invalid', `The ${type} search has more than ${MAX_PAGES} pages: more than the app reads.`);
      page = (await get(next, true)) as SearchBundle;
    }
  };
  const none: Found = { matches: [], along: [], honoured: false };
  const searchFor = (plan: { query: (s: string) => string; brings?: string; keep?: string[]; optional?: boolean }) => {
    const found = search(plan.query(subject), plan.brings, plan.keep);
    return plan.optional ? found.catch(() => none) : found;
  };

  // First in line: the banner waits for nothing else.
  const patient = get(subject) as Promise<Resource>;
  const procedures = searchFor(SEARCHES.procedures);
  const records = searchFor(SEARCHES.records);
  const encounters = searchFor(SEARCHES.encounters);
  const coverage = searchFor(SEARCHES.coverage);
  const requests = searchFor(SEARCHES.requests);
  const claims = searchFor(SEARCHES.claims);
  const responses = searchFor(SEARCHES.responses);
  const payments = searchFor(SEARCHES.payments);

  // Signatures: brought along where the server honoured _revinclude, else asked for by target.
  const signatures = Promise.all([procedures, records]).then(async (searches) => {
    const brought = searches.flatMap((s) => (s.honoured ? s.along : []));
    const targets = searches.flatMap((s) => (s.honoured ? [] : s.matches.map(keyOf)));
    const asked = await Promise.all(
      chunked(targets, PER_SEARCH).map((chunk) =>
        search(`Provenance?target=${encodeURIComponent(chunk.join(','))}`, undefined, [], true).then((f) => f.matches),
      ),
    );
    return [...brought, ...asked.flat()];
  });

  // The sessions' Locations and the payer: those not brought along are read. A missing one only costs the estimate.
  const read = async (ref: string): Promise<Resource[]> => {
    try {
      return [(await get(ref)) as Resource];
    } catch (error) {
      if ((error as Problem).kind !== 'fhir-server-down') throw error;
      return [];
    }
  };
  const places = Promise.all([encounters, coverage]).then(async ([e, c]) => {
    const wanted = [
      ...e.matches.flatMap((encounter) => ((encounter.location as { location?: unknown }[] | undefined) ?? []).map((l) => refOf(l.location))),
      ...c.matches.map((coverage) => refOf((coverage.payor as unknown[] | undefined)?.[0])),
    ].filter((ref): ref is string => !!ref && /^(Location|Organization)\//.test(ref));
    return fetchMissing(wanted, [...e.along, ...c.along], (missing) => Promise.all(missing.map(read)).then((lists) => lists.flat()));
  });

  // The practitioners who performed, ordered or signed (their NPI for the CSV export), those not brought along in
  // one `_id` search per type. Optional: a search the EHR refuses (no Practitioner scope) costs only the NPI column.
  const people = Promise.all([procedures, requests, signatures]).then(([p, r, s]) => {
    const wanted = [
      ...p.matches.flatMap((procedure) => ((procedure.performer as { actor?: unknown }[] | undefined) ?? []).map((x) => refOf(x.actor))),
      ...r.matches.map((request) => refOf(request.requester)),
      ...s.flatMap((signature) => ((signature.agent as { who?: unknown }[] | undefined) ?? []).map((a) => refOf(a.who))),
    ].filter((ref): ref is string => !!ref && /^Practitioner(Role)?\/[A-Za-z0-9\-.]{1,64}$/.test(ref));
    return fetchMissing(wanted, r.along, async (missing) => {
      const asked = ['Practitioner', 'PractitionerRole'].flatMap((type) =>
        chunked(
          missing.filter((ref) => ref.startsWith(`${type}/`)).map((ref) => ref.slice(type.length + 1)),
          PER_SEARCH,
        ).map((ids) =>
          search(`${type}?_id=${ids.join(',')}`).then(
            (f) => f.matches,
            () => [],
          ),
        ),
      );
      return (await Promise.all(asked)).flat();
    });
  });

  const course = Promise.all([procedures, requests, records, encounters, coverage, claims, responses, payments]).then(async (found) => {
    const seen = new Set<string>();
    const entry = [...found.flatMap((f) => f.matches), ...(await signatures), ...(await places), ...(await people)]
      .filter((resource) => {
        const key = keyOf(resource);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .map((resource) => ({ fullUrl: `${base}/${keyOf(resource)}`, resource }));
    return { resourceType: 'Bundle' as const, type: 'collection' as const, entry };
  });
  // The caller waits for the Patient first: a failed search must not be an unhandled rejection meanwhile.
  course.catch(() => undefined);
  for (const derived of [signatures, places, people]) derived.catch(() => undefined);
  return { patient, course };
}

/** The resources `wanted` names, in its order: those brought along, and the rest from `fetch`. */
async function fetchMissing(
  wanted: readonly string[],
  brought: readonly Resource[],
  fetch: (missing: string[]) => Promise<Resource[]>,
): Promise<Resource[]> {
  const unique = [...new Set(wanted)];
  const have = new Map(brought.map((resource) => [keyOf(resource), resource]));
  const missing = unique.filter((ref) => !have.has(ref));
  for (const resource of missing.length > 0 ? await fetch(missing) : []) have.set(keyOf(resource), resource);
  return unique.flatMap((ref) => (have.has(ref) ? [have.get(ref)!] : []));
}
