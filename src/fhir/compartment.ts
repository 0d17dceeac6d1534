/**
 * Which patient a raw FHIR resource belongs to, for splitting a department's export into patients (Bulk Data
 * NDJSON, or Bundles of many patients). Works on unvalidated JSON: validation happens per patient, later.
 *
 * - A Patient is its own; resources that name the patient (`subject`, `patient`, `beneficiary`) belong to it.
 * - Resources with no patient of their own belong to the patient of what they point at: a Provenance to its
 *   `target` (the signed fraction or AMM record), a DocumentReference without subject to `context.related`, a
 *   ClaimResponse to its `request`.
 * - Locations, Organizations, practitioners and devices belong to no patient: every patient may reference them.
 */
export type RawResource = Record<string, unknown> & { resourceType: string; id?: unknown };

export const SHARED_TYPES: ReadonlySet<string> = new Set([
  'Location',
  'Organization',
  'Practitioner',
  'PractitionerRole',
  'Device',
  'HealthcareService',
]);

const PATIENT_FIELDS = ['subject', 'patient', 'beneficiary'] as const;

export interface Compartment {
  /** `Patient/<id>` when the resource names its patient (or is one). */
  readonly patient: string | null;
  /** References (`Type/id`) whose patient this resource shares, when it names none itself. */
  readonly links: readonly string[];
  readonly shared: boolean;
}

/** `Type/id` of a reference written relative, absolute (with base and `_history`), or `null`. */
export function typeAndId(reference: unknown): string | null {
  if (typeof reference !== 'string') return null;
  const parts = reference.split('/');
  const at = parts.length >= 4 && parts[parts.length - 2] === '_history' ? parts.length - 4 : parts.length - 2;
  if (at < 0) return null;
  const [type, id] = [parts[at], parts[at + 1]];
  return type && id && /^[A-Z][A-Za-z]+$/.test(type) && /^[A-Za-z0-9\-.]{1,64}$/.test(id) ? `${type}/${id}` : null;
}

const referenceOf = (value: unknown): unknown => (value && typeof value === 'object' ? (value as { reference?: unknown }).reference : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/**
 * The compartment of a resource. `resolve` maps a reference to `Type/id` (a Bundle resolves its `urn:uuid:`
 * references through its fullUrls; NDJSON has none).
 */
export function compartmentOf(resource: RawResource, resolve: (reference: unknown) => string | null = typeAndId): Compartment {
  if (SHARED_TYPES.has(resource.resourceType)) return { patient: null, links: [], shared: true };
  if (resource.resourceType === 'Patient')
    return { patient: typeof resource.id === 'string' ? `Patient/${resource.id}` : null, links: [], shared: false };
  for (const field of PATIENT_FIELDS) {
    const ref = resolve(referenceOf(resource[field]));
    if (ref?.startsWith('Patient/')) return { patient: ref, links: [], shared: false };
  }
  // An Appointment names its patient among its participants.
  for (const participant of list(resource.participant)) {
    const ref = resolve(referenceOf((participant as { actor?: unknown } | null)?.actor));
    if (ref?.startsWith('Patient/')) return { patient: ref, links: [], shared: false };
  }
  const linked = [
    ...list(resource.target),
    ...list((resource.context as { related?: unknown } | undefined)?.related),
    resource.request,
    ...list(resource.basedOn),
    ...list(resource.partOf),
  ];
  const links = linked.map((value) => resolve(referenceOf(value))).filter((ref): ref is string => ref !== null);
  return { patient: null, links: [...new Set(links)], shared: false };
}

/** The Location each session Encounter names (first `location`), for utilization per location. */
export function encounterLocation(resource: RawResource, resolve: (reference: unknown) => string | null = typeAndId): string | null {
  if (resource.resourceType !== 'Encounter') return null;
  const first = list(resource.location)[0] as { location?: unknown } | undefined;
  return resolve(referenceOf(first?.location));
}

/**
 * A resource's content for telling copies apart: keys in sorted order, `meta` left out (a server's version stamp and
 * a re-export's key order do not make two copies differ). The input's depth is bounded before this runs.
 */
export function canonicalContent(resource: RawResource): string {
  const { meta: _meta, ...content } = resource;
  return canonical(content);
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
}
