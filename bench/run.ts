/**
 * `npm run bench`: the service's figures, printed as tables, with as the LAST line one JSON object.
 *
 * - hooks: each hook under HTTP load (autocannon, BENCH_DURATION_S seconds, 50 connections) in a fresh server
 *   process pinned to its own core, the load generator on another, BENCH_HOOK_ROUNDS rounds (3; the figures are
 *   medians): throughput, p99 and server CPU per request, against a bare express baseline with the same body;
 *   JWT-authenticated variants with tokens signed beforehand; in-process per-call costs (and how discharge scales
 *   with the course).
 * - pipeline: Bundle JSON → validated → facts → determination at 1k, 10k and 100k sessions, a fresh process each:
 *   time per stage, GC, peak memory; the engine alone.
 * - batch: department runs of 1,000 and 10,000 generated patients (batch.patientsPerSecond, batch.peakRssMb), and
 *   the CLI's `evaluate` of each over reading and JSON.parse of the same files (batch.overParse, cli.ts).
 * - cli: `rt-billing evaluate <one Bundle>` over `node -e 0` (cli.startupOverNode, cli.ts).
 *
 * - latency: round trips to a slow EHR (a stand-in FHIR server answering in BENCH_RTT_MS, 100 ms): per hook and
 *   prefetch, the sequential round trips (depth), the requests and the time of a call.
 *
 * - app: the reviewer app launched in Chromium against the same stand-in (bench/app.ts): waves, requests, banner and review times.
 * - load: open-loop latency at a fixed rate, CPU per request over the same app's fixed-answer floor, memory after
 *   load (load.ts).
 *
 * BENCH_ONLY=latency|app|hooks|pipeline|batch|cli|load runs one part; BENCH_PROFILE=1 profiles the hooks instead (profile.ts).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appSummary, printApp, runApp } from './app.js';
import { measureOverParse, measureStartup, printOverParse, printStartup, type OverParse } from './cli.js';
import { writeDepartment } from './department.js';
import { CONNECTIONS, DISCHARGE_FRACTIONS, inProcessCosts, NOISY_PCT, runHooks, SCENARIOS, type HooksRun, type LoadResult } from './hooks.js';
import { loadSummary, printLoad, runLoad } from './load.js';
import { describePinning, pinGenerator, planPinning } from './pinning.js';
import { DEFAULT_SIZES, PIPELINE_HEAP_MB, runPipeline, type PipelineRow } from './pipeline.js';
import { profileHooks } from './profile.js';
import { fetchSettings, runRoundTrips, type Latency, type RoundTrips } from './round-trips.js';
import { LARGE_BUNDLE_FLAGS } from '../src/runtime-flags.js';

const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
/** Warm-up before each measured run: after 2 s order-sign still runs ~10 % below its steady state, after 5 s not. */
const WARMUP = Number(process.env.BENCH_WARMUP_S ?? 5);
/** Fresh server processes per hook scenario (the figures are their medians). */
const ROUNDS = Number(process.env.BENCH_HOOK_ROUNDS ?? 3);
const PARTS = ['latency', 'app', 'hooks', 'pipeline', 'batch', 'cli', 'load'] as const;
type Part = (typeof PARTS)[number];

const pad = (text: string | number, width: number) => String(text).padStart(width);
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const log = (line: string) => console.log(line);

// ---------------------------------------------------------------------------------------------------- hooks

interface HooksPart {
  readonly run: HooksRun;
  readonly inProcess: Awaited<ReturnType<typeof inProcessCosts>>;
  readonly pinning: string;
}

async function hooksPart(): Promise<HooksPart> {
  const pinning = planPinning();
  const described = describePinning(pinning);
  console.log(`\nHooks: ${described}; load average ${load()}`);
  const unpin = pinGenerator(pinning);
  let run: HooksRun;
  try {
    run = await runHooks(pinning, { durationS: DURATION, warmupS: WARMUP, rounds: ROUNDS, log });
  } finally {
    unpin();
  }
  const inProcess = await inProcessCosts();
  return {
    run,
    inProcess,
    pinning: pinning.server === null ? `none (${pinning.reason})` : `server core ${pinning.server}, generator core ${pinning.generator}`,
  };
}

const BODY_LABEL = { orderSign: 'order-sign', discharge: `discharge ${DISCHARGE_FRACTIONS} fx` };

