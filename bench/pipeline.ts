/**
 * The pipeline (Bundle JSON → validated → facts → determination) at 1k, 10k and 100k sessions, each size in a
 * fresh process with a large heap so that its time and peak memory are its own. The Bundle is written to a file
 * first (a course at a time: the 100k Bundle is ~300 MB of JSON) and read by the child, as the CLI reads one.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PipelineReport, StageTimes } from './pipeline-child.js';
import { writeSyntheticBundle } from './synthetic.js';
import { LARGE_BUNDLE_FLAGS } from '../src/runtime-flags.js';

export const PIPELINE_HEAP_MB = 8192;
export const DEFAULT_SIZES = [1000, 10_000, 100_000];

/** Timed runs per size (a 100k run takes tens of seconds). */
const runsFor = (sessions: number) => (sessions <= 1000 ? 15 : sessions <= 10_000 ? 5 : 2);

export interface PipelineRow {
  readonly sessions: number;
  readonly runs: number;
  readonly inputMb: number;
  /** Medians over the runs. */
  readonly pipelineMs: number;
  readonly stages: Omit<StageTimes, 'totalMs' | 'cpuMs' | 'othersPct'>;
  /** The highest share of the machine other processes used during a run (%), null without /proc/stat. */
  readonly othersPct: number | null;
  /** Process CPU time of a run (median), V8's parallel GC threads included. */
  readonly cpuMs: number;
  readonly engineMs: number;
  readonly peakRssMb: number;
  readonly liveHeapMb: number;
  /** (peak RSS − RSS of the process before it read the Bundle) per session. */
  readonly peakKbPerSession: number;
  readonly liveHeapKbPerSession: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measureSize(dir: string, sessions: number): Promise<PipelineRow> {
  const file = join(dir, `bundle-${sessions}.json`);
  writeSyntheticBundle(file, sessions);
  const runs = runsFor(sessions);
  const child = fork(fileURLToPath(new URL('./pipeline-child.js', import.meta.url)), [file, String(sessions), String(runs)], {
    stdio: 'inherit',
    // The large-Bundle setting (runtime-flags.ts): 100,000 sessions in one Bundle is what it is for.
    execArgv: [...LARGE_BUNDLE_FLAGS, `--max-old-space-size=${PIPELINE_HEAP_MB}`, '--expose-gc'],
  });
  const report = await new Promise<PipelineReport>((resolve, reject) => {
    child.once('message', (m) => resolve(m as PipelineReport));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`pipeline run at ${sessions} sessions exited ${code}`))));
  });
  rmSync(file, { force: true });
  const stage = (key: Exclude<keyof StageTimes, 'othersPct'>) => median(report.runs.map((r) => r[key]));
  const others = report.runs.map((r) => r.othersPct).filter((pct) => pct !== null);
  return {
    sessions,
    runs,
    inputMb: report.inputMb,
    pipelineMs: stage('totalMs'),
    cpuMs: stage('cpuMs'),
    othersPct: others.length > 0 ? Math.max(...others) : null,
    stages: {
      jsonParseMs: stage('jsonParseMs'),
      parseBundleMs: stage('parseBundleMs'),
      extractFactsMs: stage('extractFactsMs'),
      evaluateMs: stage('evaluateMs'),
      gcMajorMs: stage('gcMajorMs'),
      gcMinorMs: stage('gcMinorMs'),
    },
    engineMs: report.engineMs,
    peakRssMb: report.peakRssMb,
    liveHeapMb: report.liveHeapMb,
    peakKbPerSession: Math.round((((report.peakRssMb - report.startRssMb) * 1024) / sessions) * 10) / 10,
    liveHeapKbPerSession: Math.round(((report.liveHeapMb * 1024) / sessions) * 10) / 10,
  };
}

export async function runPipeline(sizes: readonly number[], log: (line: string) => void): Promise<PipelineRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'rt-billing-pipeline-'));
  try {
    const rows: PipelineRow[] = [];
    for (const sessions of sizes) {
      const row = await measureSize(dir, sessions);
      log(
        `  ${sessions} sessions: ${row.pipelineMs.toFixed(0)} ms (median of ${row.runs}), peak RSS ${row.peakRssMb} MB, other processes up to ${row.othersPct ?? '-'} % of the machine`,
      );
      rows.push(row);
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
