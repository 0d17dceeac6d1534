import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AuthError, TooManyAttempts } from '../errors.js';
import type { Metrics } from '../ops/metrics.js';
import { bearerToken } from './bearer.js';
import { clientKey, FailureBudget } from './failure-budget.js';
import type { CdsJwtVerifier } from './jwt.js';

/**
 * Authentication of CDS Hooks calls: a service call or feedback needs a valid client JWT whose `aud` is the
 * endpoint called (`PUBLIC_BASE_URL/cds-services/{id}`, or its `/feedback`); discovery is public, but a token
 * sent with it is checked (aud = the discovery URL). Logs `iss`, `tenant` and `jti`, never the token.
 */
export function authenticate(
  verifier: CdsJwtVerifier,
  publicBaseUrl: string,
  logger: Logger,
  metrics: Metrics,
  options: { optional?: boolean; failures?: FailureBudget } = {},
): RequestHandler {
  const failures = options.failures ?? new FailureBudget(0);
  return async (req, _res, next) => {
    /** A refusal uses one of the client's failed attempts; once they are used up, it is a 429 instead. */
    const refuse = (error: AuthError) => {
      const wait = failures.take(clientKey(req.ip));
      const reason = wait === null ? error.reason : 'too many failed attempts';
      metrics.jwtRejections.inc({ reason });
      logger.warn({ reason }, 'client refused');
      next(wait === null ? error : new TooManyAttempts(wait));
    };
    const token = bearerToken(req.get('authorization'));
    if (!token) {
      if (options.optional && !req.get('authorization')) {
        next();
        return;
      }
      refuse(new AuthError('bearer token required'));
      return;
    }
    const service = `${publicBaseUrl}/cds-services${req.params.id ? `/${String(req.params.id)}` : ''}`;
    const audiences = req.path.endsWith('/feedback') ? [`${service}/feedback`, service] : [service];
    try {
      const client = await verifier.verify(token, audiences);
      logger.debug({ iss: client.iss, tenant: client.tenant, jti: client.jti }, 'client authenticated');
      next();
    } catch (error) {
      if (error instanceof AuthError) refuse(error);
      else next(error);
    }
  };
}
