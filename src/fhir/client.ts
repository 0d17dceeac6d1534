import { UpstreamError } from '../errors.js';

export interface FhirClientOptions {
  /** The EHR's FHIR base URL (`fhirServer` of the hook request). */
  readonly baseUrl: string;
  /** `fhirAuthorization.access_token`; sent only to `baseUrl`. */
  readonly accessToken?: string | undefined;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Follow at most this many `next` pages of a search. */
  readonly maxPages?: number;
  /** Told of each request's outcome and duration (metrics). */
  readonly observe?: ((outcome: 'ok' | 'error', seconds: number, reason?: string) => void) | undefined;
}

interface SearchBundle {
  resourceType: 'Bundle';
  entry?: { fullUrl?: string; resource?: unknown }[];
  link?: { relation?: string; url?: string }[];
}

/**
 * A small FHIR REST client for what prefetch did not bring: GETs with a timeout, a response-size limit, no
 * redirects, and the bearer token sent to the hook's own FHIR server only (never to a URL outside it).
 */
export class FhirClient {
  private readonly base: string;

  constructor(private readonly options: FhirClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  /** GET a path relative to the base (`Encounter/1`, `Procedure?patient=1`) or an absolute URL under it. */
  async get(pathOrUrl: string): Promise<unknown> {
    const started = performance.now();
    try {
      const body = await this.request(pathOrUrl);
      this.options.observe?.('ok', (performance.now() - started) / 1000);
      return body;
    } catch (error) {
      this.options.observe?.('error', (performance.now() - started) / 1000, error instanceof UpstreamError ? reasonOf(error.message) : 'error');
      throw error;
    }
  }

  private async request(pathOrUrl: string): Promise<unknown> {
    const url = this.urlFor(pathOrUrl);
    const headers: Record<string, string> = { accept: 'application/fhir+json, application/json' };
    if (this.options.accessToken) headers.authorization = `Bearer ${this.options.accessToken}`;
    let response: Response;
    try {
      response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
      throw new UpstreamError(
        timedOut ? `the FHIR server did not answer within ${this.options.timeoutMs} ms` : 'the FHIR server could not be reached',
      );
    }
    if (response.status >= 300 && response.status < 400) throw new UpstreamError('the FHIR server answered with a redirect, which is not followed');
    if (!response.ok) throw new UpstreamError(`the FHIR server answered ${response.status} to a ${resourceTypeOf(pathOrUrl)} request`);
    const text = await readLimited(response, this.options.maxBytes);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new UpstreamError('the FHIR server answered with something that is not JSON');
    }
  }

  /** A search, following `next` links (on the same server) up to the page limit; returns one Bundle. */
  async search(query: string): Promise<SearchBundle> {
    const first = (await this.get(query)) as SearchBundle;
    if (first?.resourceType !== 'Bundle') throw new UpstreamError(`the FHIR server did not answer a ${resourceTypeOf(query)} search with a Bundle`);
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

  private urlFor(pathOrUrl: string): string {
    if (!/^https?:/i.test(pathOrUrl)) return `${this.base}/${pathOrUrl.replace(/^\/+/, '')}`;
    if (!pathOrUrl.startsWith(`${this.base}/`) && pathOrUrl !== this.base)
      throw new UpstreamError('the FHIR server pointed to a URL outside itself, which is not followed');
    return pathOrUrl;
  }
}

/** A short, PHI-free metrics label for a failure. */
const reasonOf = (message: string): string =>
  /did not answer within/.test(message)
    ? 'timeout'
    : /redirect/.test(message)
      ? 'redirect'
      : /larger than/.test(message)
        ? 'too-large'
        : /answered \d+/.test(message)
          ? `http-${/answered (\d+)/.exec(message)?.[1]}`
          : /not JSON|not answer a .* search with a Bundle|invalid/.test(message)
            ? 'invalid-response'
            : 'unreachable';

const resourceTypeOf = (path: string): string => /([A-Z][A-Za-z]+)/.exec(path)?.[1] ?? 'FHIR';

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new UpstreamError('the FHIR server response is larger than the limit');
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new UpstreamError('the FHIR server response is larger than the limit');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
