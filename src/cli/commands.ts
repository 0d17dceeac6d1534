import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { escapeLineSeparators, ndjsonLine, writerFor, FORMATS, type Format, type RecordWriter } from '../batch/output.js';
import { duration, ProgressReporter } from '../batch/progress.js';
import type { RunRecord } from '../batch/run.js';
import { notJson, planInput } from '../batch/sources.js';
export { UnreadableInput } from '../batch/sources.js';
import { DepartmentSummary, type SummaryRecord } from '../batch/summary.js';
import { InputError } from '../errors.js';
import type { RemittanceClaim } from '../engine/remittance-types.js';
import { readRemittanceText } from '../fhir/remittance/read.js';
import { RemittanceError } from '../fhir/remittance/x12.js';
import { parseBundle } from '../fhir/parse.js';
import { determineBundle, evaluateEntries } from '../pipeline.js';
import { printable, type Dating, type Parsed, type Terminal } from './main.js';

/**
 * The CLI's commands, loaded only when one runs (the engine, SQLite, the X12 reader and the report's charts take a
 * second to load; `rt-billing --help` does not wait for them). The report (echarts: 600 modules, 0.5–1 s), the appeal
 * packets and the department run (SQLite) are imported by the commands that use them: `evaluate` of one Bundle loads
 * the pipeline, the policies and nothing more.
 */
/**
 * A scratch folder for the patient store, removed at the end and also when the run is interrupted (Ctrl-C, a
 * scheduler's SIGTERM): a department's PHI is not left behind in the temporary folder.
 */
async function withScratch<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'rt-billing-run-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const interrupted = (signal: NodeJS.Signals) => {
    remove();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  // A crash (an uncaught exception in a stream) ends the process without unwinding to `finally`: 'exit' still runs.
  process.once('exit', remove);
  try {
    return await run(dir);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    process.off('exit', remove);
    remove();
  }
}

/** The evaluation threads of a department run: --workers N, else one per core. */
async function workersFor(parsed: Parsed): Promise<number> {
  const chosen = parsed.flags.get('--workers');
  if (chosen !== undefined) return Number(chosen);
  const { defaultWorkers } = await import('../batch/evaluation-pool.js');
  return defaultWorkers();
}

/** The output stream: --out FILE, or the `out` writer (stdout). */
function destination(file: string | undefined, out: (text: string) => void): { stream: Writable; close: () => Promise<void> } {
  if (file) {
    const stream = createWriteStream(file);
    return {
      stream,
      close: async () => {
        stream.end();
        await finished(stream);
      },
    };
  }
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      out(chunk.toString());
      callback();
    },
  });
  return { stream, close: async () => {} };
}

export async function evaluateCommand(
  parsed: Parsed,
  dates: Dating,
  out: (text: string) => void,
  err: (text: string) => void,
  terminal: Terminal,
): Promise<number> {
  const path = parsed.paths[0]!;
  const format = (parsed.flags.get('--format') ?? 'json') as Format;
  if (!FORMATS.includes(format)) {
    err(`rt-billing: --format must be one of ${FORMATS.join(', ')}\n`);
    return 2;
  }
  const plan = await planInput(path);
  // A single Bundle as JSON: its determination, exactly as before and as the direct API answers it.
  if (plan.kind === 'bundle' && format === 'json') return singleBundle(path, parsed.paths.slice(1), dates, parsed.flags.get('--out'), out, err);
  const remittance = await readRemittanceFiles(parsed.paths.slice(1), err);
  // The department run (SQLite, a native module) is loaded by the runs that need it, not for one Bundle.
  const [{ runDepartment }, workers] = await Promise.all([import('../batch/run.js'), workersFor(parsed)]);

  const target = destination(parsed.flags.get('--out'), out);
  const writer: RecordWriter = writerFor(format, target.stream);
  const progress = new ProgressReporter({ tty: terminal.isTTY === true, write: err, ...(terminal.columns ? { columns: terminal.columns } : {}) });
  let result;
  try {
    result = await withScratch((tmpDir) =>
      runDepartment(path, {
        record: (record: RunRecord) => writer.write(record),
        progress: (p) => progress.update(p),
        tmpDir,
        ...dates,
        remittance: remittance.claims,
        workers,
        text: { format, write: (text) => writer.writeText(text) },
      }),
    );
  } catch (error) {
    // What was written before the run stopped (error records of unreadable lines) still reaches the output.
    await writer.flush();
    await target.close();
    throw error;
  }
  await writer.end(result.summary);
  await target.close();
  progress.finish();
  err(`${closingLine(result.summary, progress.elapsed())}\n`);
  return result.errors > 0 || remittance.failed > 0 ? 3 : 0;
}

