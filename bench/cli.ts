/**
 * What users of the CLI wait for, measured on the command users run (`bin/rt-billing.js`), each call a fresh process:
 *
 * - `cli.startupOverNode`: `rt-billing evaluate <one Bundle>` against `node -e 0` (median wall time of alternating
 *   runs after one warm-up of each): what loading the CLI costs beyond starting Node.
 * - `batch.overParse`: `rt-billing evaluate DIR --format ndjson --out FILE` on a generated Bulk Data export against a
 *   process that only reads the same files' lines and `JSON.parse`s each (bench/parse-floor.ts), one after the other in
 *   the same run; the CLI as users run it (no V8 flags; its peak RSS is printed). Wall time is the measure; CPU time (from
 *   bench/cpu-report.ts) is printed beside it, steadier on a shared machine. The CLI evaluates on its default evaluation
 *   threads (one per core); the same run with `--workers 0` is timed after it (`workersSpeedup`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultWorkers } from '../src/batch/evaluation-pool.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'rt-billing.js');
const REPORTER = fileURLToPath(new URL('./cpu-report.js', import.meta.url));
const FLOOR = fileURLToPath(new URL('./parse-floor.js', import.meta.url));
/** The Bundle of `cli.startupOverNode`: a 3-fraction course with charges (fixtures/, as in the README's tour). */
export const STARTUP_BUNDLE = join(ROOT, 'fixtures', 'a4-left-breast-breath-hold-surface-monitored.json');
const STARTUP_ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 15);

interface Timed {
  readonly ms: number;
  readonly cpuMs: number;
  readonly peakRssMb: number;
}

/** Runs `node [...execArgv] ...args` to its end: wall time from spawn to exit, and the process's own CPU and peak RSS. */
async function timed(args: readonly string[], execArgv: readonly string[] = []): Promise<Timed> {
  const dir = mkdtempSync(join(tmpdir(), 'rt-billing-cpu-'));
  const report = join(dir, 'usage.json');
  try {
    const started = performance.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [...execArgv, '--import', REPORTER, ...args], {
        stdio: 'ignore',
        env: { ...process.env, BENCH_CPU_REPORT: report },
      });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    const ms = performance.now() - started;
    // The CLI exits 3 when some records are errors (the generated departments have none; the Bundle neither).
    if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${code}`);
    const usage = JSON.parse(readFileSync(report, 'utf8')) as { cpuMs: number; peakRssMb: number };
    return { ms, ...usage };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export interface Startup {
  readonly bundleMs: number;
  readonly nodeMs: number;
  readonly startupOverNode: number;
  readonly bundleCpuMs: number;
  readonly nodeCpuMs: number;
  readonly rounds: number;
}

/** `rt-billing evaluate <one Bundle>` against `node -e 0`, alternating, after a warm-up of each (the file cache). */
export async function measureStartup(rounds = STARTUP_ROUNDS): Promise<Startup> {
  const bundle = () => timed([BIN, 'evaluate', STARTUP_BUNDLE, '--as-of', '2026-07-01']);
  const bare = () => timed(['-e', '0']);
  await bundle();
  await bare();
  const cli: Timed[] = [];
  const node: Timed[] = [];
  for (let i = 0; i < rounds; i++) {
    node.push(await bare());
    cli.push(await bundle());
  }
  const bundleMs = median(cli.map((t) => t.ms));
  const nodeMs = median(node.map((t) => t.ms));
  return {
    bundleMs: round(bundleMs, 1),
    nodeMs: round(nodeMs, 1),
    startupOverNode: round(bundleMs / nodeMs, 2),
    bundleCpuMs: round(median(cli.map((t) => t.cpuMs)), 1),
    nodeCpuMs: round(median(node.map((t) => t.cpuMs)), 1),
    rounds,
  };
}

export interface OverParse {
  readonly cliSeconds: number;
  readonly parseSeconds: number;
  /** Wall time of the CLI over wall time of the parse floor. */
  readonly overParse: number;
  readonly cliCpuSeconds: number;
  readonly parseCpuSeconds: number;
  readonly cpuOverParse: number;
  readonly cliPeakRssMb: number;
  /** The evaluation threads the CLI chose (one per core, `--workers`), and the same run on its main thread alone. */
  readonly workers: number;
  readonly oneThreadSeconds: number;
  /** The one-thread run's wall time over the default run's: what the workers buy on this machine. */
  readonly workersSpeedup: number;
}

/** The CLI's department run over the parse floor, on the export in `dir` (NDJSON files), one after the other. */
export async function measureOverParse(dir: string): Promise<OverParse> {
  const out = mkdtempSync(join(tmpdir(), 'rt-billing-over-parse-'));
  try {
    const parse = await timed([FLOOR, dir]);
    const cli = await timed([BIN, 'evaluate', dir, '--format', 'ndjson', '--out', join(out, 'out.ndjson')]);
    const oneThread = await timed([BIN, 'evaluate', dir, '--format', 'ndjson', '--out', join(out, 'out.ndjson'), '--workers', '0']);
    return {
      cliSeconds: round(cli.ms / 1000, 2),
      parseSeconds: round(parse.ms / 1000, 2),
      overParse: round(cli.ms / parse.ms, 2),
      cliCpuSeconds: round(cli.cpuMs / 1000, 2),
      parseCpuSeconds: round(parse.cpuMs / 1000, 2),
      cpuOverParse: round(cli.cpuMs / parse.cpuMs, 2),
      cliPeakRssMb: cli.peakRssMb,
      workers: defaultWorkers(),
      oneThreadSeconds: round(oneThread.ms / 1000, 2),
      workersSpeedup: round(oneThread.ms / cli.ms, 2),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function printStartup(startup: Startup): void {
  console.log(
    `\nCLI start-up (median of ${startup.rounds} alternating runs): rt-billing evaluate <one Bundle> ${startup.bundleMs} ms (CPU ${startup.bundleCpuMs} ms), node -e 0 ${startup.nodeMs} ms (CPU ${startup.nodeCpuMs} ms): ${startup.startupOverNode} ×`,
  );
}

export function printOverParse(rows: readonly { patients: number; overParse: OverParse }[]): void {
  console.log('\nrt-billing evaluate DIR --format ndjson over reading and JSON.parse of the same NDJSON (a fresh process each, same run)');
  console.log(
    `${'patients'.padEnd(10)}${'CLI s'.padStart(8)}${'parse s'.padStart(9)}${'× wall'.padStart(8)}${'CLI CPU s'.padStart(11)}${'parse CPU s'.padStart(13)}${'× CPU'.padStart(7)}${'CLI peak RSS MB'.padStart(17)}${'workers'.padStart(9)}${'1 thread s'.padStart(12)}`,
  );
  for (const { patients, overParse: o } of rows)
    console.log(
      `${String(patients).padEnd(10)}${String(o.cliSeconds).padStart(8)}${String(o.parseSeconds).padStart(9)}${String(o.overParse).padStart(8)}${String(o.cliCpuSeconds).padStart(11)}${String(o.parseCpuSeconds).padStart(13)}${String(o.cpuOverParse).padStart(7)}${String(o.cliPeakRssMb).padStart(17)}${String(o.workers).padStart(9)}${String(o.oneThreadSeconds).padStart(12)}`,
    );
}
