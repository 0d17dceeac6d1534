import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AuthError } from '../errors.js';
import type { Metrics } from '../ops/metrics.js';
import { bearerToken } from './bearer.js';
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
  options: { optional?: boolean } = {},
): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req.get('authorization'));
    if (!token) {
      if (options.optional && !req.get('authorization')) {
        next();
        return;
      }
      metrics.jwtRejections.inc({ reason: 'bearer token required' });
      next(new AuthError('bearer token required'));
      return;
    }
    const service = `${publicBaseUrl}/cds-services${req.params.id ? `/${String(req.params.id)}` : ''}`;
    const audiences = req.path.endsWith('/feedback') ? [`${service}/feedback`, service] : [service];
    try {
      const client = await verifier.verify(token, audiences);
      logger.debug({ iss: client.iss, tenant: client.tenant, jti: client.jti }, 'client authenticated');
      next();
    } catch (error) {
      if (error instanceof AuthError) {
        metrics.jwtRejections.inc({ reason: error.reason });
        logger.warn({ reason: error.reason }, 'client refused');
      }
      next(error);
    }
  };
}
