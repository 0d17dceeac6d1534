import express, { Router, type RequestHandler } from 'express';
import { ndjsonLine } from '../batch/output.js';
import { runResources, type ErrorLine, type RunRecord } from '../batch/run.js';
import type { SummaryRecord } from '../batch/summary.js';
import { ndjsonItem, UnreadableInput, type SourceItem } from '../batch/sources.js';
import { CalendarDate, todayAtClinic } from '../dates.js';
import { InputError, type InputIssue } from '../errors.js';
import { determineBundle } from '../pipeline.js';
import { reportFromDetermination, ReportCollector } from '../report/collect.js';
import { renderReport } from '../report/html.js';

/** How dates are read for a request: the as-of date of undated orders and the clinic's configured zone. */
interface Dating {
  readonly asOf: string;
  readonly clinicTimeZone: string | null;
}

/** `asOf` from the query: a date, or today at the clinic when absent; anything else is a 400 naming it. */
function dating(value: unknown, clinicTimeZone: string | null): Dating {
  return { asOf: asOfParameter(value, clinicTimeZone), clinicTimeZone };
}

function asOfParameter(value: unknown, clinicTimeZone: string | null): string {
  if (value === undefined) return todayAtClinic(clinicTimeZone);
  const parsed = CalendarDate.safeParse(value);
  if (!parsed.success)
    throw new InputError([{ path: 'asOf', in: 'query', message: parsed.error.issues[0]?.message ?? 'must be a date as YYYY-MM-DD' }]);
  return parsed.data;
}

/** Media types accepted for a FHIR Bundle body. */
export const JSON_TYPES = ['application/json', 'application/fhir+json'];
/** Media types accepted for a stream of resources, one per line (FHIR Bulk Data's NDJSON). */
export const NDJSON_TYPES = ['application/fhir+ndjson', 'application/ndjson', 'application/x-ndjson'];

/** Refuses a body whose media type is not one of `types` with 415, saying what is accepted. */
function requireMediaType(types: readonly string[], accepted: string): RequestHandler {
  return (req, _res, next) => {
    if (!req.is([...types])) {
      next(new InputError([{ path: 'Content-Type', in: 'header', message: `must be ${accepted}` }], 415));
      return;
    }
    next();
  };
}

/** Hooks and feedback: JSON only. */
export const requireJson = requireMediaType(JSON_TYPES, JSON_TYPES.join(' or '));
/** The direct API: a Bundle as JSON, or a department's resources as NDJSON. */
const requireBundleOrNdjson = requireMediaType(
  [...JSON_TYPES, ...NDJSON_TYPES],
  `${JSON_TYPES.join(' or ')} (a Bundle), or ${NDJSON_TYPES[0]} (resources, one per line)`,
);

/** At most this many problems are named in a 400 answer (as for a Bundle). */
const MAX_ISSUES = 20;

function* bodyLines(text: string): Generator<SourceItem> {
  let line = 0;
  for (const part of text.split('\n')) {
    line += 1;
    const item = ndjsonItem(part.endsWith('\r') ? part.slice(0, -1) : part, 'body', line);
    if (item) yield item;
  }
}

