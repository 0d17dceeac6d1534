import { pino, type Logger } from 'pino';

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
