import { basename } from 'node:path';
import { effectiveClaims } from '../engine/remittance.js';
import type { RemittanceClaim } from '../engine/remittance-types.js';
import type { Determination, RecordKind, UnreadRecords } from '../engine/types.js';
import { isChargeOnFile } from '../fhir/charges.js';
import { todayAtClinic } from '../dates.js';
import { evaluatorFor, type Evaluated, type Evaluator } from './evaluation-pool.js';
import { sharedConflictLine } from './patient.js';
import type { Format } from './output.js';
import { PatientStore } from './patient-store.js';
import { planInput, readInput, UnreadableInput, type InputPlan, type InputProblem, type SourceItem } from './sources.js';
import { DepartmentSummary, type SummaryRecord } from './summary.js';

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
  /**
   * Evaluation threads beside the one that reads the input and writes the records (evaluation-pool.ts); 0, the
   * default, evaluates on the calling thread. The records and their order are the same either way.
   */
  readonly workers?: number;
  /**
   * With workers, patients' lines as text in this format, made where they were evaluated, instead of records to
   * `record` (error records still go to `record`): what a writer of that format would write for them.
   */
  readonly text?: { readonly format: Format; readonly write: (text: string) => Promise<void> };
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
  const appliedLines = new Set<string>();
  let errors = 0;
  const emitError = async (line: ErrorLine) => {
    errors += 1;
    summary.addError();
    await options.record(line);
  };
  // Started now, so that the workers load their modules while the input is read.
  let evaluator: Evaluator | null = null;
  try {
    evaluator = evaluatorFor(options.workers ?? 0);
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
    for (const conflict of store.conflictingSharedResources()) await emitError(sharedConflictLine(conflict));
    const unread = unreadFromCutFiles(cutFiles);
    evaluator.start({
      store: store.readerSource(),
      shared: store.sharedResources(),
      options: { ...dates, chargesInInput: charges, ...(unread.length > 0 ? { unread } : {}) },
      claims: remittance,
      cutFiles: [...cutFiles.keys()],
      brokenPatients: [...brokenPatients],
      encoding: options.text?.format ?? null,
    });

    let patientsDone = 0;
    let sessions = 0;
    const settle = async (evaluated: Evaluated) => {
      if ('text' in evaluated) {
        for (const origin of evaluated.applied) appliedLines.add(origin);
        sessions += evaluated.sessions;
        await options.text!.write(evaluated.text);
      } else if ('error' in evaluated) await emitError(evaluated);
      else {
        for (const line of evaluated.line.remittance ?? []) appliedLines.add(line.origin);
        sessions += evaluated.line.sessions.length;
        summary.add(evaluated.line.patient, evaluated.line, evaluated.locations);
        await options.record(evaluated.line);
      }
      patientsDone += 1;
      options.progress?.({ phase: 'evaluating', ...position(), patientsDone, patientsTotal, sessions });
    };
    // Patients are handed out in order and their outcomes taken in that order, at most a window of them in evaluation.
    const inOrder: Promise<Evaluated>[] = [];
    for (const patient of store.patientIds()) {
      await slice();
      const evaluated = evaluator.evaluate(patient);
      // Awaited in turn below; a failure of a later one is not left unhandled while an earlier one is awaited.
      evaluated.catch(() => {});
      inOrder.push(evaluated);
      while (inOrder.length >= evaluator.window) await settle(await inOrder.shift()!);
    }
    while (inOrder.length > 0) await settle(await inOrder.shift()!);
    // Lines written as text were added up where they were evaluated.
    for (const part of await evaluator.summaries()) summary.merge(part);
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
    await evaluator?.close();
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
