import { UpstreamError } from '../errors.js';

export interface FhirClientOptions {
  /** The EHR's FHIR base URL (`fhirServer` of the hook request). */
  readonly baseUrl: string;
  /** `fhirAuthorization.access_token`; sent only to `baseUrl`. */
  readonly accessToken?: string | undefined;
  /** Each request, its body included, must be over within this time. */
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Follow at most this many `next` pages of a search. */
  readonly maxPages?: number;
  /** Told of each request's outcome and duration (metrics, logs): the reason is a short PHI-free label. */
  readonly observe?: ((outcome: 'ok' | 'error', seconds: number, reason?: string) => void) | undefined;
  /** What one hook may still ask of the server (requests and bytes), spent as it goes: a hostile server costs a bounded amount. */
  readonly budget?: FetchBudget | undefined;
}

/** A hook's allowance of FHIR requests and response bytes (FHIR_MAX_REQUESTS_PER_HOOK, FHIR_MAX_BYTES_PER_HOOK). */
export interface FetchBudget {
  requests: number;
  bytes: number;
}

/** The hook's budget is spent: no request is made. Not a failure of the server, and said as such. */
export class FetchBudgetSpent extends UpstreamError {
  constructor(what: string) {
    super(`${what} was not read: this call's allowance of FHIR requests (FHIR_MAX_REQUESTS_PER_HOOK, FHIR_MAX_BYTES_PER_HOOK) was spent`);
    this.name = 'FetchBudgetSpent';
  }
}

interface SearchBundle {
  resourceType: 'Bundle';
  entry?: { fullUrl?: string; resource?: unknown }[];
  link?: { relation?: string; url?: string }[];
}

/** Why a FHIR request failed, as a short label (metrics, logs). Never shown to callers. */
export type FetchFailure = 'timeout' | 'unreachable' | 'redirect' | `http-${number}` | 'too-large' | 'invalid-response' | 'outside-base';

/**
 * A FHIR request that failed. Callers (hook clients) get one message whatever the cause, so an answer never
 * tells a closed port from a host that answered, or a slow one: the service must not serve as a port scanner.
 * The cause is in `reason` for metrics and the service's own log.
 */
export class FhirFetchError extends UpstreamError {
  constructor(
    readonly reason: FetchFailure,
    what: string,
  ) {
    super(`could not read ${what} from the FHIR server (no usable answer; the service's log has the reason)`);
    this.name = 'FhirFetchError';
  }
}

/**
 * A small FHIR REST client for what prefetch did not bring: GETs with a timeout that covers the whole exchange
 * (headers and body), a response-size limit, no redirects, and the bearer token sent to the hook's own FHIR
 * server only (never to a URL outside it). Every URL is built from the parsed base: a path's `.`/`..` segments
 * are refused, never resolved, and an absolute URL (a `next` link) must lie under the base.
 */
export class FhirClient {
  private readonly base: URL;

  constructor(private readonly options: FhirClientOptions) {
    this.base = new URL(`${options.baseUrl.replace(/\/+$/, '')}/`);
  }

  /** GET a path relative to the base (`Encounter/1`, `Procedure?patient=1`) or an absolute URL under it. */
  async get(pathOrUrl: string): Promise<unknown> {
    const started = performance.now();
    try {
      const body = await this.request(pathOrUrl);
      this.options.observe?.('ok', (performance.now() - started) / 1000);
      return body;
    } catch (error) {
      const reason = error instanceof FhirFetchError ? error.reason : error instanceof FetchBudgetSpent ? 'budget' : 'error';
      this.options.observe?.('error', (performance.now() - started) / 1000, reason);
      throw error;
    }
  }

  private async request(pathOrUrl: string): Promise<unknown> {
    const what = resourceTypeOf(pathOrUrl);
    const url = this.urlFor(pathOrUrl);
    const { budget } = this.options;
    if (budget && (budget.requests <= 0 || budget.bytes <= 0)) throw new FetchBudgetSpent(what);
    if (budget) budget.requests -= 1;
    const headers: Record<string, string> = { accept: 'application/fhir+json, application/json' };
    if (this.options.accessToken) headers.authorization = `Bearer ${this.options.accessToken}`;
    // One signal for the whole exchange: a server that sends headers and then stalls the body is cut off too.
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let text: string;
    try {
      const response = await fetch(url, { headers, redirect: 'manual', signal });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => undefined);
        throw new FhirFetchError('redirect', what);
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new FhirFetchError(`http-${response.status}`, what);
      }
      text = await readLimited(response, Math.min(this.options.maxBytes, budget?.bytes ?? Infinity), what);
      if (budget) budget.bytes -= Buffer.byteLength(text);
    } catch (error) {
      if (error instanceof FhirFetchError) throw error;
      throw new FhirFetchError(signal.aborted ? 'timeout' : 'unreachable', what);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new FhirFetchError('invalid-response', what);
    }
  }

  /** A search, following `next` links (on the same server) up to the page limit; returns one Bundle. */
  async search(query: string): Promise<SearchBundle> {
    const first = (await this.get(query)) as SearchBundle;
    if (first?.resourceType !== 'Bundle') throw new FhirFetchError('invalid-response', `a ${resourceTypeOf(query)} search`);
    const entries = [...(first.entry ?? [])];
    let page = first;
    for (let pages = 1; pages < (this.options.maxPages ?? 20); pages++) {
      const next = page.link?.find((link) => link.relation === 'next')?.url;
      if (!next) break;
      page = (await this.get(next)) as SearchBundle;
      entries.push(...(page?.entry ?? []));
    }
    return { resourceType: 'Bundle', entry: entries };
  }

  /** The URL of a request: relative paths under the base, absolute ones only when they lie under it. */
  private urlFor(pathOrUrl: string): URL {
    let url: URL;
    if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl)) {
      try {
        url = new URL(pathOrUrl);
      } catch {
        throw new FhirFetchError('outside-base', resourceTypeOf(pathOrUrl));
      }
    } else {
      const [path = '', query] = splitOnce(pathOrUrl.replace(/^[/\\]+/, ''), '?');
      // `.` and `..` (in any spelling) are never ids: refuse them rather than let URL resolution climb the tree.
      if (path.split(/[/\\]/).some((segment) => /^(\.|%2e){1,2}$/i.test(segment))) throw new FhirFetchError('outside-base', resourceTypeOf(path));
      const safePath = path.replace(/\\/g, '%5C');
      url = new URL(`${safePath}${query === undefined ? '' : `?${query}`}`, this.base);
    }
    const basePath = this.base.pathname;
    const under = url.origin === this.base.origin && (`${url.pathname}/` === basePath || url.pathname.startsWith(basePath));
    if (!under || url.username || url.password) throw new FhirFetchError('outside-base', resourceTypeOf(pathOrUrl));
    return url;
  }
}

const splitOnce = (text: string, separator: string): [string, string | undefined] => {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
};

const resourceTypeOf = (path: string): string => /([A-Z][A-Za-z]+)/.exec(path)?.[1] ?? 'FHIR data';

async function readLimited(response: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FhirFetchError('too-large', what);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new FhirFetchError('too-large', what);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
