import type { RecordKind, UnreadRecords } from '../engine/types.js';
import { InputError, UpstreamError } from '../errors.js';
import { FhirClient, FhirFetchError, type FetchBudget } from '../fhir/client.js';
import { parseResource, parseSearchPage, type BundleEntry, type SearchPage } from '../fhir/parse.js';
import type { HookRequest } from './schemas.js';
import { SharedReadCache } from './shared-cache.js';

export interface FetchSettings {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Pages of one search read at most (FHIR_MAX_PAGES). */
  readonly maxPages?: number;
  /** Requests, and response bytes, one hook call may make of the EHR's server (FHIR_MAX_REQUESTS_PER_HOOK, FHIR_MAX_BYTES_PER_HOOK). */
  readonly maxRequests?: number;
  readonly maxTotalBytes?: number;
  readonly observe?: (outcome: 'ok' | 'error', seconds: number, reason?: string) => void;
  /** Locations, Organizations, Practitioners and roles read from a server, kept for every call naming it (shared-cache.ts). */
  readonly sharedCache?: SharedReadCache;
}

/**
 * One prefetch key of a service: its template (what discovery advertises) and what the service does with it. Keys use
 * the query subset CDS Hooks 2.0 recommends, except those that ask for signatures through `_revinclude`, whose
 * silence is never trusted.
 */
export interface PrefetchKey {
  readonly template: string;
  /** The kind of record it holds (unobtainable: "could not be checked"), or `required`: no answer without it (412). */
  readonly holds: RecordKind | 'required';
  /** `_revinclude=Provenance:target`: the signatures it brings count only when the answer shows the include was honoured. */
  readonly includesSignatures?: boolean;
  /** Limited by `_count`: the first page is the answer, and a `next` link only says that more exist. */
  readonly bounded?: boolean;
  /** What the EHR should return, for the README and `usageRequirements`. */
  readonly returns: string;
  /**
   * The service's own search when the key was not sent, if not the template: the same matches with what the next
   * reads would ask for brought along (`_revinclude`, `_include`). What it brings counts only where the answer shows
   * it was honoured; a server that refuses the parameter (400, 422, 501) is asked the template instead.
   */
  readonly fetch?: string;
}

/** What one prefetch key gave. */
export interface KeyResult {
  readonly entries: readonly BundleEntry[];
  /** Its data was obtained: prefetched (`null` included: no data), or fetched. */
  readonly obtained: boolean;
  /** Every matching resource is in `entries` (all pages read; for a bounded key, there was no next page). */
  readonly complete: boolean;
  /** For a key with `_revinclude`: the answer shows the include was honoured (or had nothing to include it in). */
  readonly includeHonoured: boolean;
  /** Why it was not obtained, or is incomplete. */
  readonly problem?: string;
  /** The server refused the query (400, 422, 501): a parameter it does not support. */
  readonly refused?: boolean;
}

/** `_revinclude=Provenance:target` in a search URL (as written, or encoded). */
const REVINCLUDES_SIGNATURES = /[?&]_revinclude=Provenance(:|%3A)target(&|$)/i;

const isBundle = (value: unknown): boolean => (value as { resourceType?: unknown } | null)?.resourceType === 'Bundle';
const isOutcome = (value: unknown): boolean => (value as { resourceType?: unknown } | null)?.resourceType === 'OperationOutcome';

/**
 * A search answer carrying an OperationOutcome with an error (CDS Hooks: the client reports prefetch errors with
 * OperationOutcomes): its entries are not the whole answer. Warnings and information about the search are not errors.
 */
function reportsError(entries: readonly BundleEntry[]): boolean {
  return entries.some(
    (entry) =>
      isOutcome(entry.resource) &&
      ((entry.resource as { issue?: { severity?: unknown }[] }).issue ?? []).some(
        (issue) => issue.severity === 'error' || issue.severity === 'fatal',
      ),
  );
}