export function closingLine(summary: SummaryRecord, seconds: number): string {
  const rate = seconds > 0 ? ` (${(summary.patients / seconds).toFixed(1)} patients/s)` : '';
  const errors = summary.errors > 0 ? `, ${summary.errors} error record${summary.errors === 1 ? '' : 's'} (see the output)` : ', every line read';
  return `rt-billing: ${summary.patients} patients, ${summary.sessions} sessions, ${summary.charges.total} charges in ${duration(seconds)}${rate}${errors}`;
}

/** Remittance files beside a Bundle: each read on its own; a malformed one is named (file and segment) and skipped. */
async function readRemittanceFiles(
  paths: readonly string[],
  err: (text: string) => void,
  record: unknown = undefined,
): Promise<{ claims: RemittanceClaim[]; failed: number }> {
  // A ClaimResponse (use claim) answers a Claim of the record: its codes are read there.
  const known = ((record as { entry?: { resource?: unknown }[] } | undefined)?.entry ?? []).map((e) => e?.resource);
  const claims: RemittanceClaim[] = [];
  let failed = 0;
  for (const path of paths) {
    try {
      claims.push(...readRemittanceText(await readFile(path, 'utf8'), basename(path), known));
    } catch (error) {
      failed += 1;
      const code = (error as NodeJS.ErrnoException).code;
      if (error instanceof RemittanceError) err(`rt-billing: remittance ${printable(error.message)}; skipped\n`);
      else if (code) err(`rt-billing: cannot read ${printable(path)}: ${code}\n`);
      else throw error;
    }
  }
  return { claims, failed };
}

async function singleBundle(
  path: string,
  remittancePaths: readonly string[],
  dates: Dating,
  outFile: string | undefined,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const json = await readJsonFile(path, err);
  if (json === UNREADABLE) return 2;
  try {
    // One JSON shape everywhere: the determination, as the direct API answers it (no summary around it).
    const remittance = await readRemittanceFiles(remittancePaths, err, json);
    const text = `${JSON.stringify(determineBundle(json, dates, remittance.claims), null, 2)}\n`;
    const target = destination(outFile, out);
    target.stream.write(text);
    await target.close();
    return remittance.failed > 0 ? 3 : 0;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    err(
      `rt-billing: ${printable(path)} is not a valid FHIR Bundle:\n${error.issues.map((issue) => `  ${printable(issue.path)}: ${printable(issue.message)}`).join('\n')}\n`,
    );
    return 2;
  }
}

/** A file that could not be read or parsed (the reason is already on stderr). */
const UNREADABLE = Symbol('unreadable');

/** A JSON file's content; if it cannot be read or parsed, says why on stderr (never the parser's message: it quotes the file's bytes). */
async function readJsonFile(path: string, err: (text: string) => void): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    err(code ? `rt-billing: cannot read ${printable(path)}: ${code}\n` : `rt-billing: ${printable(path)} is not valid JSON: ${notJson(error)}\n`);
    return UNREADABLE;
  }
}

