/**
 * The pipeline on one Bundle file in a fresh process (started by pipeline.ts with a large heap and --expose-gc),
 * so that its peak memory is this size's alone. Each run times the pipeline's stages as determineBundle composes
 * them (JSON.parse → parseBundle → extractFacts → evaluate) and the garbage collector's pauses within the run;
 * then the engine alone on facts extracted once. Reports to the parent over IPC.
 *
 * argv: <bundle.json> <sessions> <runs>
 */
import { readFileSync } from 'node:fs';
import { coreTimes, othersPct } from './contention.js';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { evaluate } from '../src/engine/evaluate.js';
import { extractFacts } from '../src/fhir/extract.js';
import { parseBundle } from '../src/fhir/parse.js';
import { DEFAULT_LIMITS, useLimits } from '../src/limits.js';
import { determineBundle } from '../src/pipeline.js';

export const AS_OF = '2026-11-25';
const WARMUP_MS = 3000;

export interface StageTimes {
  readonly jsonParseMs: number;
  readonly parseBundleMs: number;
  readonly extractFactsMs: number;
  readonly evaluateMs: number;
  readonly totalMs: number;
  /** Process CPU time during the run (all threads: V8's GC helpers run beside the main thread). */
  readonly cpuMs: number;
  /** GC pauses during the run (major: mark-compact; minor: scavenges). */
  readonly gcMajorMs: number;
  readonly gcMinorMs: number;
  /** Other processes' share of the machine during the run (%), null without /proc/stat. */
  readonly othersPct: number | null;
}

export interface PipelineReport {
  readonly sessions: number;
  readonly inputMb: number;
  readonly runs: StageTimes[];
  readonly engineMs: number;
  readonly peakRssMb: number;
  readonly startRssMb: number;
  /** Heap in use after a full GC with the parsed Bundle, the validated entries, the facts and the determination alive. */
  readonly liveHeapMb: number;
}

const [file, sessionsArg, runsArg] = process.argv.slice(2) as [string, string, string];
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mb = (bytes: number) => Math.round(bytes / 1_048_576);

const gcEntries: PerformanceEntry[] = [];
const observer = new PerformanceObserver((list) => gcEntries.push(...list.getEntries()));
observer.observe({ entryTypes: ['gc'] });
/** Lets the observer deliver the entries of what just ran. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

function gcWithin(from: number, to: number): { major: number; minor: number } {
  let major = 0;
  let minor = 0;
  for (const entry of gcEntries) {
    if (entry.startTime < from || entry.startTime > to) continue;
    // detail.kind: 1 minor (scavenge), 2 major (mark-compact), 4 incremental marking, 8 weak callbacks.
    if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === 1) minor += entry.duration;
    else major += entry.duration;
  }
  return { major, minor };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const startRss = process.memoryUsage().rss;

const text = readFileSync(file, 'utf8');
// One Bundle of a whole generated department holds more resources than one patient may (MAX_RESOURCES_PER_PATIENT,
// 100,000: 100k sessions are 400,000 resources); a user evaluating such a Bundle raises the setting the same way.
useLimits({ ...DEFAULT_LIMITS, maxResourcesPerPatient: Number.MAX_SAFE_INTEGER });
// Warm-up on this Bundle for at least WARMUP_MS (and at least one run): at 1k sessions the JIT needs some twenty
// runs to settle, at 100k one run is 1.5 million resources.
const warmUntil = performance.now() + WARMUP_MS;
do determineBundle(JSON.parse(text), { asOf: AS_OF });
while (performance.now() < warmUntil);
const runs: StageTimes[] = [];
let liveHeap = 0;
for (let run = 0; run < Number(runsArg); run++) {
  gc();
  await settle();
  const cores0 = coreTimes();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const json: unknown = JSON.parse(text);
  const t1 = performance.now();
  const entries = parseBundle(json);
  const t2 = performance.now();
  const input = extractFacts(entries, { asOf: AS_OF });
  const t3 = performance.now();
  const determination = evaluate(input);
  const t4 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const cores1 = coreTimes();
  await settle();
  const { major, minor } = gcWithin(t0, t4);
  runs.push({
    jsonParseMs: t1 - t0,
    parseBundleMs: t2 - t1,
    extractFactsMs: t3 - t2,
    evaluateMs: t4 - t3,
    totalMs: t4 - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    othersPct: othersPct(cores0, cores1, [...(cores0?.keys() ?? [])], (cpu.user + cpu.system) / 1000, t4 - t0),
    gcMajorMs: major,
    gcMinorMs: minor,
  });
  if (run === 0) {
    // Everything the pipeline built is still referenced here, so the full GC keeps it.
    const alive = [json, entries, input, determination] as const;
    gc();
    liveHeap = process.memoryUsage().heapUsed;
    if (alive[3].sessions.length === 0) throw new Error('no sessions determined');
  }
}

// The engine alone: facts extracted once, evaluated `engineRuns` times.
const input = extractFacts(parseBundle(JSON.parse(text)), { asOf: AS_OF });
evaluate(input); // warm-up
const engineSamples: number[] = [];
for (let i = 0; i < Math.max(3, Number(runsArg)); i++) {
  const started = performance.now();
  evaluate(input);
  engineSamples.push(performance.now() - started);
}

const report: PipelineReport = {
  sessions: Number(sessionsArg),
  inputMb: mb(Buffer.byteLength(text)),
  runs,
  engineMs: median(engineSamples),
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  startRssMb: mb(startRss),
  liveHeapMb: mb(liveHeap),
};
observer.disconnect();
process.send?.(report, () => process.exit(0));
