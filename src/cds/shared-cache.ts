import type { BundleEntry } from '../fhir/parse.js';

/**
 * The resources a hook reads that are not patient data: the session's Location, the payer Organization, and the
 * Practitioners and PractitionerRoles who sign or order (a directory entry: a physician or not). They change rarely
 * and every call for a department reads the same few, so they are kept for a short while (FHIR_SHARED_CACHE_SECONDS,
 * 300 s by default; 0 turns the cache off), keyed by the FHIR server's base URL and shared by every user and every
 * call of the service that names that server: a user whose token could not read a Location may see it from the
 * cache, and a change on the EHR is seen at the latest after the TTL. Only what the server itself answered is kept
 * (a read, or an entry a search returned), never anything a caller sent in `prefetch` (a caller could otherwise plant
 * a Location for other callers). Bounded: at most FHIR_SHARED_CACHE_ENTRIES resources over all servers, the least
 * recently used dropped first.
 */
export const SHARED_TYPES: ReadonlySet<string> = new Set(['Location', 'Organization', 'Practitioner', 'PractitionerRole']);

export class SharedReadCache {
  /** Insertion order is use order: the first key is the least recently used. */
  private readonly entries = new Map<string, { readonly expires: number; readonly entry: BundleEntry }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1000,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Whether a `Type/id` read can come from the cache. */
  static holds(ref: string): boolean {
    return SHARED_TYPES.has(ref.slice(0, ref.indexOf('/')));
  }

  get size(): number {
    return this.entries.size;
  }

  /** The resource `ref` (`Type/id`) of the server at `base`, when read there less than the TTL ago. */
  get(base: string, ref: string): BundleEntry | undefined {
    const key = `${base} ${ref}`;
    const found = this.entries.get(key);
    if (!found) return undefined;
    this.entries.delete(key);
    if (found.expires <= this.clock()) return undefined;
    this.entries.set(key, found);
    return found.entry;
  }

  /** Keeps the shared resources among `entries`, as the server at `base` answered them. */
  put(base: string, entries: readonly BundleEntry[]): void {
    if (this.ttlMs <= 0 || this.maxEntries <= 0) return;
    for (const entry of entries) {
      const { resourceType, id } = entry.resource;
      if (!id || !SHARED_TYPES.has(resourceType)) continue;
      const key = `${base} ${resourceType}/${id}`;
      this.entries.delete(key);
      this.entries.set(key, { expires: this.clock() + this.ttlMs, entry });
      while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
  }
}