function ratio(results: Record<string, LoadResult>, name: string): number {
  const scenario = SCENARIOS.find((s) => s.name === name)!;
  return round(results[name]!.rps / results[scenario.baseline]!.rps, 2);
}

/** Baseline CPU per request over the scenario's: the per-request cost behind the throughput ratio. */
function cpuRatio(results: Record<string, LoadResult>, name: string): number {
  const scenario = SCENARIOS.find((s) => s.name === name)!;
  return round(results[scenario.baseline]!.cpuMsPerRequest / results[name]!.cpuMsPerRequest, 2);
}

function printHooks({ run, inProcess, pinning }: HooksPart): void {
  const { results, verifyCost } = run;
  console.log(
    `\nHooks (autocannon, ${DURATION} s after a ${WARMUP} s warm-up, ${CONNECTIONS} connections; medians of ${ROUNDS} rounds, each run in a fresh server process; pinning: ${pinning})`,
  );
  console.log('JWT scenarios use RS384 client tokens (Epic\'s default, "RSA SHA-384"), signed before the run; orderSignJwtEs384 uses ES384 (P-384).');
  console.log(
    `${'scenario'.padEnd(23)}${'body'.padEnd(17)}${pad('req/s', 7)}${pad('× base', 8)}${pad('p99 ms', 8)}${pad('CPU ms/req', 12)}${pad('× base CPU', 12)}${pad('server core', 13)}${pad('gen core', 10)}${pad('others', 9)}${pad('errors', 8)}${pad('non-2xx', 9)}`,
  );
  for (const scenario of SCENARIOS) {
    const r = results[scenario.name]!;
    console.log(
      `${scenario.name.padEnd(23)}${BODY_LABEL[scenario.body].padEnd(17)}${pad(r.rps, 7)}${pad(ratio(results, scenario.name), 8)}${pad(r.p99Ms, 8)}${pad(r.cpuMsPerRequest.toFixed(3), 12)}${pad(cpuRatio(results, scenario.name), 12)}${pad(`${r.serverCorePct} %`, 13)}${pad(`${r.generatorCorePct} %`, 10)}${pad(`${r.othersPct.serverCore ?? '-'}/${r.othersPct.generatorCore ?? '-'}`, 9)}${pad(r.errors, 8)}${pad(r.non2xx, 9)}`,
    );
  }
  console.log(`\nPer round (req/s; CPU ms/request; p99 ms):`);
  for (const scenario of SCENARIOS) {
    const rounds = run.rounds[scenario.name]!;
    console.log(`  ${scenario.name.padEnd(23)}${rounds.map((r) => `${r.rps}; ${r.cpuMsPerRequest.toFixed(3)}; ${r.p99Ms}`.padEnd(22)).join('')}`);
  }
  console.log(
    `(× base: against the baseline with the same body; server core near 100 % = the server, not the generator, limits the run; others: % of the server's/generator's core used by other processes, above ${NOISY_PCT} the run was disturbed)`,
  );
  const extra = (jwtName: string, openName: string) => (results[jwtName]!.cpuMsPerRequest - results[openName]!.cpuMsPerRequest).toFixed(3);
  console.log(
    `\nJWT verification per token, in-process (jwt.verify as the service calls it, key as PEM): RS384 ${verifyCost.RS384.pemMs.toFixed(3)} ms, ES384 ${verifyCost.ES384.pemMs.toFixed(3)} ms` +
      ` (with a parsed KeyObject: RS384 ${verifyCost.RS384.keyObjectMs.toFixed(3)} ms, ES384 ${verifyCost.ES384.keyObjectMs.toFixed(3)} ms)`,
  );
  console.log(
    `Server CPU per request, JWT minus open: order-sign RS384 +${extra('orderSignJwt', 'orderSign')} ms, ES384 +${extra('orderSignJwtEs384', 'orderSign')} ms; discharge RS384 +${extra('encounterDischargeJwt', 'encounterDischarge')} ms`,
  );
  for (const scenario of SCENARIOS.filter((s) => s.jwt)) {
    const tokens = results[scenario.name]!.tokens!;
    console.log(
      `  ${scenario.name}: ${tokens.pool} ${tokens.alg} tokens signed before the run, ${tokens.used} used, ${tokens.exhausted === 0 ? 'pool not exhausted' : `POOL RAN OUT: ${tokens.exhausted} signed during the run`}`,
    );
  }
  console.log(
    `\nPer call in-process (request JSON parsed and validated, prefetch read, evaluated, cards serialized; no HTTP): order-sign ${inProcess.orderSignMs} ms, encounter-discharge ${inProcess.encounterDischargeMs} ms`,
  );
  console.log(
    `HTTP stack and middleware per request (server CPU/request minus in-process): order-sign ${(results.orderSign!.cpuMsPerRequest - inProcess.orderSignMs).toFixed(3)} ms, discharge ${(results.encounterDischarge!.cpuMsPerRequest - inProcess.encounterDischargeMs).toFixed(3)} ms; bare express baseline ${results.baseline!.cpuMsPerRequest.toFixed(3)} ms`,
  );
  const scaling = inProcess.dischargeCourseScaling;
  console.log(
    `encounter-discharge per call, in-process: ${scaling.fiveMs} ms for a 5-fraction course, ${scaling.fortyMs} ms for 40 (× ${scaling.ratio})`,
  );
}

