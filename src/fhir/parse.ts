import type { z } from 'zod';
import { formatPath, InputError, type InputIssue } from '../errors.js';
import { hasMoreReferencesThan, limits, valueDeeperThan } from '../limits.js';
import { AnyResource, Bundle, isReadType, RESOURCE_SCHEMAS, type ReadResource } from './schemas.js';

export interface BundleEntry {
  readonly fullUrl: string | undefined;
  readonly resource: ReadResource | AnyResource;
}

const MAX_ISSUES = 20;

function issuesOf(error: z.ZodError, prefix: string): InputIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(prefix, issue.path), message: issue.message }));
}

/** A search result Bundle: its resources, its `next` page, and whether it shows `_revinclude` was honoured. */
export interface SearchPage {
  readonly entries: BundleEntry[];
  readonly next: string | undefined;
  /** It marks included entries (`search.mode` `include`) or echoes `_revinclude` in its `self` link. */
  readonly includeHonoured: boolean;
}

/** Validates a search result Bundle, like {@link parseBundle}, and reads its paging and include signs. */
export function parseSearchPage(json: unknown, where = 'Bundle'): SearchPage {
  const entries = parseBundle(json, where);
  const bundle = json as z.infer<typeof Bundle>;
  const link = (relation: string) => bundle.link?.find((l) => l.relation === relation)?.url;
  let self = link('self') ?? '';
  try {
    self = decodeURIComponent(self);
  } catch {
    // a self link that does not decode is read as written
  }
  return {
    entries,
    next: link('next'),
    includeHonoured: (bundle.entry ?? []).some((entry) => entry.search?.mode === 'include') || /[?&]_revinclude(:[a-z]+)?=/i.test(self),
  };
}

/**
 * Validates a FHIR Bundle at the boundary: the Bundle's shape, then each resource the service reads
 * against its schema. Throws an {@link InputError} naming every bad field (up to 20).
 */
export function parseBundle(json: unknown, where = 'Bundle'): BundleEntry[] {
  const { maxDepth, maxResourcesPerPatient, maxReferencesPerResource } = limits();
  // Limits first, each one pass without recursion: what is beyond them is never validated, indexed or copied.
  if (valueDeeperThan(json, maxDepth))
    throw new InputError([{ path: where, message: `nests deeper than ${maxDepth} levels (MAX_JSON_DEPTH): not a FHIR record` }]);
  const bundle = Bundle.safeParse(json);
  if (!bundle.success) throw new InputError(issuesOf(bundle.error, where).slice(0, MAX_ISSUES));
  const count = bundle.data.entry?.length ?? 0;
  if (count > maxResourcesPerPatient)
    throw new InputError([
      { path: `${where}.entry`, message: `holds ${count} resources, more than ${maxResourcesPerPatient} (MAX_RESOURCES_PER_PATIENT)` },
    ]);
  const issues: InputIssue[] = [];
  // The resources as sent (validated, not copied): every element the schemas do not name passes through untouched.
  const sent = (json as { entry?: { fullUrl?: string; resource: AnyResource }[] }).entry ?? [];
  const entries = sent.map(({ fullUrl, resource }, index): BundleEntry => {
    if (hasMoreReferencesThan(resource, maxReferencesPerResource))
      issues.push({
        path: `${where}.entry[${index}].resource`,
        message: `holds more than ${maxReferencesPerResource} references (MAX_REFERENCES_PER_RESOURCE)`,
      });
    if (!isReadType(resource.resourceType)) return { fullUrl, resource };
    // Every copy is checked: the same resource in two prefetch keys may differ (an invalid or stale copy).
    const parsed = RESOURCE_SCHEMAS[resource.resourceType].safeParse(resource);
    if (!parsed.success) issues.push(...issuesOf(parsed.error, `${where}.entry[${index}].resource`));
    return { fullUrl, resource: resource as ReadResource };
  });
  if (issues.length > 0) throw new InputError(issues.slice(0, MAX_ISSUES));
  return entries;
}

/** Validates a single resource of a read type (e.g. a prefetched Patient's Coverage). */
export function parseResource(json: unknown, where: string): ReadResource | AnyResource {
  const base = AnyResource.safeParse(json);
  if (!base.success) throw new InputError(issuesOf(base.error, where));
  if (!isReadType(base.data.resourceType)) return json as AnyResource;
  const parsed = RESOURCE_SCHEMAS[base.data.resourceType].safeParse(json);
  if (!parsed.success) throw new InputError(issuesOf(parsed.error, where));
  return json as ReadResource;
}