/** `rt-billing appeal BUNDLE REMITTANCE... --out DIR`: one HTML and one DocumentReference per appealable line. */
export async function appealCommand(parsed: Parsed, dates: Dating, err: (text: string) => void): Promise<number> {
  const [path, ...remittancePaths] = parsed.paths as [string, ...string[]];
  const dir = parsed.flags.get('--out')!;
  const { appealPackets } = await import('../appeals/packet.js');
  const json = await readJsonFile(path, err);
  if (json === UNREADABLE) return 2;
  const remittance = await readRemittanceFiles(remittancePaths, err, json);
  let packets;
  try {
    packets = appealPackets(evaluateEntries(parseBundle(json), dates, remittance.claims), new Date().toISOString());
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    err(
      `rt-billing: ${printable(path)} is not a valid FHIR Bundle:\n${error.issues.map((i) => `  ${printable(i.path)}: ${printable(i.message)}`).join('\n')}\n`,
    );
    return 2;
  }
  await mkdir(dir, { recursive: true });
  for (const packet of packets) {
    await writeFile(join(dir, `${packet.name}.html`), packet.html);
    await writeFile(join(dir, `${packet.name}.json`), `${JSON.stringify(packet.documentReference, null, 2)}\n`);
  }
  err(`rt-billing: ${packets.length} appeal packet${packets.length === 1 ? '' : 's'} written to ${printable(dir)}\n`);
  return remittance.failed > 0 ? 3 : 0;
}

export async function reportCommand(parsed: Parsed, dates: Dating, err: (text: string) => void, terminal: Terminal): Promise<number> {
  const path = parsed.paths[0]!;
  const file = parsed.flags.get('--html')!;
  const [{ reportFromInput, reportFromResults, isResultsFile }, { renderReport }] = await Promise.all([
    import('../report/collect.js'),
    import('../report/html.js'),
  ]);
  const progress = new ProgressReporter({ tty: terminal.isTTY === true, write: err, ...(terminal.columns ? { columns: terminal.columns } : {}) });
  const fromResults = await isResultsFile(path);
  const remittance = await readRemittanceFiles(parsed.paths.slice(1), err);
  const collected = fromResults
    ? await reportFromResults(path)
    : await withScratch(async (tmpDir) =>
        reportFromInput(path, (p) => progress.update(p), tmpDir, { ...dates, remittance: remittance.claims, workers: await workersFor(parsed) }),
      );
  progress.finish();
  const target = createWriteStream(file);
  target.end(renderReport(collected, { generatedAt: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC' }));
  await finished(target);
  const totals = `${collected.summary.patients} patients, ${collected.summary.sessions} sessions, ${collected.summary.errors} error records`;
  err(
    `${fromResults ? `rt-billing: ${totals} read from ${path}` : closingLine(collected.summary, progress.elapsed())}\nrt-billing: report written to ${file}\n`,
  );
  return collected.summary.errors > 0 ? 3 : 0;
}

/** Joins shard outputs: every patient and error line through, one summary of all at the end. */
export async function mergeCommand(parsed: Parsed, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const target = destination(parsed.flags.get('--out'), out);
  const summary = new DepartmentSummary();
  let problems = 0;
  for (const path of parsed.paths) {
    await planInput(path);
    let summaries = 0;
    let line = 0;
    for await (const text of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      line += 1;
      if (text.trim() === '') continue;
      let record: { summary?: SummaryRecord };
      try {
        record = JSON.parse(text) as { summary?: SummaryRecord };
      } catch {
        problems += 1;
        err(`rt-billing: ${printable(path)}:${line} is not valid JSON; skipped\n`);
        continue;
      }
      if (record.summary) {
        summary.merge(record.summary);
        summaries += 1;
      } else if (!target.stream.write(`${escapeLineSeparators(text)}\n`)) await new Promise((resolve) => target.stream.once('drain', resolve));
    }
    if (summaries !== 1) {
      problems += 1;
      err(`rt-billing: ${printable(path)} has ${summaries} summary lines (expected one: did its run finish?)\n`);
    }
  }
  const merged = summary.toJSON();
  target.stream.write(`${ndjsonLine({ summary: merged })}\n`);
  await target.close();
  err(`rt-billing: merged ${parsed.paths.length} shards: ${merged.patients} patients, ${merged.sessions} sessions, ${merged.errors} error records\n`);
  return problems > 0 || merged.errors > 0 ? 3 : 0;
}