function hooksSummary({ run, inProcess, pinning }: HooksPart) {
  const { results, verifyCost } = run;
  const scenario = (name: string) => {
    const r = results[name]!;
    const rounds = run.rounds[name]!;
    return {
      rps: r.rps,
      p99Ms: r.p99Ms,
      cpuMsPerRequest: r.cpuMsPerRequest,
      rounds: { rps: rounds.map((x) => x.rps), cpuMsPerRequest: rounds.map((x) => x.cpuMsPerRequest), p99Ms: rounds.map((x) => x.p99Ms) },
      othersPct: r.othersPct,
    };
  };
  const byName = <T>(fn: (name: string) => T, names = SCENARIOS.map((s) => s.name)) => Object.fromEntries(names.map((name) => [name, fn(name)]));
  const hooks = SCENARIOS.filter((s) => s.kind !== 'baseline').map((s) => s.name);
  return {
    ...byName(scenario),
    ratios: byName((name) => ratio(results, name), hooks),
    cpuRatios: byName((name) => cpuRatio(results, name), hooks),
    p99Ms: byName((name) => results[name]!.p99Ms),
    hooksRun: {
      durationS: DURATION,
      warmupS: WARMUP,
      rounds: ROUNDS,
      connections: CONNECTIONS,
      pinning,
      jwtAlg: 'RS384',
      dischargeFractions: DISCHARGE_FRACTIONS,
    },
    jwt: {
      verifyMs: { RS384: round(verifyCost.RS384.pemMs, 3), ES384: round(verifyCost.ES384.pemMs, 3) },
      verifyMsKeyObject: { RS384: round(verifyCost.RS384.keyObjectMs, 3), ES384: round(verifyCost.ES384.keyObjectMs, 3) },
      tokens: byName(
        (name) => results[name]!.tokens,
        SCENARIOS.filter((s) => s.jwt).map((s) => s.name),
      ),
    },
    inProcessMs: { orderSign: inProcess.orderSignMs, encounterDischarge: inProcess.encounterDischargeMs },
    dischargeCourseScaling: inProcess.dischargeCourseScaling.ratio,
  };
}

// ---------------------------------------------------------------------------------------------------- latency

function printLatency(latency: Latency): void {
  console.log(
    `\nRound trips to a slow EHR (the stand-in FHIR server over HTTP, every answer after ${latency.rttMs} ms; in-process hook calls, after one warm-up call)`,
  );
  console.log(
    `${'scenario'.padEnd(34)}${pad('depth', 6)}${pad('requests', 10)}${pad('ms', 7)}${pad('cold: depth', 13)}${pad('requests', 10)}${pad('ms', 7)}`,
  );
  const row = (name: string, r: RoundTrips) =>
    console.log(
      `${name.padEnd(34)}${pad(r.depth, 6)}${pad(r.requests, 10)}${pad(r.ms, 7)}${pad(r.cold?.depth ?? '-', 13)}${pad(r.cold?.requests ?? '-', 10)}${pad(r.cold?.ms ?? '-', 7)}`,
    );
  for (const [name, r] of Object.entries(latency.discharge)) row(`discharge.${name}`, r);
  for (const [name, r] of Object.entries(latency.orderSign)) row(`orderSign.${name}`, r);
  console.log(
    '(depth: sequential round trips to the EHR; cold: the warm-up call, the first to name the server, nothing in the shared cache; lateSession: a session closed after 15 later fractions, no prefetch)',
  );
}

