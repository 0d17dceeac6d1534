import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { CalendarDate, TimeZone, todayAtClinic } from '../dates.js';
import { escapeLineSeparators, ndjsonLine, writerFor, FORMATS, type Format, type RecordWriter } from '../batch/output.js';
import { duration, ProgressReporter } from '../batch/progress.js';
import { runDepartment, type RunRecord } from '../batch/run.js';
import { notJson, planInput, UnreadableInput } from '../batch/sources.js';
import { DepartmentSummary, type SummaryRecord } from '../batch/summary.js';
import { InputError } from '../errors.js';
import { limitsFromEnv, useLimits } from '../limits.js';
import type { RemittanceClaim } from '../engine/remittance-types.js';
import { readRemittanceText } from '../fhir/remittance/read.js';
import { RemittanceError } from '../fhir/remittance/x12.js';
import { appealPackets } from '../appeals/packet.js';
import { parseBundle } from '../fhir/parse.js';
import { determineBundle, evaluateEntries } from '../pipeline.js';
import { loadPolicies, PolicyError } from '../policies/load.js';
import { usePolicies } from '../policies/registry.js';
import { reportFromInput, reportFromResults, isResultsFile } from '../report/collect.js';
import { renderReport } from '../report/html.js';

const USAGE = `Usage:
  rt-billing evaluate PATH [REMITTANCE...] [--format json|ndjson|csv] [--out FILE] [--as-of YYYY-MM-DD] [--time-zone ZONE] [--policies DIR]
  rt-billing report PATH [REMITTANCE...] --html FILE [--as-of YYYY-MM-DD] [--time-zone ZONE] [--policies DIR]
  rt-billing merge SHARD.ndjson... [--out FILE]
  rt-billing appeal BUNDLE REMITTANCE... --out DIR [--as-of YYYY-MM-DD] [--time-zone ZONE] [--policies DIR]

evaluate  Evaluates FHIR R4 against the 2026 radiation oncology billing rules. PATH is a Bundle file, a folder
          of Bundles, or a folder of FHIR Bulk Data NDJSON files ($export output: Patient.ndjson,
          Procedure.ndjson, ... one resource per line; .ndjson.gz too). Patients are evaluated one at a time.
          --format json     one determination per patient and a summary (a single Bundle file: its
                            determination, as the direct API answers it)
          --format ndjson   one line per patient {"patient": "Patient/...", ...determination}, error lines where
                            they occur, and a {"summary": ...} line last
          --format csv      one line per billable line or finding
          --out FILE        write there instead of stdout
          --as-of DATE      the date undated orders are evaluated as of (default: today at the clinic)
          --time-zone ZONE  the clinic's IANA time zone (e.g. America/Chicago; default: CLINIC_TIME_ZONE): dates
                            of service are its calendar dates where a session's Location gives no zone
          --policies DIR    a department's payer policy files (default: PAYER_POLICY_DIR), beside the shipped
                            ones (policies/); a file with a shipped policy's id replaces it
          REMITTANCE        what the payer paid: X12 835 files or FHIR JSON (ExplanationOfBenefit,
                            ClaimResponse use claim, or a Bundle of them), joined to each patient; in a
                            department run a claim that matches no patient is an error record (E-UNMATCHED)
          Progress goes to stderr: a bar on a terminal, plain lines otherwise.
report    Writes one self-contained HTML report (works offline): the 77412 share by month against the 35% line,
          sessions by level, findings by rule with the amount at risk, charges to fix, and the worklist of
          approvals due before the next beam-on. PATH is what evaluate reads, or its NDJSON output.
appeal    Writes an appeal packet for each remittance line the record supports against the payer (E-DENIED-26,
          E-ZERO-PAY, E-DOWNCODE, E-AUTH, E-NOT-ADOPTED, E-UNDERPAID): DIR/NAME.html (printable) and
          DIR/NAME.json (an R4 DocumentReference whose content is that document), NAME being the session's date,
          its Encounter id and the code.
merge     Joins the NDJSON outputs of shards (a department split by patient) into one, with one summary.

Exit codes: 0 everything was read; 3 some lines or resources could not be read, or a remittance file is malformed
(error records say which, the other patients are in the output); 2 the input cannot be read at all, a payer policy
file is invalid, or usage.`;

interface Terminal {
  /** stderr is a terminal (progress bar) or not (plain lines). */
  readonly isTTY?: boolean;
  readonly columns?: number;
}

interface Parsed {
  readonly command: string | undefined;
  readonly paths: string[];
  readonly flags: Map<string, string>;
}

const VALUE_FLAGS = new Set(['--format', '--out', '--html', '--as-of', '--time-zone', '--policies']);

function parse(args: readonly string[]): Parsed | string {
  const [command, ...rest] = args;
  const paths: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const [name, inline] = arg.startsWith('--') ? (arg.split(/=(.*)/s, 2) as [string, string | undefined]) : [arg, undefined];
    if (!arg.startsWith('--')) paths.push(arg);
    else if (!VALUE_FLAGS.has(name)) return `unknown option ${name}`;
    else {
      const value = inline ?? rest[++i];
      if (value === undefined || value === '') return `${name} needs a value`;
      flags.set(name, value);
    }
  }
  return { command, paths, flags };
}

