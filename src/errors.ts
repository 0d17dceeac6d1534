import type { ErrorRequestHandler } from 'express';
import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4.js';
import type { Logger } from 'pino';

/** One problem with the input: where and what. */
export interface InputIssue {
  /** A FHIRPath-like location in the body (`entry[3].resource.status`), or the name of a header or parameter. */
  readonly path: string;
  readonly message: string;
  /** A path outside the body: named in `diagnostics`, never as a FHIRPath `expression`. */
  readonly in?: 'header' | 'query' | 'url';
  /** Where in a body of many resources (an NDJSON line): said in `diagnostics`. */
  readonly at?: string;
}

/** What R4 allows in `OperationOutcome.issue.expression`: element names, repetition indexes and `.` between them. */
const SIMPLE_FHIRPATH = /^[A-Za-z][A-Za-z0-9_]*(\[\d+\])?(\.[A-Za-z_][A-Za-z0-9_]*(\[\d+\])?)*$/;
const IN_WORDS = { header: 'header', query: 'query parameter', url: 'in the URL' } as const;

/** One issue as R4 writes it: the location as `expression` when it is one, else in words before the message. */
function outcomeIssue(issue: InputIssue, code: OperationOutcomeIssue['code']): OperationOutcomeIssue {
  const expression = !issue.in && issue.path !== 'body' && SIMPLE_FHIRPATH.test(issue.path);
  const named = issue.in ? `${issue.path} (${IN_WORDS[issue.in]})` : expression || (issue.at && issue.path === 'body') ? undefined : issue.path;
  const where = [issue.at, named].filter(Boolean).join(', ');
  return {
    severity: 'error',
    code,
    diagnostics: where ? `${where}: ${issue.message}` : issue.message,
    ...(expression ? { expression: [issue.path] } : {}),
  };
}

/** Bad input: answered with 400 (or the given status) and a body naming each bad field. Never a 500. */
export class InputError extends Error {
  constructor(
    readonly issues: readonly InputIssue[],
    readonly status = 400,
  ) {
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
    this.name = 'InputError';
  }

  /** The JSON body: a FHIR OperationOutcome, one issue per bad field (a FHIRPath location in `expression`, others in words). */
  toJSON(): OperationOutcome {
    return {
      resourceType: 'OperationOutcome',
      issue: this.issues.map((issue) =>
        outcomeIssue(issue, this.status === 413 ? 'too-long' : this.status === 404 ? 'not-found' : this.status === 415 ? 'not-supported' : 'invalid'),
      ),
    };
  }
}

/** An OperationOutcome with one issue: how every error the service answers is written. */
export function outcome(code: OperationOutcomeIssue['code'], diagnostics: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] };
}

/** zod-style paths (`['entry', 3, 'resource', 'status']`) as `entry[3].resource.status`. */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`), prefix);
}

/**
 * Data the service needs could not be obtained: the EHR's FHIR server failed, timed out, or prefetch lacked
 * data and no FHIR server was given. CDS Hooks asks for 412 Precondition Failed then.
 */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly status = 412,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

/** The stores the service depends on, as callers are told about them. */
export type StoreName = 'feedback store' | 'review store' | 'replay cache';

/** How long a caller is asked to wait (`Retry-After`) when a store is unreachable: Redis and PostgreSQL reconnect within 2 s. */
export const STORE_RETRY_AFTER_S = 5;

/**
 * A store the request needs (PostgreSQL or SQLite for feedback, Redis or memory for the replay cache) failed,
 * is unreachable or did not answer within its timeout. The request was fine: 503 with `Retry-After`, and the
 * process carries on; the store reconnects on its own.
 */
export class StoreUnavailableError extends Error {
  constructor(
    readonly store: StoreName,
    options?: { cause?: unknown },
  ) {
    super(`the ${store} is unavailable`, options);
    this.name = 'StoreUnavailableError';
  }
}

/** What may be logged of a driver error: its class, code and message (never values, which a detail could hold). */
export function errorSummary(error: unknown): { name?: string; code?: string; message?: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, ...(typeof code === 'string' ? { code } : {}), message: error.message };
}

/** Express's body-parser errors carry a `type` and a `status`. */
interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

const BODY_PARSER_MESSAGES: Record<string, { status: number; message: string }> = {
  'entity.parse.failed': { status: 400, message: 'the body is not valid JSON' },
  'entity.too.large': { status: 413, message: 'the body is larger than the limit' },
  'encoding.unsupported': { status: 415, message: 'unsupported content encoding' },
  'charset.unsupported': { status: 415, message: 'unsupported charset' },
  'request.aborted': { status: 400, message: 'the request was aborted' },
};

/** The one error handler: known errors become their status and JSON body; anything else a bare 500, logged. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    // An error can name or echo what was posted: never cached, whichever route it came from.
    res.setHeader('Cache-Control', 'no-store');
    if (error instanceof InputError) {
      res.status(error.status).json(error.toJSON());
      return;
    }
    if (error instanceof TooManyAttempts) {
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
      res.status(429).json(outcome('throttled', `too many failed attempts from this client: retry after ${error.retryAfterSeconds} s`));
      return;
    }
    if (error instanceof AuthError) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      res.status(401).json(outcome('login', error.reason));
      return;
    }
    if (error instanceof StoreUnavailableError) {
      logger.warn({ store: error.store, err: errorSummary(error.cause) }, 'store unavailable');
      res.setHeader('Retry-After', String(STORE_RETRY_AFTER_S));
      res.status(503).json(outcome('transient', `the ${error.store} is unavailable; try again later`));
      return;
    }
    if (error instanceof UpstreamError) {
      res.status(error.status).json(outcome(error.status === 504 ? 'timeout' : 'exception', error.message));
      return;
    }
    const parser = error as BodyParserError;
    const known = parser.type ? BODY_PARSER_MESSAGES[parser.type] : undefined;
    if (known) {
      res.status(known.status).json(new InputError([{ path: 'body', message: known.message }], known.status).toJSON());
      return;
    }
    if (parser.expose && parser.status && parser.status >= 400 && parser.status < 500) {
      res.status(parser.status).json(outcome('invalid', 'bad request'));
      return;
    }
    logger.error({ err: { name: (error as Error)?.name, message: (error as Error)?.message } }, 'unhandled error');
    res.status(500).json(outcome('exception', 'internal server error'));
  };
}

/** A refused CDS client: 401 with a short reason and nothing more. */
export class AuthError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'AuthError';
  }
}

/** A client that used up its failed attempts (AUTH_FAILURES_PER_MINUTE): 429 with Retry-After. */
export class TooManyAttempts extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('too many failed attempts');
    this.name = 'TooManyAttempts';
  }
}
