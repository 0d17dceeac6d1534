/**
 * What threads can buy on this machine: the pipeline (`determineBundle`) of the project's scenarios in a loop for a few
 * seconds on 1, then N worker threads, and the Bundles per second of each. The department run's evaluation threads
 * (`--workers`) can gain no more than this. `node dist/bench/thread-scaling.js [N] [seconds]` (N: the cores).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { determineBundle } from '../src/pipeline.js';

const SCENARIOS = fileURLToPath(new URL('../../test/fixtures/scenarios', import.meta.url));

/** Bundles per second over `seconds`, on `threads` worker threads at once. */
async function throughput(threads: number, seconds: number): Promise<number> {
  const workers = Array.from({ length: threads }, () => new Worker(fileURLToPath(import.meta.url), { workerData: { seconds } }));
  const counts = await Promise.all(workers.map((worker) => new Promise<number>((resolve) => worker.once('message', resolve))));
  return Math.round(counts.reduce((sum, n) => sum + n, 0) / seconds);
}

if (isMainThread) {
  const threads = Number(process.argv[2] ?? availableParallelism());
  const seconds = Number(process.argv[3] ?? 6);
  const one = await throughput(1, seconds);
  const many = await throughput(threads, seconds);
  console.log(`1 thread: ${one} Bundles/s; ${threads} threads: ${many} Bundles/s in all (${(many / one).toFixed(2)} ×)`);
} else {
  const texts = readdirSync(SCENARIOS)
    .filter((name) => name.endsWith('.bundle.json'))
    .map((name) => readFileSync(join(SCENARIOS, name), 'utf8'));
  const options = { asOf: '2026-07-01', clinicTimeZone: null };
  const end = performance.now() + (workerData as { seconds: number }).seconds * 1000;
  let count = 0;
  while (performance.now() < end)
    for (const text of texts) {
      determineBundle(JSON.parse(text), options);
      count += 1;
    }
  parentPort!.postMessage(count);
}