/** Runs the CLI; returns the exit code. Output goes through the given writers (tests pass their own). */
export async function runCli(
  args: readonly string[],
  out: (text: string) => void,
  err: (text: string) => void,
  terminal: Terminal = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    out(`${USAGE}\n`);
    return 0;
  }
  const parsed = parse(args);
  if (typeof parsed === 'string') {
    err(`rt-billing: ${parsed}\n\n${USAGE}\n`);
    return 2;
  }
  const usage = () => {
    err(`${USAGE}\n`);
    return 2;
  };
  const zoneText = parsed.flags.get('--time-zone') ?? (env.CLINIC_TIME_ZONE || undefined);
  const zone = zoneText === undefined ? null : TimeZone.safeParse(zoneText);
  if (zone !== null && !zone.success) {
    const from = parsed.flags.has('--time-zone') ? '--time-zone' : 'CLINIC_TIME_ZONE';
    err(`rt-billing: ${from} ${zoneText}: ${zone.error.issues[0]?.message ?? 'must be an IANA time-zone name'}\n`);
    return 2;
  }
  const clinicTimeZone = zone?.data ?? null;
  const chosenLimits = limitsFromEnv(env);
  if (typeof chosenLimits === 'string') {
    err(`rt-billing: ${chosenLimits}\n`);
    return 2;
  }
  useLimits(chosenLimits);
  const asOf = CalendarDate.safeParse(parsed.flags.get('--as-of') ?? todayAtClinic(clinicTimeZone));
  if (!asOf.success) {
    err(`rt-billing: --as-of ${parsed.flags.get('--as-of')}: ${asOf.error.issues[0]?.message ?? 'must be a date as YYYY-MM-DD'}\n`);
    return 2;
  }
  const dates: Dating = { asOf: asOf.data, clinicTimeZone };
  try {
    usePolicies(loadPolicies(parsed.flags.get('--policies') ?? (env.PAYER_POLICY_DIR || null)));
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    err(`rt-billing: payer policy ${printable(error.message)}\n`);
    return 2;
  }
  try {
    switch (parsed.command) {
      case 'evaluate':
        return parsed.paths.length >= 1 && !parsed.flags.has('--html') ? await evaluateCommand(parsed, dates, out, err, terminal) : usage();
      case 'report':
        return parsed.paths.length >= 1 && parsed.flags.has('--html') ? await reportCommand(parsed, dates, err, terminal) : usage();
      case 'merge':
        return parsed.paths.length >= 1 ? await mergeCommand(parsed, out, err) : usage();
      case 'appeal':
        return parsed.paths.length >= 2 && parsed.flags.has('--out') ? await appealCommand(parsed, dates, err) : usage();
      default:
        return usage();
    }
  } catch (error) {
    if (error instanceof UnreadableInput) {
      err(`rt-billing: ${printable(error.message)}\n`);
      return 2;
    }
    throw error;
  }
}

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

/**
 * Text from outside (a file name, an error about a file) as stderr may show it: control characters (terminal escapes)
 * become "?", so that a crafted name cannot drive the terminal.
 */
export function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    out += (code < 0x20 && char !== '\n' && char !== '\t') || (code >= 0x7f && code <= 0x9f) ? '?' : char;
  }
  return out;
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

/** How dates are read: the as-of date of undated orders and the clinic's time zone. */
interface Dating {
  readonly asOf: string;
  readonly clinicTimeZone: string | null;
}

async function evaluateCommand(
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

  const target = destination(parsed.flags.get('--out'), out);
  const writer: RecordWriter = writerFor(format, target.stream);
  const progress = new ProgressReporter({ tty: terminal.isTTY === true, write: err, ...(terminal.columns ? { columns: terminal.columns } : {}) });
  const result = await withScratch((tmpDir) =>
    runDepartment(path, {
      record: (record: RunRecord) => writer.write(record),
      progress: (p) => progress.update(p),
      tmpDir,
      ...dates,
      remittance: remittance.claims,
    }),
  );
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
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Never the parser's message: it quotes the file's bytes.
    err(code ? `rt-billing: cannot read ${printable(path)}: ${code}\n` : `rt-billing: ${printable(path)} is not valid JSON: ${notJson(error)}\n`);
    return 2;
  }
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

/** `rt-billing appeal BUNDLE REMITTANCE... --out DIR`: one HTML and one DocumentReference per appealable line. */
async function appealCommand(parsed: Parsed, dates: Dating, err: (text: string) => void): Promise<number> {
  const [path, ...remittancePaths] = parsed.paths as [string, ...string[]];
  const dir = parsed.flags.get('--out')!;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    err(code ? `rt-billing: cannot read ${printable(path)}: ${code}\n` : `rt-billing: ${printable(path)} is not valid JSON: ${notJson(error)}\n`);
    return 2;
  }
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

async function reportCommand(parsed: Parsed, dates: Dating, err: (text: string) => void, terminal: Terminal): Promise<number> {
  const path = parsed.paths[0]!;
  const file = parsed.flags.get('--html')!;
  const progress = new ProgressReporter({ tty: terminal.isTTY === true, write: err, ...(terminal.columns ? { columns: terminal.columns } : {}) });
  const fromResults = await isResultsFile(path);
  const remittance = await readRemittanceFiles(parsed.paths.slice(1), err);
  const collected = fromResults
    ? await reportFromResults(path)
    : await withScratch((tmpDir) => reportFromInput(path, (p) => progress.update(p), tmpDir, { ...dates, remittance: remittance.claims }));
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
async function mergeCommand(parsed: Parsed, out: (text: string) => void, err: (text: string) => void): Promise<number> {
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
