import type { BundleEntry } from '../fhir/parse.js';
import { parseResource } from '../fhir/parse.js';
import { typeAndId, type RawResource } from '../fhir/compartment.js';
import { InputError, type InputIssue } from '../errors.js';
import { referenceText, walkObjects } from '../limits.js';
import type { Origin, StoredResource } from './patient-store.js';

/** Every reference text a resource holds (objects with a string `reference`), by the limits' iterative walk. */
export function referencesIn(resource: unknown): string[] {
  const found: string[] = [];
  walkObjects(resource, (node) => {
    const reference = referenceText(node);
    if (reference !== null) found.push(reference);
    return false;
  });
  return found;
}

interface SharedEntry {
  readonly entry: BundleEntry;
  readonly origin: Origin;
  /** What it references in turn (a PractitionerRole its Practitioner and Organization). */
  readonly references: readonly string[];
  /** Why it is not valid FHIR, when it is not. */
  readonly issues: readonly InputIssue[] | null;
}

/**
 * The resources a department's patients share (Locations, Organizations, practitioners, devices), parsed and validated
 * once for the run — not once per patient — and handed to each patient only as far as its resources reference them
 * (and what those reference in turn): the work per patient grows with the patient, not with the department.
 */
export class SharedResources {
  private readonly byKey = new Map<string, SharedEntry>();
  /** Location names by reference, for the report's utilization per location. */
  readonly locationNames = new Map<string, string>();

  constructor(stored: readonly StoredResource[]) {
    for (const item of stored) {
      const resource = JSON.parse(item.json) as RawResource;
      const ref = typeof resource.id === 'string' ? `${resource.resourceType}/${resource.id}` : null;
      let issues: readonly InputIssue[] | null = null;
      try {
        parseResource(resource, ref ?? resource.resourceType);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        issues = error.issues;
      }
      const shared: SharedEntry = {
        entry: { fullUrl: item.fullUrl ?? undefined, resource: resource as BundleEntry['resource'] },
        origin: item.origin,
        references: referencesIn(resource),
        issues,
      };
      if (ref) this.byKey.set(ref, shared);
      if (item.fullUrl) this.byKey.set(item.fullUrl, shared);
      if (ref && resource.resourceType === 'Location' && typeof resource.name === 'string') this.locationNames.set(ref, resource.name);
    }
  }

  /**
   * The shared resources that resources referencing `references` need, transitively; and those of them that are not
   * valid FHIR (the patient is then not evaluated, as when one of its own resources is invalid).
   */
  needed(references: Iterable<string>): { entries: BundleEntry[]; invalid: { ref: string; origin: Origin; issues: readonly InputIssue[] }[] } {
    const entries: BundleEntry[] = [];
    const invalid: { ref: string; origin: Origin; issues: readonly InputIssue[] }[] = [];
    const taken = new Set<SharedEntry>();
    const queue = [...references];
    while (queue.length > 0) {
      const reference = queue.pop()!;
      const shared = this.byKey.get(reference) ?? this.byKey.get(typeAndId(reference) ?? '');
      if (!shared || taken.has(shared)) continue;
      taken.add(shared);
      if (shared.issues) invalid.push({ ref: typeAndId(reference) ?? reference, origin: shared.origin, issues: shared.issues });
      else entries.push(shared.entry);
      queue.push(...shared.references);
    }
    return { entries, invalid };
  }
}
