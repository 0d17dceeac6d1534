import { InputError, UpstreamError } from '../errors.js';
import { FhirClient } from '../fhir/client.js';
import { parseBundle, parseResource, type BundleEntry } from '../fhir/parse.js';
import type { HookRequest } from './schemas.js';

export interface FetchSettings {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly observe?: (outcome: 'ok' | 'error', seconds: number, reason?: string) => void;
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

/** An OperationOutcome or null in prefetch means the EHR could not fetch it: the service fetches it itself. */
function isMissing(value: unknown): boolean {
  return (
    value === null || value === undefined || (typeof value === 'object' && (value as { resourceType?: unknown }).resourceType === 'OperationOutcome')
  );
}

/**
 * The data of one hook call: each prefetch key from `prefetch` when the EHR sent it, otherwise fetched from
 * `fhirServer` with `fhirAuthorization`; follow-up searches go to the same server. Every resource is validated
 * at this boundary (InputError naming `prefetch.<key>…` for bad prefetch).
 */
export class HookData {
  private readonly client: FhirClient | null;
  private readonly base: string | null;

  constructor(
    private readonly request: HookRequest,
    private readonly templates: Readonly<Record<string, string>>,
    settings: FetchSettings,
  ) {
    this.base = request.fhirServer ? request.fhirServer.replace(/\/+$/, '') : null;
    this.client = this.base
      ? new FhirClient({
          baseUrl: this.base,
          accessToken: request.fhirAuthorization?.access_token,
          timeoutMs: settings.timeoutMs,
          maxBytes: settings.maxBytes,
          observe: settings.observe,
        })
      : null;
  }

  /** The resources of a prefetch key. */
  async get(key: string): Promise<BundleEntry[]> {
    const template = this.templates[key];
    if (template === undefined) throw new Error(`no prefetch template ${key}`);
    const value = this.request.prefetch?.[key];
    if (!isMissing(value)) return this.entriesOf(value, `prefetch.${key}`);
    return this.fetch(resolveTemplate(template, this.request), `prefetch.${key}`);
  }

  /** A follow-up query (a read or a search) against the hook's FHIR server. */
  async fetch(query: string, what = query): Promise<BundleEntry[]> {
    if (!this.client) throw new UpstreamError(`${what} is not in prefetch and the request names no fhirServer to fetch it from`);
    const isSearch = query.includes('?') || !/^[A-Z][A-Za-z]+\/[^/]+$/.test(query);
    const body = isSearch ? await this.client.search(query) : await this.client.get(query);
    return this.entriesOf(body, `${this.base}/${query}`, true);
  }

  /** Whether follow-up fetches are possible. */
  get canFetch(): boolean {
    return this.client !== null;
  }

  private entriesOf(value: unknown, where: string, fromServer = false): BundleEntry[] {
    try {
      if ((value as { resourceType?: unknown })?.resourceType === 'Bundle')
        return parseBundle(value, where).filter((e) => e.resource.resourceType !== 'OperationOutcome');
      const resource = parseResource(value, where);
      const fullUrl = this.base && resource.id ? `${this.base}/${resource.resourceType}/${resource.id}` : undefined;
      return [{ fullUrl, resource }];
    } catch (error) {
      // Bad data from the EHR's own server is its failure, not the caller's request.
      if (fromServer && error instanceof InputError)
        throw new UpstreamError(`the FHIR server returned invalid data: ${error.issues[0]?.path ?? ''} ${error.issues[0]?.message ?? ''}`.trim());
      throw error;
    }
  }
}

/** Merges entries from several queries, once per resource (by type and id). */
export function mergeEntries(...lists: readonly BundleEntry[][]): BundleEntry[] {
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
