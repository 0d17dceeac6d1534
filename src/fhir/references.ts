import type { Ref } from '../engine/types.js';
import type { BundleEntry } from './parse.js';
import type { AnyResource, ReadResource, ReadResourceType, ResourceOf } from './schemas.js';

type Resource = ReadResource | AnyResource;

const TYPE = /^[A-Z][A-Za-z]+$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

interface ParsedReference {
  /** `https://host/fhir/` for an absolute RESTful reference, `''` for a relative one. */
  readonly base: string;
  readonly type: string;
  readonly id: string;
}

/**
 * `Type/id`, `Type/id/_history/v`, or the same after an http(s) base: split on "/" (this runs for every
 * reference of every resource, so no backtracking regular expressions).
 */
const parsedCache = new Map<string, ParsedReference | null>();
const PARSED_CACHE_LIMIT = 50_000;

/** References repeat (Patient/…, Practitioner/…, a plan per fraction): parse each text once. */
function parseReference(reference: string): ParsedReference | null {
  let parsed = parsedCache.get(reference);
  if (parsed === undefined) {
    if (parsedCache.size >= PARSED_CACHE_LIMIT) parsedCache.clear();
    parsed = parseReferenceText(reference);
    parsedCache.set(reference, parsed);
  }
  return parsed;
}

function parseReferenceText(reference: string): ParsedReference | null {
  let parts = reference.split('/');
  if (parts.length >= 4 && parts[parts.length - 2] === '_history') parts = parts.slice(0, -2);
  if (parts.length < 2) return null;
  const type = parts[parts.length - 2]!;
  const id = parts[parts.length - 1]!;
  if (!TYPE.test(type) || !ID.test(id)) return null;
  if (parts.length === 2) return { base: '', type, id };
  const base = `${parts.slice(0, -2).join('/')}/`;
  return /^https?:\/\/./.test(base) ? { base, type, id } : null;
}

/**
 * The resources of a Bundle, indexed once so that every reference resolves in constant time, by FHIR's rules for
 * references in Bundles: absolute references and `urn:uuid:` against fullUrls, relative `Type/id` against the
 * referencing entry's RESTful base, then against the one resource of that type and id. Two servers' resources with
 * the same type and id (two sites' `Procedure/fx-1`) are two resources: each is named by its fullUrl, and a reference
 * that cannot tell them apart (relative, from an entry without a RESTful base) resolves to neither — never to the
 * other site's record.
 */
export class ResourceIndex {
  private readonly byFullUrl = new Map<string, Resource>();
  private readonly byTypeId = new Map<string, Resource[]>();
  private readonly baseOf = new Map<Resource, string>();
  private readonly byType = new Map<string, Resource[]>();
  private readonly fullUrlOf = new Map<Resource, string>();

  constructor(entries: readonly BundleEntry[]) {
    for (const { fullUrl, resource } of entries) {
      if (fullUrl) {
        this.byFullUrl.set(fullUrl, resource);
        this.fullUrlOf.set(resource, fullUrl);
      }
      // A RESTful fullUrl ends with the resource's own Type/id: what precedes is the base for its relative references.
      const suffix = `${resource.resourceType}/${resource.id ?? ''}`;
      if (fullUrl && resource.id && fullUrl.endsWith(`/${suffix}`) && /^https?:/.test(fullUrl))
        this.baseOf.set(resource, fullUrl.slice(0, -suffix.length));
      if (resource.id) {
        const key = `${resource.resourceType}/${resource.id}`;
        const same = this.byTypeId.get(key);
        if (!same) this.byTypeId.set(key, [resource]);
        // The same resource sent twice (no fullUrl, or the same one) is one; another fullUrl is another resource.
        else if (!same.some((other) => this.fullUrlOf.get(other) === fullUrl)) same.push(resource);
      }
      const list = this.byType.get(resource.resourceType);
      if (list) list.push(resource);
      else this.byType.set(resource.resourceType, [resource]);
    }
  }

  /** All resources of a type the service reads (already validated by its schema). */
  all<K extends ReadResourceType>(type: K): ResourceOf<K>[] {
    return (this.byType.get(type) ?? []) as ResourceOf<K>[];
  }

  /** Resources of a type the service does not validate as a whole (Patient, Account, ExplanationOfBenefit…): read with care. */
  untyped(type: string): readonly Resource[] {
    return this.byType.get(type) ?? [];
  }

  /** Resolves a reference made from `from` (whose fullUrl gives the base for relative references). */
  resolve(reference: string | undefined, from?: Resource): Resource | undefined {
    if (!reference) return undefined;
    const direct = this.byFullUrl.get(reference);
    if (direct) return direct;
    const parsed = parseReference(reference);
    if (!parsed) return undefined;
    if (parsed.base === '') {
      const base = from ? this.baseOf.get(from) : undefined;
      const viaBase = base ? this.byFullUrl.get(`${base}${parsed.type}/${parsed.id}`) : undefined;
      if (viaBase) return viaBase;
    }
    const candidates = this.byTypeId.get(`${parsed.type}/${parsed.id}`);
    return candidates?.length === 1 ? candidates[0] : undefined;
  }

  /** Resolves a reference to a resource of one type. */
  resolveAs<K extends ReadResourceType>(type: K, reference: string | undefined, from?: Resource): ResourceOf<K> | undefined {
    const resource = this.resolve(reference, from);
    return resource?.resourceType === type ? (resource as ResourceOf<K>) : undefined;
  }

  /**
   * How the output names a resource: `Type/id`; its fullUrl when another resource of the Bundle has the same type and
   * id (two servers'), or when it has no id (`urn:uuid:`).
   */
  refOf(resource: Resource): Ref {
    if (!resource.id) return this.fullUrlOf.get(resource) ?? resource.resourceType;
    const typeId = `${resource.resourceType}/${resource.id}`;
    return (this.byTypeId.get(typeId)?.length ?? 0) > 1 ? (this.fullUrlOf.get(resource) ?? typeId) : typeId;
  }

  /** The output name of whatever a reference points to; for an unresolved reference, its normalized text. */
  refTo(reference: string | undefined, from?: Resource): Ref | null {
    if (!reference) return null;
    const resource = this.resolve(reference, from);
    if (resource) return this.refOf(resource);
    const parsed = parseReference(reference);
    return parsed ? `${parsed.type}/${parsed.id}` : reference;
  }

  /** The resource type a reference points to, resolved or read from the reference itself. */
  typeOf(reference: { reference?: string | undefined; type?: string | undefined } | undefined, from?: Resource): string | null {
    if (!reference) return null;
    const resolved = this.resolve(reference.reference, from);
    if (resolved) return resolved.resourceType;
    if (reference.type) return reference.type;
    return reference.reference ? (parseReference(reference.reference)?.type ?? null) : null;
  }
}
