import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { csvField } from '../csv.js';
import type { Finding } from '../engine/types.js';
import type { ErrorLine, PatientLine, RunRecord } from './run.js';
import type { SummaryRecord } from './summary.js';

export type Format = 'json' | 'ndjson' | 'csv';
export const FORMATS: readonly Format[] = ['json', 'ndjson', 'csv'];

/** Writes with back-pressure: waits for the stream to drain instead of buffering a department in memory. */
async function put(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

export interface RecordWriter {
  write(record: RunRecord): Promise<void>;
  end(summary: SummaryRecord): Promise<void>;
}

const isError = (record: RunRecord): record is ErrorLine => 'error' in record;

/**
 * JSON text that stays on one line for every reader: U+2028 and U+2029 (and NEL, U+0085) written as `\u2028`…
 * JSON.stringify leaves them raw, which JSON allows, but readers that split lines by Unicode's rules (Python's
 * str.splitlines, editors, log shippers) cut a record in two where a FHIR value holds one. They can only occur
 * inside strings, where the escape means the same character.
 */
export function escapeLineSeparators(json: string): string {
  return json.replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One NDJSON line (without its `\n`): the value as JSON, line separators escaped. */
export const ndjsonLine = (value: unknown): string => escapeLineSeparators(JSON.stringify(value));

/** NDJSON: one line per patient (`{"patient": …, …determination}`), error lines where they occur, the summary last. */
export function ndjsonWriter(stream: Writable): RecordWriter {
  return {
    write: (record) => put(stream, `${ndjsonLine(record)}\n`),
    end: (summary) => put(stream, `${ndjsonLine({ summary })}\n`),
  };
}

/** At most this many error records are kept for the end of the JSON document; the count is always exact. */
const MAX_JSON_ERRORS = 10_000;

/** JSON: `{"patients": [ …one determination per patient… ], "errors": [ … ], "summary": { … }}`, streamed. */
export function jsonWriter(stream: Writable): RecordWriter {
  let first = true;
  let started = false;
  const errors: ErrorLine['error'][] = [];
  let omitted = 0;
  return {
    async write(record) {
      if (isError(record)) {
        if (errors.length < MAX_JSON_ERRORS) errors.push(record.error);
        else omitted += 1;
        return;
      }
      await put(stream, `${started ? '' : '{"patients": [\n'}${first ? '' : ',\n'}${JSON.stringify(record)}`);
      started = true;
      first = false;
    },
    async end(summary) {
      const errorsText = errors.map((e) => JSON.stringify(e)).join(',\n');
      await put(
        stream,
        `${started ? '\n]' : '{"patients": []'},\n"errors": [${errorsText ? `\n${errorsText}\n` : ''}]${omitted ? `,\n"errorsOmitted": ${omitted}` : ''},\n"summary": ${JSON.stringify(summary)}}\n`,
      );
    },
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
  let header = false;
  const start = async () => {
    if (!header) await put(stream, row(CSV_COLUMNS));
    header = true;
  };
  return {
    async write(record) {
      await start();
      if (isError(record)) {
        const where = [record.error.file, record.error.line ?? record.error.entry].filter((x) => x !== undefined).join(':');
        const issues = (record.error.issues ?? []).map((i) => `${i.path}: ${i.message}`).join('; ');
        await put(
          stream,
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
      } else await put(stream, csvRows(record));
    },
    async end() {
      await start();
    },
  };
}

export function writerFor(format: Format, stream: Writable): RecordWriter {
  return format === 'json' ? jsonWriter(stream) : format === 'ndjson' ? ndjsonWriter(stream) : csvWriter(stream);
}
