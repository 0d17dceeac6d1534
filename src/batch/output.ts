import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { csvField } from '../csv.js';
import type { Finding } from '../engine/types.js';
import type { ErrorLine, PatientLine, RunRecord } from './run.js';
import type { SummaryRecord } from './summary.js';

export type Format = 'json' | 'ndjson' | 'csv';
export const FORMATS: readonly Format[] = ['json', 'ndjson', 'csv'];

/** Output is handed to the stream in pieces of about this size, not one write per line (each costs a Buffer and a call). */
const CHUNK_CHARS = 64 * 1024;

/** U+2028, U+2029 and NEL as UTF-8: searched for in the encoded piece (a fast byte search) rather than in each line. */
const LINE_SEPARATORS = ['\u2028', '\u2029', '\u0085'].map((c) => Buffer.from(c));

/**
 * Buffered writes with back-pressure: lines are joined into pieces of {@link CHUNK_CHARS}, and a full piece waits for
 * the stream to drain instead of buffering a department in memory. With `escape`, a piece is written as
 * {@link escapeLineSeparators} would write each of its lines (the characters occur only inside JSON strings).
 */
class ChunkedOutput {
  private pending: string[] = [];
  private size = 0;
  constructor(
    private readonly stream: Writable,
    private readonly escape = false,
  ) {}

