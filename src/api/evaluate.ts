import { Router, type RequestHandler } from 'express';
import { InputError } from '../errors.js';
import { CalendarDate, todayUtc } from '../dates.js';
import { determineBundle } from '../pipeline.js';

/** `asOf` from the query: a date, or today when absent; anything else is a 400 naming it. */
function asOfParameter(value: unknown): string {
  if (value === undefined) return todayUtc();
  const parsed = CalendarDate.safeParse(value);
  if (!parsed.success) throw new InputError([{ path: 'asOf', message: parsed.error.issues[0]?.message ?? 'must be a date as YYYY-MM-DD' }]);
  return parsed.data;
}

/** Media types accepted for a FHIR Bundle body. */
export const JSON_TYPES = ['application/json', 'application/fhir+json'];

/** Refuses a body that is not JSON with 415, naming what is accepted. */
export const requireJson: RequestHandler = (req, _res, next) => {
  if (!req.is(JSON_TYPES)) {
    next(new InputError([{ path: 'Content-Type', message: `must be ${JSON_TYPES.join(' or ')}` }], 415));
    return;
  }
  next();
};

/**
 * Direct API for integration engines: `POST /api/v1/evaluate` with a FHIR Bundle returns the determination
 * (spec/fhir-input.md §3). `?encounter=Encounter/x` limits sessions to that encounter; `?asOf=YYYY-MM-DD` is the
 * date undated orders are evaluated as of (D-DATE), today (UTC) by default. The caller is authenticated before the
 * body is read (`parseJson` comes after `authenticate`): a stranger's 5 MB body is never parsed.
 */
export function evaluateRouter(authenticate: RequestHandler, parseJson: RequestHandler): Router {
  const router = Router();
  router.post('/api/v1/evaluate', authenticate, requireJson, parseJson, (req, res) => {
    const encounter = typeof req.query.encounter === 'string' ? req.query.encounter : undefined;
    const asOf = asOfParameter(req.query.asOf);
    if (req.body === undefined) throw new InputError([{ path: 'body', message: 'a FHIR Bundle is required' }]);
    res.type('application/json').json(determineBundle(req.body, { asOf, ...(encounter ? { focusEncounters: [encounter] } : {}) }));
  });
  return router;
}
