import { basename } from 'node:path';
import type { RemittanceClaim } from '../engine/remittance-types.js';
import type { Determination } from '../engine/types.js';
import type { ExtractOptions } from '../fhir/extract.js';
import { InputError } from '../errors.js';
import { canonicalContent, encounterLocation, type RawResource } from '../fhir/compartment.js';
import { parseBundle } from '../fhir/parse.js';
import { evaluateEntries } from '../pipeline.js';
import type { Origin, StoredResource } from './patient-store.js';
import type { InputProblem } from './sources.js';
import type { ErrorLine, PatientLine } from './run.js';
import { referencesIn, type SharedResources } from './shared.js';
import type { SessionLocations } from './summary.js';

/**
 * One patient of a department run, from its stored resources to its line (or the error record that says why it was
 * not evaluated). No I/O and nothing shared but what it is given: the department run calls it on the main thread or
 * on its evaluation workers (evaluation-worker.ts), with the same result.
 */

/** What evaluating one patient gives: its line and where its sessions took place, or an error record. */
export type PatientOutcome = { readonly line: PatientLine; readonly locations: SessionLocations } | ErrorLine;

/**
 * A patient that is not evaluated, and the error record that says why: a file holding its resources stopped before its
 * end, or some of its lines could not be read (a partial record could hide or invent findings).
 */
export function notEvaluated(
  patient: string,
  own: readonly StoredResource[],
  cutFiles: ReadonlySet<string>,
  brokenPatients: ReadonlyMap<string, readonly InputProblem[]>,
): ErrorLine | null {
  const cut = [...new Set(own.map((r) => r.origin.file))].filter((file) => cutFiles.has(file));
  if (cut.length > 0)
    return {
      error: {
        patient,
        message: `${patient} was not evaluated: ${cut.map((file) => basename(file)).join(', ')} stopped before its end, and a partial record could hide or invent findings`,
      },
    };
  const broken = brokenPatients.get(patient);
  if (broken)
    return {
      error: {
        patient,
        message: `${patient} was not evaluated: ${broken.length} of its lines could not be read (${broken.map((p) => `${p.file}:${p.line ?? p.entry ?? '?'}`).join(', ')}), and a partial record could hide or invent findings`,
      },
    };
  return null;
}

/** The department's remittance claims by what names their patient: CLP01, the member id, an EOB's patient. */
export interface RemittanceRoutes {
  readonly byKey: ReadonlyMap<string, readonly RemittanceClaim[]>;
}

export function remittanceRoutes(claims: readonly RemittanceClaim[]): RemittanceRoutes | null {
  if (claims.length === 0) return null;
  const byKey = new Map<string, RemittanceClaim[]>();
  const add = (key: string | null, claim: RemittanceClaim) => {
    if (!key) return;
    const list = byKey.get(key);
    if (list) list.push(claim);
    else byKey.set(key, [claim]);
  };
  for (const claim of claims) {
    add(claim.claimId, claim);
    add(claim.memberId, claim);
    add(claim.patient, claim);
  }
  return { byKey };
}

/**
 * The claims that may be this patient's: those whose claim id, member id or patient is among the identifiers of its
 * Patient, Accounts, Claims and Coverages. Routing by key keeps a department run linear in claims and patients; the
 * engine still decides which claims match (a claim id that is also another patient's member id is checked there).
 */
function claimsFor(routes: RemittanceRoutes, resources: readonly RawResource[]): RemittanceClaim[] {
  const keys = new Set<string>();
  for (const resource of resources) {
    const r = resource as { resourceType?: string; id?: string; identifier?: { value?: unknown }[]; subscriberId?: unknown };
    if (r.resourceType === 'Patient' && r.id) keys.add(`Patient/${r.id}`);
    if (r.resourceType === 'Claim' && r.id) keys.add(r.id);
    if (!['Patient', 'Account', 'Claim', 'Coverage'].includes(r.resourceType ?? '')) continue;
    for (const id of Array.isArray(r.identifier) ? r.identifier : []) if (typeof id?.value === 'string') keys.add(id.value);
    if (typeof r.subscriberId === 'string') keys.add(r.subscriberId);
  }
  const found = new Set<RemittanceClaim>();
  for (const key of keys) for (const claim of routes.byKey.get(key) ?? []) found.add(claim);
  return [...found];
}

/**
 * One patient: its own resources validated as a Bundle, with the shared resources they reference (validated once for
 * the run), read and evaluated.
 */
export function evaluatePatient(
  patient: string,
  stored: readonly StoredResource[],
  shared: SharedResources,
  options: ExtractOptions,
  routes: RemittanceRoutes | null = null,
): PatientOutcome {
  const { parsed, resources, conflicts } = latestVersions(stored);
  if (conflicts.length > 0) return patientConflictLine(patient, conflicts);
  const needed = shared.needed(parsed.flatMap(referencesIn));
  if (needed.invalid.length > 0)
    return {
      error: {
        patient,
        message: `${patient} was not evaluated: a resource it references is not valid FHIR`,
        issues: needed.invalid.flatMap(({ ref, origin, issues }) =>
          issues.map((issue) => ({ ...issue, path: issue.path.replace(/^[^.]*/, ref), ...origin })),
        ),
      },
    };
  const bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: parsed.map((resource, i) => ({ ...(resources[i]!.fullUrl ? { fullUrl: resources[i]!.fullUrl } : {}), resource })),
  };
  let determination: Determination;
  try {
    const remittance = routes ? claimsFor(routes, parsed) : [];
    determination = evaluateEntries([...needed.entries, ...parseBundle(bundle)], options, remittance, { remittanceForOthers: true }).determination;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return {
      error: {
        patient,
        message: `${patient} was not evaluated: a resource is not valid FHIR`,
        issues: error.issues.map((issue) => located(issue, parsed, resources)),
      },
    };
  }
  const locations = new Map<string, { ref: string; name?: string }>();
  for (const resource of parsed) {
    const location = encounterLocation(resource);
    const name = location ? shared.locationNames.get(location) : undefined;
    if (location && typeof resource.id === 'string') locations.set(`Encounter/${resource.id}`, { ref: location, ...(name ? { name } : {}) });
  }
  return { line: { patient, ...determination }, locations };
}