// ---------------------------------------------------------------------------------------------------- pipeline

function pipelineSizes(): number[] {
  const setting = process.env.BENCH_PIPELINE_SIZES;
  return setting ? setting.split(',').map(Number) : DEFAULT_SIZES;
}

function printPipeline(rows: PipelineRow[]): void {
  console.log(
    `\nPipeline (Bundle JSON → validated → facts → determination; median of runs, a fresh process per size, heap up to ${PIPELINE_HEAP_MB} MB, the large-Bundle V8 flags ${LARGE_BUNDLE_FLAGS.join(' ')}) and engine alone (facts → determination)`,
  );
  console.log(
    `${'sessions'.padEnd(9)}${pad('runs', 5)}${pad('input MB', 9)}${pad('pipeline ms', 12)}${pad('ms/session', 11)}${pad('CPU ms', 8)}${pad('JSON.parse', 11)}${pad('parseBundle', 12)}${pad('extractFacts', 13)}${pad('evaluate', 9)}${pad('GC major', 9)}${pad('GC minor', 9)}${pad('engine ms', 10)}${pad('ms/session', 11)}${pad('peak RSS MB', 12)}${pad('KB/session', 11)}${pad('live KB/s.', 11)}${pad('others', 8)}`,
  );
  for (const r of rows)
    console.log(
      `${String(r.sessions).padEnd(9)}${pad(r.runs, 5)}${pad(r.inputMb, 9)}${pad(r.pipelineMs.toFixed(0), 12)}${pad(round(r.pipelineMs / r.sessions, 4), 11)}${pad(r.cpuMs.toFixed(0), 8)}${pad(r.stages.jsonParseMs.toFixed(0), 11)}${pad(r.stages.parseBundleMs.toFixed(0), 12)}${pad(r.stages.extractFactsMs.toFixed(0), 13)}${pad(r.stages.evaluateMs.toFixed(0), 9)}${pad(r.stages.gcMajorMs.toFixed(0), 9)}${pad(r.stages.gcMinorMs.toFixed(0), 9)}${pad(r.engineMs.toFixed(0), 10)}${pad(round(r.engineMs / r.sessions, 4), 11)}${pad(r.peakRssMb, 12)}${pad(r.peakKbPerSession, 11)}${pad(r.liveHeapKbPerSession, 11)}${pad(r.othersPct === null ? '-' : `${r.othersPct} %`, 8)}`,
    );
  console.log(
    '(stage columns: wall ms; CPU ms: all threads, V8 parallel GC included; GC: pauses within the run, part of the stages; KB/session: peak RSS above the idle process; live: heap after a full GC with everything alive; others: the most other processes used of the machine during a run)',
  );
  for (let i = 1; i < rows.length; i++) {
    const [small, large] = [rows[i - 1]!, rows[i]!];
    // A stage that took no measurable time at the smaller size has no ratio.
    const x = (a: number, b: number) => (b > 0 ? String(round(a / b, 1)) : '—');
    console.log(
      `${large.sessions}/${small.sessions} (×${large.sessions / small.sessions} sessions): pipeline ×${x(large.pipelineMs, small.pipelineMs)} (CPU ×${x(large.cpuMs, small.cpuMs)}); JSON.parse ×${x(large.stages.jsonParseMs, small.stages.jsonParseMs)}, parseBundle ×${x(large.stages.parseBundleMs, small.stages.parseBundleMs)}, extractFacts ×${x(large.stages.extractFactsMs, small.stages.extractFactsMs)}, evaluate ×${x(large.stages.evaluateMs, small.stages.evaluateMs)}, GC ×${x(large.stages.gcMajorMs + large.stages.gcMinorMs, small.stages.gcMajorMs + small.stages.gcMinorMs)}; engine alone ×${x(large.engineMs, small.engineMs)}; peak RSS ×${x(large.peakRssMb, small.peakRssMb)}`,
    );
  }
}

