import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { pino, type Logger } from 'pino';
import type { Metrics } from './ops/metrics.js';

/**
 * Structured logs with no PHI: log identifiers of requests (hookInstance, rule IDs, counts), never names,
 * identifiers, free text or whole resources. Request bodies and authorization headers are never logged.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'rt-billing-cds' },
      redact: { paths: ['req.headers.authorization', 'headers.authorization', 'fhirAuthorization', '*.access_token'], remove: true },
    },
    destination ?? pino.destination({ sync: false }),
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One line per request: method, route pattern (not the URL, whose query may hold identifiers), status and time,
 * with the hook's `hookInstance` as request id when there is one.
 */
export function requestLogger(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const hookInstance = (req.body as { hookInstance?: unknown } | undefined)?.hookInstance;
      const reqId = typeof hookInstance === 'string' && UUID.test(hookInstance) ? hookInstance : randomUUID();
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const seconds = (performance.now() - started) / 1000;
      // The CDS service id names the endpoint; other routes by their pattern (never the URL: no identifiers).
      const id = (req.params as { id?: unknown } | undefined)?.id;
      const service = typeof id === 'string' && route.startsWith('/cds-services/') ? `${id}${route.endsWith('/feedback') ? '/feedback' : ''}` : route;
      metrics.requests.inc({ service, status: res.statusCode });
      metrics.latency.observe({ service, status: res.statusCode }, seconds);
      logger.info({ reqId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    next();
  };
}
