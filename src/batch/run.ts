import { basename } from 'node:path';
import { effectiveClaims } from '../engine/remittance.js';
import type { RemittanceClaim } from '../engine/remittance-types.js';
import type { Determination, RecordKind, UnreadRecords } from '../engine/types.js';
import { isChargeOnFile } from '../fhir/charges.js';
import type { ExtractOptions } from '../fhir/extract.js';
import { InputError } from '../errors.js';
import { todayAtClinic } from '../dates.js';
import { canonicalContent, encounterLocation, type RawResource } from '../fhir/compartment.js';
import { parseBundle } from '../fhir/parse.js';
import { evaluateEntries } from '../pipeline.js';
import { PatientStore, type Origin, type StoredResource } from './patient-store.js';
import { planInput, readInput, UnreadableInput, type InputPlan, type InputProblem, type SourceItem } from './sources.js';
import { referencesIn, SharedResources } from './shared.js';
import { DepartmentSummary, type SessionLocations, type SummaryRecord } from './summary.js';

/** One line of a department run: a patient's determination, or an error that names where (file, line, patient). */
export type PatientLine = { readonly patient: string } & Determination;
export interface ErrorLine {
  readonly error: {
    readonly message: string;
    readonly file?: string;
    readonly line?: number;
    readonly entry?: number;
    readonly patient?: string;
    readonly issues?: readonly {
      readonly path: string;
      readonly message: string;
      readonly file?: string;
      readonly line?: number;
      readonly entry?: number;
    }[];
  };
}
export type RunRecord = PatientLine | ErrorLine;

export interface Progress {
  readonly phase: 'reading' | 'evaluating';
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly patientsDone: number;
  readonly patientsTotal: number;
  readonly sessions: number;
}

export interface RunOptions {
  /** Receives each record in order; awaited (a writer waits for its stream to drain). */
  readonly record: (record: RunRecord) => void | Promise<void>;
  readonly progress?: (progress: Progress) => void;
  /** Folder for the temporary patient store (default: the OS temporary folder). */
  readonly tmpDir?: string;
  /** The date undated orders are evaluated as of (D-DATE); today at the clinic by default. */
  readonly asOf?: string;
  /** The clinic's configured time zone (`CLINIC_TIME_ZONE`): dates of service where a Location gives none. */
  readonly clinicTimeZone?: string | null;
  /**
   * Remittance for the department (835 files, spec E): each patient's evaluation takes the claims that match it; a
   * claim that matches no patient of the input is an error record (E-UNMATCHED), never silence.
   */
  readonly remittance?: readonly RemittanceClaim[];
}

export interface RunResult {
  readonly summary: SummaryRecord;
  readonly plan: InputPlan;
  readonly errors: number;
}

const problemLine = ({ cut: _cut, ...problem }: InputProblem): ErrorLine => ({ error: problem });

/**
 * Evaluates a department: a Bundle file, a folder of Bundles, or a folder of Bulk Data NDJSON. The input is
 * grouped by patient on disk, then each patient is validated and evaluated alone: memory is bounded by the
 * largest patient, not by the department. A broken line or a bad resource becomes an error record naming its file
 * and line (or the patient) and the run goes on. Throws {@link UnreadableInput} when nothing can be read.
 */
export async function runDepartment(path: string, options: RunOptions): Promise<RunResult> {
  const plan = await planInput(path);
  let bytesRead = 0;
  const result = await runResources(
    readInput(plan, (n) => (bytesRead += n)),
    options,
    () => ({ bytesRead, bytesTotal: plan.bytes }),
    path,
  );
  return { ...result, plan };
}

/**
 * The same for resources from any source (the direct API's NDJSON body): grouped by patient, evaluated one patient
 * at a time. `position` tells the progress how far through the input the reading is.
 */