function pipelineSummary(rows: PipelineRow[]) {
  const at = (n: number) => rows.find((r) => r.sessions === n);
  const scaling = (large: number, small: number, of: (r: PipelineRow) => number) => {
    const [l, s] = [at(large), at(small)];
    return l && s ? round(of(l) / of(s), 2) : undefined;
  };
  const ten = at(10_000) ?? rows[rows.length - 1]!;
  return {
    pipeline: {
      sessions: ten.sessions,
      msPerSession: round(ten.pipelineMs / ten.sessions, 4),
      scaling10kOver1k: scaling(10_000, 1000, (r) => r.pipelineMs),
      scaling100kOver10k: scaling(100_000, 10_000, (r) => r.pipelineMs),
      peakRssKbPerSession: Object.fromEntries(rows.map((r) => [r.sessions, r.peakKbPerSession])),
      liveHeapKbPerSession: Object.fromEntries(rows.map((r) => [r.sessions, r.liveHeapKbPerSession])),
      bySize: rows.map((r) => ({
        sessions: r.sessions,
        ms: round(r.pipelineMs, 1),
        cpuMs: round(r.cpuMs, 1),
        msPerSession: round(r.pipelineMs / r.sessions, 4),
        stagesMs: Object.fromEntries(Object.entries(r.stages).map(([k, v]) => [k.replace(/Ms$/, ''), round(v, 1)])),
        peakRssMb: r.peakRssMb,
        liveHeapMb: r.liveHeapMb,
        othersPct: r.othersPct,
      })),
    },
    engine: {
      sessions: ten.sessions,
      msPerSession: round(ten.engineMs / ten.sessions, 4),
      scaling10kOver1k: scaling(10_000, 1000, (r) => r.engineMs),
      scaling100kOver10k: scaling(100_000, 10_000, (r) => r.engineMs),
    },
  };
}

// ---------------------------------------------------------------------------------------------------- batch

const BATCH_HEAP_MB = 128;

interface BatchRun {
  /** With one 835 per month of service joined (spec E). */
  remittance: boolean;
  patients: number;
  sessions: number;
  inputMb: number;
  seconds: number;
  patientsPerSecond: number;
  peakRssMb: number;
  errors: number;
  /** The CLI on the same export over the parse floor (not for the remittance run). */
  overParse?: OverParse;
}

/**
 * A department run: a generated Bulk Data export of `patients` patients (35-fraction courses, charges on file, some
 * wrong), evaluated by `rt-billing evaluate DIR --format ndjson --out FILE` in a fresh process.
 */
