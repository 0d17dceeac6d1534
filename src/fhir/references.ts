import type { Ref } from '../engine/types.js';
import type { BundleEntry } from './parse.js';
import type { AnyResource, ReadResource, ReadResourceType, ResourceOf } from './schemas.js';

type Resource = ReadResource | AnyResource;

const RESTFUL = /^(?<base>https?:\/\/.+\/)(?<type>[A-Z][A-Za-z]+)\/(?<id>[A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/;
const RELATIVE = /^(?<type>[A-Z][A-Za-z]+)\/(?<id>[A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/;

/**
 * The resources of a Bundle, indexed once so that every reference resolves in constant time, by FHIR's
 * rules: absolute references and `urn:uuid:` against fullUrls, relative `Type/id` against the referencing
 * entry's RESTful base, then against any resource of that type and id.
 */
export class ResourceIndex {
  private readonly byFullUrl = new Map<string, Resource>();
  private readonly byTypeId = new Map<string, Resource>();
  private readonly baseOf = new Map<Resource, string>();
  private readonly byType = new Map<string, Resource[]>();

  constructor(entries: readonly BundleEntry[]) {
    for (const { fullUrl, resource } of entries) {
      if (fullUrl) this.byFullUrl.set(fullUrl, resource);
      const base = fullUrl ? RESTFUL.exec(fullUrl)?.groups?.base : undefined;
      if (base) this.baseOf.set(resource, base);
      if (resource.id) this.byTypeId.set(`${resource.resourceType}/${resource.id}`, resource);
      const list = this.byType.get(resource.resourceType) ?? [];
      list.push(resource);
      this.byType.set(resource.resourceType, list);
      if (!resource.id && fullUrl) this.fullUrlOfAnonymous.set(resource, fullUrl);
    }
  }

  private readonly fullUrlOfAnonymous = new Map<Resource, string>();

  /** All resources of a type the service reads (already validated by its schema). */
  all<K extends ReadResourceType>(type: K): ResourceOf<K>[] {
    return (this.byType.get(type) ?? []) as ResourceOf<K>[];
  }

  /** Resolves a reference made from `from` (whose fullUrl gives the base for relative references). */
  resolve(reference: string | undefined, from?: Resource): Resource | undefined {
    if (!reference) return undefined;
    const direct = this.byFullUrl.get(reference);
    if (direct) return direct;
    const relative = RELATIVE.exec(reference)?.groups;
    if (relative) {
      const base = from ? this.baseOf.get(from) : undefined;
      const viaBase = base ? this.byFullUrl.get(`${base}${relative.type}/${relative.id}`) : undefined;
      return viaBase ?? this.byTypeId.get(`${relative.type}/${relative.id}`);
    }
    const absolute = RESTFUL.exec(reference)?.groups;
    return absolute ? this.byTypeId.get(`${absolute.type}/${absolute.id}`) : undefined;
  }

  /** Resolves a reference to a resource of one type. */
  resolveAs<K extends ReadResourceType>(type: K, reference: string | undefined, from?: Resource): ResourceOf<K> | undefined {
    const resource = this.resolve(reference, from);
    return resource?.resourceType === type ? (resource as ResourceOf<K>) : undefined;
  }

  /** How the output names a resource: `Type/id`, or its `urn:uuid:` fullUrl when it has no id. */
  refOf(resource: Resource): Ref {
    return resource.id ? `${resource.resourceType}/${resource.id}` : (this.fullUrlOfAnonymous.get(resource) ?? resource.resourceType);
  }

  /** The output name of whatever a reference points to; for an unresolved reference, its normalized text. */
  refTo(reference: string | undefined, from?: Resource): Ref | null {
    if (!reference) return null;
    const resource = this.resolve(reference, from);
    if (resource) return this.refOf(resource);
    const groups = RELATIVE.exec(reference)?.groups ?? RESTFUL.exec(reference)?.groups;
    return groups ? `${groups.type}/${groups.id}` : reference;
  }

  /** The resource type a reference points to, resolved or read from the reference itself. */
  typeOf(reference: { reference?: string | undefined; type?: string | undefined } | undefined, from?: Resource): string | null {
    if (!reference) return null;
    const resolved = this.resolve(reference.reference, from);
    if (resolved) return resolved.resourceType;
    if (reference.type) return reference.type;
    const groups = reference.reference ? (RELATIVE.exec(reference.reference)?.groups ?? RESTFUL.exec(reference.reference)?.groups) : undefined;
    return groups?.type ?? null;
  }
}
