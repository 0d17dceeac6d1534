import { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { formatPath, InputError } from '../errors.js';
import { apiCallerOf, FHIR_ID } from '../security/api-auth.js';
import { FhirServerAllowlist, NOT_ALLOWED } from '../security/fhir-servers.js';
import { REVIEW_STATUSES, type ReviewState, type ReviewStore } from './review-store.js';
import { requireJson } from './evaluate.js';

/** Longest note a reviewer may leave on a session. */
export const REVIEW_NOTE_MAX = 2000;

/** `PUT …/review-state`: the status, and a note (optional; `null` or absent clears it). Nothing else. */
const ReviewBody = z
  .object({
    status: z.enum(REVIEW_STATUSES),
    note: z.string().trim().max(REVIEW_NOTE_MAX).nullable().optional(),
  })
  .strict();

/** A 403 naming why, as the API's other refusals are written (an OperationOutcome). */
function forbidden(res: Response, diagnostics: string): void {
  res.status(403).json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics }] });
}

function idParam(value: unknown, name: string): string {
  if (typeof value !== 'string' || !FHIR_ID.test(value))
    throw new InputError([{ path: name, in: 'url', message: 'must be a FHIR id ([A-Za-z0-9-.]{1,64}, not . or ..)' }]);
  return value;
}

/**
 * Review state of the reviewer app's sessions (issue 21): a reviewer marks a session reviewed, on hold or sent to the
 * physician, with a note; the service keeps who (the SMART user) and when.
 *
 * - `GET /api/v1/patients/{id}/review-states` → `{ "reviewStates": [ReviewState…] }`, one per session that has one;
 * - `PUT /api/v1/patients/{id}/sessions/{Encounter|Procedure}/{id}/review-state` with `{ "status", "note" }` → the
 *   stored ReviewState.
 *
 * Authenticated as the direct API is (`authenticate`, before any body is read). With client authentication on, only
 * a reviewer with a SMART token for that patient may write (an API key may read, naming the server in
 * `X-FHIR-Server`); the token's patient must be the one in the path. Bad input is a 400 naming the field and
 * changes nothing. The note and ids are never logged (the request log has the route pattern only).
 */
export function reviewStateRouter(
  authenticate: RequestHandler,
  parseJson: RequestHandler,
  store: ReviewStore,
  allowlistUrls: readonly string[],
): Router {
  const router = Router();
  const allowlist = new FhirServerAllowlist(allowlistUrls);

  /** The FHIR server the states are kept for: the token's; else the allow-listed `X-FHIR-Server` the caller names. */
  const serverOf = (res: Response, header: string | undefined): string => {
    const caller = apiCallerOf(res);
    if (caller.kind === 'smart') return caller.server;
    if (header === undefined)
      throw new InputError([{ path: 'X-FHIR-Server', in: 'header', message: 'is required: the FHIR server the patient is on' }]);
    const base = allowlist.match(header);
    if (base === null) throw new InputError([{ path: 'X-FHIR-Server', in: 'header', message: NOT_ALLOWED }], 403);
    return base;
  };

  /** A SMART token opens its own patient's review states only. */
  const samePatient = (res: Response, patient: string): boolean => {
    const caller = apiCallerOf(res);
    if (caller.kind === 'smart' && caller.patient !== patient) {
      forbidden(res, 'the access token is for another patient');
      return false;
    }
    return true;
  };

  router.get('/api/v1/patients/:patient/review-states', authenticate, async (req, res) => {
    const patient = idParam(req.params.patient, 'patient');
    if (!samePatient(res, patient)) return;
    const server = serverOf(res, req.get('x-fhir-server'));
    res.json({ reviewStates: await store.list(server, patient) });
  });

  router.put('/api/v1/patients/:patient/sessions/:type/:id/review-state', authenticate, requireJson, parseJson, async (req, res) => {
    const patient = idParam(req.params.patient, 'patient');
    const type = req.params.type;
    if (type !== 'Encounter' && type !== 'Procedure')
      throw new InputError([{ path: 'session', in: 'url', message: 'must be Encounter/{id} or Procedure/{id}' }]);
    const session = `${type}/${idParam(req.params.id, 'session')}`;
    const caller = apiCallerOf(res);
    if (caller.kind === 'api-key') return forbidden(res, 'a review state is set by a reviewer, with a SMART access token for the patient');
    if (!samePatient(res, patient)) return;
    const parsed = ReviewBody.safeParse(req.body);
    if (!parsed.success)
      throw new InputError(
        parsed.error.issues.slice(0, 20).flatMap((issue) =>
          // A field the body may not carry (`by`, `at`: the service sets them) is named as such.
          issue.code === 'unrecognized_keys'
            ? issue.keys.map((key) => ({ path: key, message: 'is not a field of a review state (status, note)' }))
            : [{ path: formatPath('', issue.path).replace(/^\./, '') || 'body', message: issue.message }],
        ),
      );
    const state: ReviewState = {
      server: serverOf(res, req.get('x-fhir-server')),
      patient,
      session,
      status: parsed.data.status,
      note: parsed.data.note ? parsed.data.note : null,
      by: caller.kind === 'smart' ? caller.user : null,
      at: new Date().toISOString(),
    };
    await store.put(state);
    res.json(state);
  });
  return router;
}