/** The same resource (type and id) met twice with different content: which copies, and which one was read last. */
export interface Conflict {
  readonly resource: string;
  readonly kept: Origin;
  readonly dropped: Origin;
}

/**
 * One version of each resource: a folder of Bundles may hold the same resource twice (overlapping snapshots).
 * Identical copies are one resource. Copies that differ are never merged silently: each such pair is a
 * {@link Conflict}, and the patient is not evaluated. Without an id, each is kept.
 */
function latestVersions(stored: readonly StoredResource[]): { parsed: RawResource[]; resources: StoredResource[]; conflicts: Conflict[] } {
  const chosen = new Map<string, number>();
  const conflicts: Conflict[] = [];
  const parsed = stored.map((r) => JSON.parse(r.json) as RawResource);
  // Content is compared only where a key is met twice (overlapping snapshots): most resources are met once.
  const canonical = new Map<number, string>();
  const contentOf = (index: number): string => {
    let text = canonical.get(index);
    if (text === undefined) canonical.set(index, (text = canonicalContent(parsed[index]!)));
    return text;
  };
  let repeated = false;
  parsed.forEach((resource, index) => {
    if (typeof resource.id !== 'string') return;
    // Two servers' resources with one type and id are two resources: their fullUrls tell them apart.
    const key = stored[index]!.fullUrl ?? `${resource.resourceType}/${resource.id}`;
    const before = chosen.get(key);
    if (before === undefined) {
      chosen.set(key, index);
      return;
    }
    repeated = true;
    if (stored[before]!.json === stored[index]!.json || contentOf(before) === contentOf(index)) return;
    chosen.set(key, index);
    conflicts.push({ resource: key, kept: stored[index]!.origin, dropped: stored[before]!.origin });
  });
  if (!repeated) return { parsed, resources: [...stored], conflicts };
  const keep = parsed.map(
    (resource, index) => typeof resource.id !== 'string' || chosen.get(stored[index]!.fullUrl ?? `${resource.resourceType}/${resource.id}`) === index,
  );
  return { parsed: parsed.filter((_, i) => keep[i]), resources: stored.filter((_, i) => keep[i]), conflicts };
}

const where = (origin: Origin): string =>
  `${basename(origin.file)}${origin.line ? `:${origin.line}` : origin.entry !== undefined ? ` entry ${origin.entry}` : ''}`;

/** How many resources an error record names before "and N more". */
const NAMED = 3;

/** A shared resource in two versions: said once for the run; the patients are evaluated with the copy read last. */
export function sharedConflictLine(conflict: Conflict): ErrorLine {
  return {
    error: {
      file: conflict.kept.file,
      message: `${conflict.resource} is in ${where(conflict.dropped)} and ${where(conflict.kept)} with different content: the copy in ${where(conflict.kept)} (read last) was used for every patient. Remove the other copy so that the answers rest on one version.`,
    },
  };
}

/**
 * A patient whose own resources differ between files is not evaluated: a record made of copies from two exports could
 * hide or invent findings. One error record names both files and the resources.
 */
function patientConflictLine(patient: string, conflicts: readonly Conflict[]): ErrorLine {
  const files = [...new Set(conflicts.flatMap((c) => [basename(c.dropped.file), basename(c.kept.file)]))];
  const names = conflicts.slice(0, NAMED).map((c) => c.resource);
  const more = conflicts.length > NAMED ? ` and ${conflicts.length - NAMED} more` : '';
  return {
    error: {
      patient,
      file: conflicts[0]!.kept.file,
      message: `${patient} was not evaluated: ${conflicts.length} of its resources (${names.join(', ')}${more}) are in ${files.join(' and ')} with different content, and a record made of copies from both could hide or invent findings. Keep one export per patient, then run again.`,
    },
  };
}

/** An issue at `Bundle.entry[i].resource.x` named by its resource and the file and line it came from. */
function located(issue: { path: string; message: string }, parsed: readonly RawResource[], resources: readonly StoredResource[]) {
  const match = /^Bundle\.entry\[(\d+)\]\.resource(.*)$/.exec(issue.path);
  const index = match ? Number(match[1]) : -1;
  const resource = parsed[index];
  if (!match || !resource) return issue;
  const origin: Origin = resources[index]!.origin;
  const name = typeof resource.id === 'string' ? `${resource.resourceType}/${resource.id}` : resource.resourceType;
  return { path: `${name}${match[2]}`, message: issue.message, ...origin };
}
