import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { InputError } from '../errors.js';
import type { Metrics } from '../ops/metrics.js';
import { bearerToken, sameSecret } from './bearer.js';
import { clientKey, FailureBudget } from './failure-budget.js';
import { FhirServerAllowlist, NOT_ALLOWED } from './fhir-servers.js';
import { SmartTokenChecker } from './smart-token.js';

/**
 * FHIR's id type (http://hl7.org/fhir/R4/datatypes.html#id) minus the two values that are path segments,
 * not ids: `.` and `..`.
 */
export const FHIR_ID = /^(?!\.{1,2}$)[A-Za-z0-9\-.]{1,64}$/;

/** Why a direct API call was refused: the app shows a message per code, operators count them by code. */
export type ApiRefusal =
  | 'credentials-required'
  | 'credentials-refused'
  | 'fhir-server-not-allowed'
  | 'token-expired'
  | 'token-refused'
  | 'fhir-server-unavailable'
  | 'too-many-attempts';

/** Each refusal's HTTP status and OperationOutcome issue type (http://hl7.org/fhir/R4/valueset-issue-type.html). */
const REFUSALS: Record<ApiRefusal, { readonly status: number; readonly issue: string }> = {
  'credentials-required': { status: 401, issue: 'login' },
  'credentials-refused': { status: 401, issue: 'login' },
  'fhir-server-not-allowed': { status: 403, issue: 'forbidden' },
  'token-expired': { status: 401, issue: 'expired' },
  'token-refused': { status: 401, issue: 'security' },
  'fhir-server-unavailable': { status: 502, issue: 'transient' },
  'too-many-attempts': { status: 429, issue: 'throttled' },
};

/**
 * Who an accepted API call came from, in `res.locals.apiCaller`: an integration engine (an API key), a reviewer with
 * a SMART token for one patient of one allow-listed FHIR server (`user` when the authorization server named the user),
 * or anyone, in the open demo.
 */
export type ApiCaller =
  | { readonly kind: 'api-key' }
  | { readonly kind: 'smart'; readonly server: string; readonly patient: string; readonly user: string | null }
  | { readonly kind: 'open' };

/** The caller of an authenticated API route (`open` when the API is not authenticated). */
export const apiCallerOf = (res: Response): ApiCaller => (res.locals.apiCaller as ApiCaller | undefined) ?? { kind: 'open' };

/** The code system of the refusal codes, carried in `issue[0].details` for clients that act on them. */
export const API_REFUSAL_SYSTEM = 'https://rt-billing-cds.example/fhir/CodeSystem/api-refusal';

/**
 * Authentication of the direct API (POST /api/v1/evaluate) whenever the service runs with client authentication
 * (CDS_TRUSTED_ISSUERS) or API_KEYS are set; the open demo leaves it open. It runs before the body is read.
 * - Integration engines: `Authorization: Bearer <one of API_KEYS>`.
 * - The reviewer app: its SMART access token, with `X-FHIR-Server` (exactly one of FHIR_SERVER_ALLOWLIST's base
 *   URLs), `X-Patient-Id` (a FHIR id) and, optionally, `X-Token-Expires-At` (epoch seconds, from the token
 *   response). The token is sent only to that allow-listed server; see SmartTokenChecker for how long an answer
 *   holds.
 * Each refusal, and each token check sent to the EHR until it accepts the token, uses one of the client's failed
 * attempts (FailureBudget, AUTH_FAILURES_PER_MINUTE); when none is left the answer is 429 with Retry-After and
 * the EHR is not asked. An API key or a token accepted within the last minute needs none.
 */
export function apiAuthentication(
  config: Config,
  logger: Logger,
  metrics: Metrics,
  { checker, failures = new FailureBudget(0) }: { checker?: SmartTokenChecker; failures?: FailureBudget } = {},
): RequestHandler {
  const keys = config.API_KEYS;
  if (!config.CDS_TRUSTED_ISSUERS && keys.length === 0) return (_req, _res, next) => next();
  const allowlist = new FhirServerAllowlist(config.FHIR_SERVER_ALLOWLIST);
  const tokens = checker ?? new SmartTokenChecker({ timeoutMs: config.FHIR_TIMEOUT_MS });

  /** An OperationOutcome whose issue names the refusal (details) and says it in words (diagnostics). */
  const refuse = (res: Response, code: ApiRefusal, message: string, retryAfter?: number) => {
    metrics.apiRejections.inc({ reason: code });
    logger.warn({ reason: code }, 'API client refused');
    const { status, issue } = REFUSALS[code];
    if (status === 401) res.setHeader('WWW-Authenticate', `Bearer error="${code === 'credentials-required' ? 'invalid_request' : 'invalid_token'}"`);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(status).json({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: issue, diagnostics: message, details: { coding: [{ system: API_REFUSAL_SYSTEM, code }], text: message } }],
    });
  };

  const tooMany = (res: Response, wait: number) =>
    refuse(res, 'too-many-attempts', `too many failed attempts from this client: retry after ${wait} s`, wait);

  return async (req, res, next) => {
    const client = clientKey(req.ip);
    /** A refusal uses one of the client's failed attempts; once they are used up, it is a 429 instead. */
    const fail = (code: ApiRefusal, message: string) => {
      const wait = failures.take(client);
      return wait === null ? refuse(res, code, message) : tooMany(res, wait);
    };
    const token = bearerToken(req.get('authorization'));
    if (!token) return fail('credentials-required', 'bearer token required');
    if (keys.some((key) => sameSecret(token, key))) {
      res.locals.apiCaller = { kind: 'api-key' } satisfies ApiCaller;
      return next();
    }

    const server = req.get('x-fhir-server');
    const patient = req.get('x-patient-id');
    if (server === undefined || patient === undefined) return fail('credentials-refused', 'unknown API key');
    const base = allowlist.match(server);
    if (base === null) return fail('fhir-server-not-allowed', `X-FHIR-Server ${JSON.stringify(server.slice(0, 200))} ${NOT_ALLOWED}`);
    if (!FHIR_ID.test(patient))
      return next(new InputError([{ path: 'X-Patient-Id', in: 'header', message: 'must be a FHIR id ([A-Za-z0-9-.]{1,64}, not . or ..)' }]));
    const expiresHeader = req.get('x-token-expires-at');
    if (expiresHeader !== undefined && !/^\d{1,12}$/.test(expiresHeader))
      return next(new InputError([{ path: 'X-Token-Expires-At', in: 'header', message: 'must be the expiry time in seconds since the epoch' }]));

    const request = { base, patient, token, claimedExpiry: expiresHeader === undefined ? undefined : Number(expiresHeader) * 1000 };
    const accept = (user: string | null | undefined) => {
      res.locals.apiCaller = { kind: 'smart', server: base, patient, user: user ?? null } satisfies ApiCaller;
      next();
    };
    const known = tokens.known(request);
    if (known?.ok) return accept(known.user);
    if (known) return fail(known.kind, known.reason);
    // Only the EHR can tell: the check is paid for before it is sent, and given back if the token is accepted.
    const wait = failures.take(client);
    if (wait !== null) return tooMany(res, wait);
    const result = await tokens.check(request);
    if (!result.ok) return refuse(res, result.kind, result.reason);
    failures.giveBack(client);
    accept(result.user);
  };
}
