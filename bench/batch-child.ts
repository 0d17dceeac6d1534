/**
 * One department run in a fresh process, as `rt-billing evaluate DIR --format ndjson --out FILE` does it, so that
 * its peak memory (getrusage maxrss) is the run's alone. Reports to the parent over IPC.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readRemittanceText } from '../src/fhir/remittance/read.js';
import { once } from 'node:events';
import { ndjsonWriter } from '../src/batch/output.js';
import { runDepartment } from '../src/batch/run.js';

const [input, output, ...remittanceFiles] = process.argv.slice(2) as [string, string, ...string[]];
// Remittance beside the export (835 files), read as the CLI reads them: part of the run's time and memory.

const stream = createWriteStream(output);
const writer = ndjsonWriter(stream);
const started = performance.now();
const remittance = remittanceFiles.flatMap((file) => readRemittanceText(readFileSync(file, 'utf8'), basename(file)));
const result = await runDepartment(input, { record: (record) => writer.write(record), remittance });
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