export async function runResources(
  source: AsyncIterable<readonly SourceItem[]> | Iterable<SourceItem>,
  options: RunOptions,
  position: () => { bytesRead: number; bytesTotal: number } = () => ({ bytesRead: 0, bytesTotal: 0 }),
  name = 'the input',
): Promise<Omit<RunResult, 'plan'>> {
  const store = new PatientStore(options.tmpDir);
  const dates = { asOf: options.asOf ?? todayAtClinic(options.clinicTimeZone ?? null), clinicTimeZone: options.clinicTimeZone ?? null };
  const summary = new DepartmentSummary();
  const remittance = effectiveClaims(options.remittance ?? []);
  const routes = remittanceRoutes(remittance);
  const appliedLines = new Set<string>();
  let errors = 0;
  const emitError = async (line: ErrorLine) => {
    errors += 1;
    summary.addError();
    await options.record(line);
  };
  try {
    let resources = 0;
    let charges = 0;
    const problems: InputProblem[] = [];
    const brokenPatients = new Map<string, InputProblem[]>();
    // Files that stop before their end: their patients are not evaluated, and for the others what they held is unread.
    const cutFiles = new Map<string, InputProblem>();
    let lastReport = 0;
    const slice = timeSlice();
    // Problems wait until a resource shows the input can be read at all (else exit 2 with nothing written), and
    // no longer than that or a page of them: a file of nothing but broken lines is not held in memory.
    const flush = async () => {
      for (const problem of problems.splice(0)) await emitError(problemLine(problem));
    };
    for await (const items of inPieces(source)) {
      await slice();
      for (const item of items) {
        if (item.kind === 'problem') {
          problems.push(item.problem);
          if (item.problem.cut) cutFiles.set(item.problem.file, item.problem);
          if (item.problem.patient) brokenPatients.set(item.problem.patient, [...(brokenPatients.get(item.problem.patient) ?? []), item.problem]);
          if (resources > 0 || problems.length >= 1000) await flush();
          continue;
        }
        resources += 1;
        if (isChargeOnFile(item.resource)) charges += 1;
        store.add(item.resource, item.json, item.fullUrl, item.origin, item.resolve, item.scoped);
        if (options.progress && resources - lastReport >= 2000) {
          lastReport = resources;
          options.progress({ phase: 'reading', ...position(), patientsDone: 0, patientsTotal: 0, sessions: 0 });
        }
      }
    }
    if (resources === 0 && errors === 0) {
      const first = problems[0];
      throw new UnreadableInput(first ? `${first.file}${first.line ? `:${first.line}` : ''}: ${first.message}` : `${name} holds no FHIR resource`);
    }
    await flush();
    if (resources === 0) throw new UnreadableInput(`${name}: no line could be read as a FHIR resource`);

    const { patients: patientsTotal } = store.finish();
    const shared = new SharedResources(store.sharedResources());

    let patientsDone = 0;
    let sessions = 0;
    for (const conflict of store.conflictingSharedResources()) await emitError(sharedConflictLine(conflict));
    const unread = unreadFromCutFiles(cutFiles);
    for (const { patient, resources: own } of store.patients()) {
      await slice();
      const broken = brokenPatients.get(patient);
      const cut = [...new Set(own.map((r) => r.origin.file))].filter((file) => cutFiles.has(file));
      if (cut.length > 0) {
        await emitError({
          error: {
            patient,
            message: `${patient} was not evaluated: ${cut.map((file) => basename(file)).join(', ')} stopped before its end, and a partial record could hide or invent findings`,
          },
        });
      } else if (broken) {
        await emitError({
          error: {
            patient,
            message: `${patient} was not evaluated: ${broken.length} of its lines could not be read (${broken.map((p) => `${p.file}:${p.line ?? p.entry ?? '?'}`).join(', ')}), and a partial record could hide or invent findings`,
          },
        });
      } else {
        const result = evaluatePatient(patient, own, shared, { ...dates, chargesInInput: charges, ...(unread.length > 0 ? { unread } : {}) }, routes);
        if ('error' in result) await emitError(result);
        else {
          for (const line of result.line.remittance ?? []) appliedLines.add(line.origin);
          sessions += result.line.sessions.length;
          summary.add(patient, result.line, result.locations);
          await options.record(result.line);
        }
      }
      patientsDone += 1;
      options.progress?.({ phase: 'evaluating', ...position(), patientsDone, patientsTotal, sessions });
    }
    for (const claim of remittance)
      if (!claim.lines.some((line) => appliedLines.has(line.origin)))
        await emitError({
          error: {
            message: `E-UNMATCHED: the remittance claim at ${claim.origin} (${claim.lines.length} line${claim.lines.length === 1 ? '' : 's'}${claim.payerName ? `, ${claim.payerName}` : ''}) matches no patient of the input`,
          },
        });
    summary.chargesSupplied(charges > 0);
    return { summary: summary.toJSON(), errors };
  } finally {
    store.close();
  }
}