/** `Procedure/fx-1.status` on line 3 → the FHIRPath `Procedure.status`, at "line 3, Procedure/fx-1". */
function lineIssue(issue: { path: string; message: string; line?: number }): InputIssue {
  const [, type = '', id = '', rest = ''] = /^([A-Za-z]+)(\/[^.[]+)?(.*)$/.exec(issue.path) ?? [];
  const at = [issue.line !== undefined ? `line ${issue.line}` : undefined, type && id ? `${type}${id}` : undefined].filter(Boolean).join(', ');
  return { path: type ? `${type}${rest}` : issue.path, message: issue.message, ...(at ? { at } : {}) };
}

const issuesOf = ({ error }: ErrorLine): InputIssue[] =>
  error.issues && error.issues.length > 0
    ? error.issues.map(lineIssue)
    : [
        {
          path: 'body',
          message: error.message,
          ...(error.line !== undefined ? { at: `line ${error.line}` } : error.patient ? { at: error.patient } : {}),
        },
      ];

/**
 * `application/fhir+ndjson`: resources of several patients, one per line. Answers `application/x-ndjson`, one line
 * per patient (`{"patient": …, …determination}`) and the summary last. As for a Bundle, bad input is a 400 naming
 * each bad line and field, and nothing else is answered.
 */
async function evaluateNdjson(body: unknown, dates: Dating): Promise<{ records: RunRecord[]; summary: SummaryRecord }> {
  if (typeof body !== 'string' || body.trim() === '') throw new InputError([{ path: 'body', message: 'FHIR resources are required, one per line' }]);
  const records: RunRecord[] = [];
  let result;
  try {
    result = await runResources(bodyLines(body), { ...dates, record: (record) => void records.push(record) }, undefined, 'the body');
  } catch (error) {
    if (error instanceof UnreadableInput) throw new InputError([{ path: 'body', message: error.message.replace(/^body:/, 'line') }]);
    throw error;
  }
  const errors = records.filter((record): record is ErrorLine => 'error' in record);
  if (errors.length > 0) throw new InputError(errors.flatMap(issuesOf).slice(0, MAX_ISSUES));
  return { records, summary: result.summary };
}

/** The report's own policy: styles and inline SVG, no script, nothing fetched. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/**
 * Direct API for integration engines: `POST /api/v1/evaluate` with a FHIR Bundle returns the determination
 * (spec/fhir-input.md §3). `?encounter=Encounter/x` limits sessions to that encounter; `?asOf=YYYY-MM-DD` is the
 * date undated orders are evaluated as of (D-DATE), today at the clinic (`CLINIC_TIME_ZONE`, else UTC) by default. With NDJSON (a department's
 * resources), one determination per patient and a summary. The caller is authenticated before the body is read
 * (the parsers come after `authenticate`): a stranger's 5 MB body is never parsed.
 */
export function evaluateRouter(
  authenticate: RequestHandler,
  parseJson: RequestHandler,
  { bodyLimit = '5mb', clinicTimeZone = null }: { bodyLimit?: string | number; clinicTimeZone?: string | null } = {},
): Router {
  const router = Router();
  const parseNdjson = express.text({ type: NDJSON_TYPES, limit: bodyLimit });
  router.post('/api/v1/evaluate', authenticate, requireBundleOrNdjson, parseJson, parseNdjson, async (req, res) => {
    const encounter = typeof req.query.encounter === 'string' ? req.query.encounter : undefined;
    const dates = dating(req.query.asOf, clinicTimeZone);
    if (req.is(NDJSON_TYPES)) {
      if (encounter) throw new InputError([{ path: 'encounter', in: 'query', message: 'applies to a Bundle, not to NDJSON' }]);
      const { records, summary } = await evaluateNdjson(req.body, dates);
      res.type('application/x-ndjson').send(`${[...records, { summary }].map(ndjsonLine).join('\n')}\n`);
      return;
    }
    if (req.body === undefined) throw new InputError([{ path: 'body', message: 'a FHIR Bundle is required' }]);
    res.type('application/json').json(determineBundle(req.body, { ...dates, ...(encounter ? { focusEncounters: [encounter] } : {}) }));
  });

  /**
   * The report (rt-billing report) of what is posted: a Bundle (one patient's course, e.g. from the reviewer app) or
   * NDJSON (several patients). One self-contained HTML page, without script, under a policy of its own.
   */
  router.post('/api/v1/report', authenticate, requireBundleOrNdjson, parseJson, parseNdjson, async (req, res) => {
    const dates = dating(req.query.asOf, clinicTimeZone);
    let data;
    if (req.is(NDJSON_TYPES)) {
      const { records, summary } = await evaluateNdjson(req.body, dates);
      const collector = new ReportCollector();
      for (const record of records) collector.add(record);
      data = collector.result('the posted resources', summary);
    } else {
      if (req.body === undefined) throw new InputError([{ path: 'body', message: 'a FHIR Bundle is required' }]);
      data = reportFromDetermination(determineBundle(req.body, dates), 'the posted Bundle');
    }
    const html = renderReport(data, { interactive: false, title: 'Billing report, 2026 rules' });
    res.setHeader('Content-Security-Policy', REPORT_CSP);
    res.type('text/html').send(html);
  });
  return router;
}