async function batch(patients: number, remittance = false): Promise<BatchRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rt-billing-bench-'));
  try {
    const stats = await writeDepartment(join(dir, 'export'), patients, 35, remittance ? join(dir, 'remittance') : null);
    // The V8 heap capped at 128 MB: a run whose memory grew with the department would fail at 10,000 patients;
    // without a cap V8 collects lazily and the peak says more about the machine's free memory than about the run.
    const child = fork(
      fileURLToPath(new URL('./batch-child.js', import.meta.url)),
      [join(dir, 'export'), join(dir, 'out.ndjson'), ...stats.remittance],
      {
        stdio: 'inherit',
        execArgv: [`--max-old-space-size=${BATCH_HEAP_MB}`],
      },
    );
    const report = await new Promise<{ seconds: number; peakRssMb: number; patients: number; sessions: number; errors: number }>(
      (resolve, reject) => {
        child.once('message', (m) => resolve(m as never));
        child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`batch run exited ${code}`))));
      },
    );
    const overParse = remittance ? undefined : await measureOverParse(join(dir, 'export'));
    return {
      ...(overParse ? { overParse } : {}),
      remittance,
      patients: report.patients,
      sessions: report.sessions,
      inputMb: Math.round(stats.bytes / 1_048_576),
      seconds: Math.round(report.seconds * 10) / 10,
      patientsPerSecond: Math.round(report.patients / report.seconds),
      peakRssMb: report.peakRssMb,
      errors: report.errors,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printBatch(runs: BatchRun[]): void {
  console.log(
    `\nDepartment runs (generated Bulk Data export → rt-billing evaluate --format ndjson, a fresh process each, V8 heap capped at ${BATCH_HEAP_MB} MB)`,
  );
  console.log(
    `${'835s'.padEnd(6)}${'patients'.padEnd(10)}${pad('sessions', 10)}${pad('input MB', 10)}${pad('seconds', 9)}${pad('patients/s', 12)}${pad('peak RSS MB', 13)}${pad('errors', 8)}`,
  );
  for (const r of runs)
    console.log(
      `${(r.remittance ? 'yes' : 'no').padEnd(6)}${String(r.patients).padEnd(10)}${pad(r.sessions, 10)}${pad(r.inputMb, 10)}${pad(r.seconds, 9)}${pad(r.patientsPerSecond, 12)}${pad(r.peakRssMb, 13)}${pad(r.errors, 8)}`,
    );
}

function batchSummary(all: BatchRun[]) {
  const runs = all.filter((r) => !r.remittance);
  const [small, large] = [runs[0]!, runs[runs.length - 1]!];
  // The remittance run is compared with the run of the same size without (1,000 patients: the 835s are held in memory).
  const paid = all.find((r) => r.remittance);
  const same = paid ? runs.find((r) => r.patients === paid.patients) : undefined;
  return {
    // One 835 per month joined (spec E): time and peak memory against the same run without (target: within 1.5x).
    ...(paid && same
      ? {
          remittancePatients: paid.patients,
          remittanceTimeRatio: Math.round((paid.seconds / same.seconds) * 100) / 100,
          remittancePeakRssRatio: Math.round((paid.peakRssMb / same.peakRssMb) * 100) / 100,
        }
      : {}),
    patients: large.patients,
    sessions: large.sessions,
    patientsPerSecond: large.patientsPerSecond,
    peakRssMb: large.peakRssMb,
    peakRssMbAt1k: small.peakRssMb,
    peakRss10kOver1k: Math.round((large.peakRssMb / small.peakRssMb) * 100) / 100,
    // The CLI's evaluate over reading and JSON.parse of the same files (target ≤ 4): the worse of the sizes, and each.
    overParse: Math.max(...runs.map((r) => r.overParse?.overParse ?? 0)),
    overParseBySize: Object.fromEntries(runs.map((r) => [r.patients, r.overParse])),
    heapCapMb: BATCH_HEAP_MB,
  };
}

// ---------------------------------------------------------------------------------------------------- main

function partsToRun(): Part[] {
  const only = process.env.BENCH_ONLY;
  if (!only) return [...PARTS];
  const parts = only.split(',').map((p) => p.trim());
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown part ${unknown.join(', ')} (latency, app, hooks, pipeline, batch, cli or load)`);
  return parts as Part[];
}

async function main(): Promise<void> {
  if (process.env.BENCH_PROFILE === '1') {
    await profileHooks({ durationS: DURATION, warmupS: WARMUP });
    return;
  }
  const parts = partsToRun();
  const machine = {
    date: new Date().toISOString().slice(0, 10),
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'cpu',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: loadavg().map((l) => round(l, 2)),
  };
  console.log(
    `rt-billing-cds benchmark, ${machine.date}, ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${load()}; parts: ${parts.join(', ')}`,
  );

  const latency = parts.includes('latency') ? await runRoundTrips(fetchSettings) : undefined;
  const app = parts.includes('app') ? await runApp(log) : undefined;
  const hooks = parts.includes('hooks') ? await hooksPart() : undefined;
  let pipelineRows: PipelineRow[] | undefined;
  if (parts.includes('pipeline')) {
    console.log(`\nPipeline: load average ${load()}`);
    pipelineRows = await runPipeline(pipelineSizes(), log);
  }
  const batchRuns = parts.includes('batch') ? [await batch(1000), await batch(10_000), await batch(1000, true)] : undefined;
  const startup = parts.includes('cli') ? await measureStartup() : undefined;
  const loadRun = parts.includes('load') ? await runLoad(log) : undefined;

  if (latency) printLatency(latency);
  if (app) printApp(app);
  if (hooks) printHooks(hooks);
  if (pipelineRows) printPipeline(pipelineRows);
  if (batchRuns) printBatch(batchRuns);
  if (batchRuns) printOverParse(batchRuns.flatMap((r) => (r.overParse ? [{ patients: r.patients, overParse: r.overParse }] : [])));
  if (startup) printStartup(startup);
  if (loadRun) printLoad(loadRun);
  console.log(`\nload average at the end: ${load()}`);

  const summary = {
    ...(latency ? { latency } : {}),
    ...(app ? { app: appSummary(app) } : {}),
    ...(hooks ? hooksSummary(hooks) : {}),
    ...(pipelineRows ? pipelineSummary(pipelineRows) : {}),
    ...(batchRuns ? { batch: batchSummary(batchRuns) } : {}),
    ...(startup ? { cli: startup } : {}),
    ...(loadRun ? loadSummary(loadRun) : {}),
    machine: { ...machine, loadAverageAtEnd: loadavg().map((l) => round(l, 2)) },
  };
  console.log(`\n${JSON.stringify(summary)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
