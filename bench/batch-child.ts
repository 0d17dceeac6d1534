/**
 * One department run in a fresh process, as `rt-billing evaluate DIR --format ndjson --out FILE` does it, so that
 * its peak memory (getrusage maxrss) is the run's alone. Reports to the parent over IPC.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { ndjsonWriter } from '../src/batch/output.js';
import { runDepartment } from '../src/batch/run.js';

const [input, output] = process.argv.slice(2) as [string, string];
const stream = createWriteStream(output);
const writer = ndjsonWriter(stream);
const started = performance.now();
const result = await runDepartment(input, { record: (record) => writer.write(record) });
await writer.end(result.summary);
stream.end();
await once(stream, 'finish');
const seconds = (performance.now() - started) / 1000;
process.send?.({
  seconds,
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  patients: result.summary.patients,
  sessions: result.summary.sessions,
  errors: result.summary.errors,
});
