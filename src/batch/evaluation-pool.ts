import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RemittanceClaim } from '../engine/remittance-types.js';
import type { ExtractOptions } from '../fhir/extract.js';
import { limits, type InputLimits } from '../limits.js';
import { policySource } from '../policies/registry.js';
import { patientText, type Format } from './output.js';
import { evaluatePatient, notEvaluated, remittanceRoutes, type PatientOutcome } from './patient.js';
import { PatientStoreReader, type StoredResource, type StoreSource } from './patient-store.js';
import type { InputProblem } from './sources.js';
import { SharedResources } from './shared.js';
import { DepartmentSummary, type SummaryRecord } from './summary.js';

/**
 * Where a department run evaluates its patients: on its own thread, or on worker threads while the main thread hands
 * out patients and writes the output. Each patient is evaluated alone (patient.ts) from the finished patient store,
 * so the answers are the same either way; the run hands out patients in order and writes their lines in that order.
 */
export interface Evaluator {
  /** Called once, when the input has been read and the store finished: what every patient's evaluation shares. */
  start(department: DepartmentContext): void;
  /** One patient's outcome; outcomes of several patients may settle out of order. */
  evaluate(patient: string): Promise<Evaluated>;
  /** How many patients may be in evaluation at once (the run keeps no more in memory). */
  readonly window: number;
  /** What the evaluators added up themselves (patients whose lines came as text), once every patient is settled. */
  summaries(): Promise<SummaryRecord[]>;
  close(): Promise<void>;
}

/**
 * A patient's evaluation: its outcome, or — when the run asked for text and the patient was evaluated — its line as
 * the output format writes it, already added to the evaluator's own summary.
 */
export type Evaluated = PatientOutcome | EncodedLine;
export interface EncodedLine {
  readonly text: string;
  readonly sessions: number;
  /** The remittance lines it applied (spec E: a claim applied to no patient is E-UNMATCHED). */
  readonly applied: readonly string[];
}

/** What every patient of a department run shares. */
export interface DepartmentContext {
  readonly store: StoreSource;
  readonly shared: readonly StoredResource[];
  readonly options: ExtractOptions;
  readonly claims: readonly RemittanceClaim[];
  /** Files that stopped before their end, and the broken lines by patient: those patients are not evaluated. */
  readonly cutFiles: readonly string[];
  readonly brokenPatients: readonly (readonly [string, readonly InputProblem[]])[];
  /** Patients' lines as text in this format (evaluators in other threads; null: as records). */
  readonly encoding: Format | null;
}

/** What a worker starts with: the same limits and payer policies as the process that runs the department. */
export interface WorkerSettings {
  readonly limits: InputLimits;
  readonly policyDepartmentDir: string | null;
}

export type ToWorker =
  | { readonly kind: 'start'; readonly department: DepartmentContext }
  | { readonly kind: 'patient'; readonly id: number; readonly patient: string }
  | { readonly kind: 'summary'; readonly id: number };
export type FromWorker =
  | { readonly id: number; readonly evaluated: Evaluated }
  | { readonly id: number; readonly summary: SummaryRecord }
  | { readonly id: number; readonly failure: { readonly message: string; readonly stack: string | undefined } };

/**
 * One department's evaluation on one thread: patients read from the store, refused when their input was cut or broken,
 * evaluated, and (with an encoding) written as text and added to this thread's summary.
 */
export class DepartmentEvaluation {
  private readonly reader: PatientStoreReader;
  private readonly shared: SharedResources;
  private readonly routes: ReturnType<typeof remittanceRoutes>;
  private readonly cutFiles: ReadonlySet<string>;
  private readonly brokenPatients: ReadonlyMap<string, readonly InputProblem[]>;
  readonly summary = new DepartmentSummary();

  constructor(private readonly department: DepartmentContext) {
    this.reader = new PatientStoreReader(department.store);
    this.shared = new SharedResources(department.shared);
    this.routes = remittanceRoutes(department.claims);
    this.cutFiles = new Set(department.cutFiles);
    this.brokenPatients = new Map(department.brokenPatients);
  }

  evaluate(patient: string): Evaluated {
    const own = this.reader.resourcesOf(patient);
    const outcome =
      notEvaluated(patient, own, this.cutFiles, this.brokenPatients) ??
      evaluatePatient(patient, own, this.shared, this.department.options, this.routes);
    const encoding = this.department.encoding;
    if (!encoding || 'error' in outcome) return outcome;
    this.summary.add(patient, outcome.line, outcome.locations);
    return {
      text: patientText(encoding, outcome.line),
      sessions: outcome.line.sessions.length,
      applied: (outcome.line.remittance ?? []).map((line) => line.origin),
    };
  }

  close(): void {
    this.reader.close();
  }
}

/** Evaluates on the calling thread (the service's direct API: its requests are small, and threads are the hooks'). */
export function evaluatorInThread(): Evaluator {
  let evaluation: DepartmentEvaluation | null = null;
  return {
    window: 1,
    start(department) {
      // Records, not text: the run adds them up and writes them itself.
      evaluation = new DepartmentEvaluation({ ...department, encoding: null });
    },
    evaluate(patient) {
      if (!evaluation) throw new Error('the evaluator was not started');
      return Promise.resolve(evaluation.evaluate(patient));
    },
    summaries: async () => [],
    close: async () => evaluation?.close(),
  };
}