/** Root-level prefetch tokens this service uses (https://cds-hooks.hl7.org/2.0/#prefetch-tokens). */
function resolveTemplate(template: string, request: HookRequest): string {
  return template.replace(/\{\{\s*(context\.[A-Za-z]+|userPractitionerId)\s*\}\}/g, (_token, name: string) => {
    const value =
      name === 'userPractitionerId'
        ? String(request.context.userId ?? '').replace(/^Practitioner\//, '')
        : request.context[name.slice('context.'.length)];
    if (typeof value !== 'string' || value.length === 0) throw new InputError([{ path: name, message: 'is needed by a prefetch template' }]);
    return encodeURIComponent(value);
  });
}

/**
 * The data of one hook call, by CDS Hooks 2.0's prefetch rules: a key with a resource or Bundle is used as sent (its
 * `next` pages followed through `fhirServer` when there is one); `null` means no data, with no fetch; an absent key or
 * an OperationOutcome is fetched from `fhirServer` with `fhirAuthorization`. What could not be obtained is recorded
 * (`unread`): the findings that need it say "could not be checked"; only `required` data missing is a 412.
 */
export class HookData {
  private readonly client: FhirClient | null;
  private readonly base: string | null;
  private readonly results = new Map<string, Promise<KeyResult>>();
  /** The service's own searches by URL: two keys that ask the same query make one request. */
  private readonly searches = new Map<string, Promise<KeyResult>>();
  private readonly unreadKinds = new Map<RecordKind, string>();
  /** Resources whose signatures came with them: an answer of the server that shows `_revinclude=Provenance:target` honoured. */
  private readonly signaturesIncluded = new Set<string>();
  private readonly budget: FetchBudget;
  private readonly sharedCache: SharedReadCache | undefined;

  constructor(
    private readonly request: HookRequest,
    private readonly keys: Readonly<Record<string, PrefetchKey>>,
    settings: FetchSettings,
  ) {
    this.base = request.fhirServer ? request.fhirServer.replace(/\/+$/, '') : null;
    this.budget = { requests: settings.maxRequests ?? DEFAULT_MAX_REQUESTS, bytes: settings.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES };
    this.sharedCache = settings.sharedCache;
    this.client = this.base
      ? new FhirClient({
          baseUrl: this.base,
          accessToken: request.fhirAuthorization?.access_token,
          timeoutMs: settings.timeoutMs,
          maxBytes: settings.maxBytes,
          observe: settings.observe,
          budget: this.budget,
        })
      : null;
    this.maxPages = settings.maxPages ?? DEFAULT_MAX_PAGES;
  }

  private readonly maxPages: number;

  /** Whether follow-up reads and searches are possible. */
  get canFetch(): boolean {
    return this.client !== null;
  }

  /**
   * The call is answered: reads still under way finish, but nothing more is asked of the server (a search started
   * beside the session's procedures of an encounter that was no treatment session reads no further pages).
   */
  stop(): void {
    this.stopped = true;
    this.budget.requests = 0; // and should anything still ask, the client refuses
  }

  private stopped = false;

  /** Whether the signatures of `ref` (`Type/id`) came with it from the server (`_revinclude=Provenance:target` honoured). */
  signaturesCameWith(ref: string): boolean {
    return this.signaturesIncluded.has(ref);
  }

  /** What the kinds of record that could not be read are, and why. */
  get unread(): UnreadRecords[] {
    return [...this.unreadKinds.entries()].map(([kind, detail]) => ({ kind, detail }));
  }

  /** Records that a kind of record could not be read (the first reason is kept). */
  markUnread(kind: RecordKind, detail: string): void {
    if (!this.unreadKinds.has(kind)) this.unreadKinds.set(kind, detail);
  }

  /**
   * The result of a prefetch key (prefetched, or fetched once). A `required` key that cannot be obtained is a 412.
   * `fetch: false` takes only what the EHR sent: for a key whose missing part the caller can ask for more precisely.
   */
  async key(name: string, options: { fetch?: boolean } = {}): Promise<KeyResult> {
    let result = this.results.get(name);
    if (!result && options.fetch === false && !Object.hasOwn(this.request.prefetch ?? {}, name)) {
      return { entries: [], obtained: false, complete: false, includeHonoured: false, problem: `prefetch key ${name} was not sent` };
    }
    if (!result) {
      result = this.obtain(name);
      this.results.set(name, result);
    }
    const value = await result;
    if (!value.obtained && this.keys[name]!.holds === 'required')
      throw new UpstreamError(value.problem ?? `prefetch key ${name} could not be obtained`);
    return value;
  }

  /**
   * The entries of a key whose answer is taken as it is: when it could not be obtained, or not all of it, its kind of
   * record is marked unread (what depends on it "could not be checked").
   */
  async records(name: string): Promise<readonly BundleEntry[]> {
    const result = await this.key(name);
    const holds = this.keys[name]!.holds;
    if (holds !== 'required' && (!result.obtained || !result.complete))
      this.markUnread(holds, result.problem ?? `prefetch key ${name} is incomplete`);
    return result.entries;
  }

  private async obtain(name: string): Promise<KeyResult> {
    const spec = this.keys[name];
    if (!spec) throw new Error(`no prefetch key ${name}`);
    const prefetch = this.request.prefetch ?? {};
    const sent = Object.hasOwn(prefetch, name) ? prefetch[name] : undefined;
    if (sent === null) return { entries: [], obtained: true, complete: true, includeHonoured: true };
    if (sent !== undefined && !isOutcome(sent)) {
      const prefetched = await this.fromPrefetch(name, sent, spec);
      if (prefetched) return prefetched;
      return this.fetchKey(name, spec, `the EHR reported an error filling prefetch key ${name}`);
    }
    return this.fetchKey(name, spec, sent === undefined ? `prefetch key ${name} was not sent` : `the EHR could not fill prefetch key ${name}`);
  }

  /**
   * A key the EHR did not fill: searched on `fhirServer` (its `fetch` query, else its template; the template when the
   * server refuses the first), or unobtained when there is none.
   */
  private async fetchKey(name: string, spec: PrefetchKey, why: string): Promise<KeyResult> {
    if (!this.client)
      return { entries: [], obtained: false, complete: false, includeHonoured: false, problem: `${why} and the request names no fhirServer` };
    const options = { bounded: spec.bounded === true, what: `prefetch key ${name}` };
    const first = await this.once(resolveTemplate(spec.fetch ?? spec.template, this.request), options);
    if (!first.refused || !spec.fetch) return first;
    return this.once(resolveTemplate(spec.template, this.request), options);
  }

  /** A search of the service's own, made once per call however many keys ask it. */
  private once(query: string, options: { bounded: boolean; what: string }): Promise<KeyResult> {
    const key = `${options.bounded ? 'bounded' : 'all'} ${query}`;
    let result = this.searches.get(key);
    if (!result) {
      result = this.search(query, options);
      this.searches.set(key, result);
    }
    return result;
  }

  /** A prefetched value as sent; `null` when it is a Bundle reporting an error (its entries are not the answer). */
  private async fromPrefetch(name: string, value: unknown, spec: PrefetchKey): Promise<KeyResult | null> {
    const where = `prefetch.${name}`;
    if (!isBundle(value)) return { entries: this.resourceEntry(value, where), obtained: true, complete: true, includeHonoured: true };
    // An answer shows _revinclude was honoured when it marks included entries or echoes the parameter in its self link;
    // a server that ignores it silently shows neither, and its silence about signatures says nothing.
    const page = parseSearchPage(value, where);
    if (reportsError(page.entries)) return null;
    const entries = page.entries.filter((e) => e.resource.resourceType !== 'OperationOutcome');
    if (!page.next) return { entries, obtained: true, complete: true, includeHonoured: page.includeHonoured };
    if (spec.bounded) return { entries, obtained: true, complete: false, includeHonoured: page.includeHonoured };
    if (!this.client)
      return {
        entries,
        obtained: true,
        complete: false,
        includeHonoured: page.includeHonoured,
        problem: `prefetch key ${name} has more pages and the request names no fhirServer to read them`,
      };
    const rest = await this.pages(page.next, `prefetch key ${name}`);
    return { ...rest, entries: [...entries, ...rest.entries], includeHonoured: page.includeHonoured || rest.includeHonoured };
  }

  /** A search (or read) on the EHR's server; a failure is a result that says so, not an exception. */
  async search(query: string, options: { bounded?: boolean; what?: string } = {}): Promise<KeyResult> {
    const what = options.what ?? query;
    if (!this.client)
      return {
        entries: [],
        obtained: false,
        complete: false,
        includeHonoured: false,
        problem: `${what} needs a fhirServer, and the request names none`,
      };
    try {
      if (/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(query)) {
        // Not patient data (a Location, the payer, a signer): from the cache when another call read it lately.
        const cached = SharedReadCache.holds(query) ? this.sharedCache?.get(this.base!, query) : undefined;
        if (cached) return { entries: [cached], obtained: true, complete: true, includeHonoured: true };
        const body = await this.client.get(query);
        const entries = this.fromServer(() => this.resourceEntry(body, `${this.base}/${query}`));
        this.sharedCache?.put(this.base!, entries);
        return { entries, obtained: true, complete: true, includeHonoured: true };
      }
      if (options.bounded) {
        const page = await this.serverPage(query, what);
        return { entries: page.entries, obtained: true, complete: !page.next, includeHonoured: page.includeHonoured };
      }
    } catch (error) {
      return this.failed(error, what);
    }
    return this.pages(query, what);
  }

  /** Reads every page of a search from a first URL (relative or on the server), up to FHIR_MAX_PAGES. */
  private async pages(first: string, what: string): Promise<KeyResult> {
    const entries: BundleEntry[] = [];
    let honoured = false;
    let url: string | undefined = first;
    try {
      // Once the call is answered, a search under way stops at the page it has (not a failure: nobody reads it).
      for (let page = 0; url && page < this.maxPages && !this.stopped; page++) {
        const result = await this.serverPage(url, what);
        entries.push(...result.entries);
        honoured ||= result.includeHonoured;
        url = result.next;
      }
    } catch (error) {
      const failed = this.failed(error, what);
      return { ...failed, entries, obtained: entries.length > 0 };
    }
    return url
      ? {
          entries,
          obtained: true,
          complete: false,
          includeHonoured: honoured,
          problem: `${what} has more than ${this.maxPages} pages (FHIR_MAX_PAGES)`,
        }
      : { entries, obtained: true, complete: true, includeHonoured: honoured };
  }

  /** One page of a search on the EHR's server, validated. */
  private async serverPage(url: string, what: string): Promise<SearchPage> {
    const body = await this.client!.get(url);
    if (!isBundle(body)) throw new UpstreamError(`the FHIR server did not answer the search for ${what} with a Bundle`);
    const page = this.fromServer(() => parseSearchPage(body, `${this.base}`));
    if (reportsError(page.entries)) throw new UpstreamError(`the FHIR server reported an error answering the search for ${what}`);
    const entries = page.entries.filter((e) => e.resource.resourceType !== 'OperationOutcome');
    // What the server itself answered: its shared resources (an _include's Location or payer) serve later calls too.
    this.sharedCache?.put(this.base!, entries);
    if (page.includeHonoured && REVINCLUDES_SIGNATURES.test(url))
      for (const entry of entries)
        if (entry.resource.resourceType !== 'Provenance' && entry.resource.id)
          this.signaturesIncluded.add(`${entry.resource.resourceType}/${entry.resource.id}`);
    return { ...page, entries };
  }

  private failed(error: unknown, what: string): KeyResult {
    if (!(error instanceof UpstreamError)) throw error;
    const refused = error instanceof FhirFetchError && /^http-(400|422|501)$/.test(error.reason);
    return {
      entries: [],
      obtained: false,
      complete: false,
      includeHonoured: false,
      problem: `${what}: ${error.message}`,
      ...(refused ? { refused } : {}),
    };
  }

  /** A single resource (a read), validated, with its fullUrl on the EHR's server. */
  private resourceEntry(value: unknown, where: string): BundleEntry[] {
    const resource = parseResource(value, where);
    const fullUrl = this.base && resource.id ? `${this.base}/${resource.resourceType}/${resource.id}` : undefined;
    return [{ fullUrl, resource }];
  }

  /** Bad data from the EHR's own server is its failure, not the caller's request. */
  private fromServer<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof InputError)
        throw new UpstreamError(`the FHIR server returned invalid data: ${error.issues[0]?.path ?? ''} ${error.issues[0]?.message ?? ''}`.trim());
      throw error;
    }
  }
}

/** Defaults of the fetch limits (each a setting): pages per search, requests and bytes per hook call. */
const DEFAULT_MAX_PAGES = 20;
const DEFAULT_MAX_REQUESTS = 50;
const DEFAULT_MAX_TOTAL_BYTES = 40_000_000;

/** Merges entries from several queries, once per resource (by type and id). */
export function mergeEntries(...lists: readonly (readonly BundleEntry[])[]): BundleEntry[] {
  const seen = new Set<string>();
  const merged: BundleEntry[] = [];
  for (const entry of lists.flat()) {
    const key = entry.resource.id ? `${entry.resource.resourceType}/${entry.resource.id}` : (entry.fullUrl ?? '');
    if (key && seen.has(key)) continue;
    if (key) seen.add(key);
    merged.push(entry);
  }
  return merged;
}