/** What a resource type held in a file that was cut means could not be read, for every patient. */
const UNREAD_BY_TYPE: Readonly<Record<string, readonly RecordKind[]>> = {
  Procedure: ['later-fractions', 'summaries'],
  Provenance: ['signatures'],
  DocumentReference: ['amm-records'],
  ServiceRequest: ['orders'],
  Claim: ['authorizations', 'charges'],
  ClaimResponse: ['authorizations'],
  ChargeItem: ['charges'],
  Coverage: ['coverage'],
  Organization: ['coverage'],
  Location: ['site-of-service'],
  Encounter: ['site-of-service', 'later-fractions'],
  PractitionerRole: ['signatures', 'orders'],
};
const ALL_KINDS: readonly RecordKind[] = [...new Set(Object.values(UNREAD_BY_TYPE).flat())];

/**
 * The kinds of record a cut file may have held for any patient: by the types read from it before the break, else by
 * its Bulk Data name (`Provenance.ndjson.gz`, `Provenance.003.ndjson`), else every kind.
 */
function unreadFromCutFiles(cutFiles: ReadonlyMap<string, InputProblem>): UnreadRecords[] {
  const unread = new Map<RecordKind, string>();
  for (const [file, problem] of cutFiles) {
    const named = /^([A-Z][A-Za-z]+)\./.exec(basename(file))?.[1];
    const types = problem.cut?.types.length ? problem.cut.types : named ? [named] : [];
    const kinds = types.length > 0 ? types.flatMap((type) => UNREAD_BY_TYPE[type] ?? []) : ALL_KINDS;
    for (const kind of kinds) if (!unread.has(kind)) unread.set(kind, `${basename(file)} stops before its end (line ${problem.line ?? '?'})`);
  }
  return [...unread].map(([kind, detail]) => ({ kind, detail }));
}

/**
 * The input a piece at a time: the files' readers hand over the lines of each chunk together (one step of the async
 * iteration per chunk, not per line); items from memory (the direct API's body) are cut into pieces here.
 */
async function* inPieces(source: AsyncIterable<readonly SourceItem[]> | Iterable<SourceItem>): AsyncGenerator<readonly SourceItem[]> {
  if (Symbol.asyncIterator in source) {
    yield* source;
    return;
  }
  let piece: SourceItem[] = [];
  for (const item of source) {
    piece.push(item);
    if (piece.length >= 256) {
      yield piece;
      piece = [];
    }
  }
  if (piece.length > 0) yield piece;
}

/**
 * Gives the event loop a turn every few milliseconds of a department run: run through the service (the direct API),
 * hooks are answered between patients, never held for the length of the run.
 */
function timeSlice(everyMs = 10): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < everyMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}

/** The department's remittance claims by what names their patient: CLP01, the member id, an EOB's patient. */
interface RemittanceRoutes {
  readonly byKey: ReadonlyMap<string, readonly RemittanceClaim[]>;
}

function remittanceRoutes(claims: readonly RemittanceClaim[]): RemittanceRoutes | null {
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
function evaluatePatient(
  patient: string,
  stored: readonly StoredResource[],
  shared: SharedResources,
  options: ExtractOptions,
  routes: RemittanceRoutes | null = null,
): { line: PatientLine; locations: SessionLocations } | ErrorLine {
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
function sharedConflictLine(conflict: Conflict): ErrorLine {
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