/** Patients in flight per worker: enough that a worker never waits for the main thread, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 4;
/** The default stops here: each worker holds a heap of its own (about 100 MB at its peak in a department run). */
const DEFAULT_MAX_WORKERS = 8;
/** The most `--workers` accepts. */
export const MAX_WORKERS = 32;

/**
 * The worker's script, beside this module once built (dist/src/batch). Run from the sources (tests), the built one, and
 * only when it was built after the sources last changed: a stale build would evaluate with yesterday's rules (the run
 * then evaluates on its own thread).
 */
function workerScript(): string | null {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return fileURLToPath(new URL('./evaluation-worker.js', here));
  const built = fileURLToPath(new URL('../../dist/src/batch/evaluation-worker.js', here));
  const sources = fileURLToPath(new URL('..', here));
  return existsSync(built) && statSync(built).mtimeMs >= newestChange(sources) ? built : null;
}

/** When any file under `dir` last changed. */
function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  return newest;
}

/** The number of evaluation workers by default: one per core the process may use, at most {@link DEFAULT_MAX_WORKERS}. */
export const defaultWorkers = (): number => Math.min(availableParallelism(), DEFAULT_MAX_WORKERS);

/**
 * `workers` evaluation threads; the calling thread when `workers` is 0, when the payer policies in force were set in
 * code (a worker could not read the same ones), or when the worker script has not been built.
 */
export function evaluatorFor(workers: number): Evaluator {
  const source = policySource();
  const script = workerScript();
  if (workers <= 0 || !source || !script) return evaluatorInThread();
  return new WorkerPool(Math.min(workers, MAX_WORKERS), script, { limits: limits(), policyDepartmentDir: source.departmentDir });
}

interface Pending {
  readonly resolve: (answer: never) => void;
  readonly reject: (error: Error) => void;
  readonly worker: number;
}

/**
 * Worker threads started with the run (their modules load while the input is read), each given the department's
 * context once and then patients by name, one message each; a patient goes to the worker with the fewest in flight. A
 * worker that fails (a bug, not bad input: bad input is an error record) fails the run, as it would on one thread.
 */
class WorkerPool implements Evaluator {
  readonly window: number;
  private readonly workers: Worker[];
  private readonly inFlight: number[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failed: Error | null = null;

  constructor(size: number, script: string, settings: WorkerSettings) {
    this.window = size * IN_FLIGHT_PER_WORKER;
    this.inFlight = new Array<number>(size).fill(0);
    this.workers = [];
    try {
      for (let index = 0; index < size; index++) {
        const worker = new Worker(script, { workerData: settings });
        worker.on('message', (message: FromWorker) => this.settle(message));
        worker.on('messageerror', (error) => this.fail(error, index));
        worker.on('error', (error) => this.fail(error, index));
        worker.on('exit', (code) => {
          if (code !== 0) this.fail(new Error(`evaluation worker ${index} stopped (exit code ${code})`), index);
        });
        this.workers.push(worker);
      }
    } catch (error) {
      // A thread the system would not start: those started are stopped, and the run fails as it began.
      for (const worker of this.workers) void worker.terminate();
      throw error;
    }
  }

  start(department: DepartmentContext): void {
    for (const worker of this.workers) worker.postMessage({ kind: 'start', department } satisfies ToWorker);
  }

  evaluate(patient: string): Promise<Evaluated> {
    const worker = this.inFlight.indexOf(Math.min(...this.inFlight));
    return this.ask<Evaluated>(worker, (id) => ({ kind: 'patient', id, patient }));
  }

  summaries(): Promise<SummaryRecord[]> {
    return Promise.all(this.workers.map((_, worker) => this.ask<SummaryRecord>(worker, (id) => ({ kind: 'summary', id }))));
  }

  async close(): Promise<void> {
    this.failed ??= new Error('the evaluation workers were closed');
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    // Nothing in flight is left waiting on a worker that is gone.
    for (const pending of this.pending.values()) pending.reject(this.failed);
    this.pending.clear();
  }

  private ask<T>(worker: number, message: (id: number) => ToWorker): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    this.inFlight[worker]! += 1;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (answer: never) => void, reject, worker });
      this.workers[worker]!.postMessage(message(id));
    });
  }

  private settle(message: FromWorker): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    this.inFlight[pending.worker]! -= 1;
    if ('failure' in message) pending.reject(Object.assign(new Error(message.failure.message), { stack: message.failure.stack }));
    else pending.resolve(('summary' in message ? message.summary : message.evaluated) as never);
  }

  /**
   * A worker failed: what it had in flight fails, and nothing more is handed out; what the other workers are evaluating
   * still settles (the lines before the failure are written, as on one thread).
   */
  private fail(error: Error, worker: number): void {
    this.failed ??= error;
    for (const [id, pending] of this.pending)
      if (pending.worker === worker) {
        this.pending.delete(id);
        pending.reject(error);
      }
  }
}