  async put(text: string): Promise<void> {
    this.pending.push(text);
    this.size += text.length;
    if (this.size >= CHUNK_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.size = 0;
    let bytes = Buffer.from(text);
    if (this.escape && LINE_SEPARATORS.some((separator) => bytes.includes(separator))) bytes = Buffer.from(escapeLineSeparators(text));
    if (!this.stream.write(bytes)) await once(this.stream, 'drain');
  }
}

export interface RecordWriter {
  write(record: RunRecord): Promise<void>;
  /** A patient's line as {@link patientText} wrote it in this writer's format (on an evaluation worker). */
  writeText(text: string): Promise<void>;
  /** Writes the closing part and everything still buffered. */
  end(summary: SummaryRecord): Promise<void>;
  /** Hands what is buffered to the stream (a run that stops early keeps the lines it wrote). */
  flush(): Promise<void>;
}

const isError = (record: RunRecord): record is ErrorLine => 'error' in record;

/**
 * JSON text that stays on one line for every reader: U+2028 and U+2029 (and NEL, U+0085) written as `\u2028`…
 * JSON.stringify leaves them raw, which JSON allows, but readers that split lines by Unicode's rules (Python's
 * str.splitlines, editors, log shippers) cut a record in two where a FHIR value holds one. They can only occur
 * inside strings, where the escape means the same character.
 */
export function escapeLineSeparators(json: string): string {
  // Rare in practice: three searches (fast, native) spare the regular expression's pass over every line.
  if (json.indexOf('\u2028') === -1 && json.indexOf('\u2029') === -1 && json.indexOf('\u0085') === -1) return json;
  return json.replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One NDJSON line (without its `\n`): the value as JSON, line separators escaped. */
export const ndjsonLine = (value: unknown): string => escapeLineSeparators(JSON.stringify(value));

/** NDJSON: one line per patient (`{"patient": …, …determination}`), error lines where they occur, the summary last. */
export function ndjsonWriter(stream: Writable): RecordWriter {
  // The line separators are escaped piece by piece, as ndjsonLine does line by line.
  const out = new ChunkedOutput(stream, true);
  return {
    write: (record) => out.put(`${JSON.stringify(record)}\n`),
    writeText: (text) => out.put(text),
    end: async (summary) => {
      await out.put(`${JSON.stringify({ summary })}\n`);
      await out.flush();
    },
    flush: () => out.flush(),
  };
}

/** At most this many error records are kept for the end of the JSON document; the count is always exact. */
const MAX_JSON_ERRORS = 10_000;

/** JSON: `{"patients": [ …one determination per patient… ], "errors": [ … ], "summary": { … }}`, streamed. */
export function jsonWriter(stream: Writable): RecordWriter {
  const out = new ChunkedOutput(stream);
  let first = true;
  let started = false;
  const errors: ErrorLine['error'][] = [];
  let omitted = 0;
  const element = async (text: string) => {
    await out.put(`${started ? '' : '{"patients": [\n'}${first ? '' : ',\n'}${text}`);
    started = true;
    first = false;
  };
  return {
    async write(record) {
      if (isError(record)) {
        if (errors.length < MAX_JSON_ERRORS) errors.push(record.error);
        else omitted += 1;
        return;
      }
      await element(JSON.stringify(record));
    },
    writeText: element,
    async end(summary) {
      const errorsText = errors.map((e) => JSON.stringify(e)).join(',\n');
      await out.put(
        `${started ? '\n]' : '{"patients": []'},\n"errors": [${errorsText ? `\n${errorsText}\n` : ''}]${omitted ? `,\n"errorsOmitted": ${omitted}` : ''},\n"summary": ${JSON.stringify(summary)}}\n`,
      );
      await out.flush();
    },
    flush: () => out.flush(),
  };
}

const CSV_COLUMNS = [
  'patient',
  'kind',
  'session',
  'date',
  'fractions',
  'code',
  'units',
  'status',
  'rule',
  'severity',
  'amount_at_risk',
  'message',
  'evidence',
];

const row = (values: (string | number | null | undefined)[]) => `${values.map(csvField).join(',')}\n`;
const amountOf = (finding: Finding) => (finding as { amountAtRisk?: number | null }).amountAtRisk ?? '';

function csvRows(record: PatientLine): string {
  const rows: string[] = [];
  const findingRow = (finding: Finding, session: string, date: string | null, fractions: string) =>
    row([
      record.patient,
      'finding',
      session,
      date,
      fractions,
      '',
      '',
      '',
      finding.rule,
      finding.severity,
      amountOf(finding),
      finding.message,
      finding.evidence.join(' '),
    ]);
  for (const session of record.sessions) {
    const name = session.encounter ?? session.fractions[0] ?? '';
    const fractions = session.fractions.join(' ');
    for (const line of session.lines)
      rows.push(row([record.patient, 'line', name, session.dateOfService, fractions, line.code, line.units, line.status, line.rule, '', '', '', '']));
    for (const finding of session.findings) rows.push(findingRow(finding, name, session.dateOfService, fractions));
  }
  for (const order of record.orders) for (const finding of order.findings) rows.push(findingRow(finding, order.order, order.serviceDate, ''));
  // Delivery known only from a phase, plan or course summary (D-SUMMARY, D-COUNT, D-COURSE): the summary is the subject.
  for (const phase of record.phases ?? []) for (const finding of phase.findings) rows.push(findingRow(finding, phase.procedure, null, ''));
  for (const finding of record.findings) rows.push(findingRow(finding, '', null, ''));
  return rows.join('');
}

/** CSV: one line per billable line or finding (and per error), for spreadsheets and billing systems. */
export function csvWriter(stream: Writable): RecordWriter {
  const out = new ChunkedOutput(stream);
  let header = false;
  const start = async () => {
    if (!header) await out.put(row(CSV_COLUMNS));
    header = true;
  };
  return {
    async write(record) {
      await start();
      if (isError(record)) {
        const where = [record.error.file, record.error.line ?? record.error.entry].filter((x) => x !== undefined).join(':');
        const issues = (record.error.issues ?? []).map((i) => `${i.path}: ${i.message}`).join('; ');
        await out.put(
          row([
            record.error.patient ?? '',
            'error',
            '',
            '',
            '',
            '',
            '',
            '',
            '',
            'critical',
            '',
            [record.error.message, issues].filter(Boolean).join(' — '),
            where,
          ]),
        );
      } else await out.put(csvRows(record));
    },
    async writeText(text) {
      await start();
      await out.put(text);
    },
    async end() {
      await start();
      await out.flush();
    },
    flush: () => out.flush(),
  };
}

/**
 * A patient's line as the format's writer writes it (NDJSON: the line with its newline; JSON: the element; CSV: its
 * rows), made where the patient was evaluated: text crosses between threads for less than the determination would.
 */
export function patientText(format: Format, record: PatientLine): string {
  return format === 'ndjson' ? `${JSON.stringify(record)}\n` : format === 'json' ? JSON.stringify(record) : csvRows(record);
}

export function writerFor(format: Format, stream: Writable): RecordWriter {
  return format === 'json' ? jsonWriter(stream) : format === 'ndjson' ? ndjsonWriter(stream) : csvWriter(stream);
}
