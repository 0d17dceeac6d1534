import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AuthError } from '../errors.js';
import type { Metrics } from '../ops/metrics.js';
import { bearerToken, sameSecret } from './bearer.js';

const VERIFIED_FOR_MS = 5 * 60_000;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * Authentication of the direct API (POST /api/v1/evaluate) whenever the service runs with client authentication
 * (CDS_TRUSTED_ISSUERS) or API_KEYS are set; the open demo leaves it open.
 * - Integration engines: `Authorization: Bearer <one of API_KEYS>`.
 * - The reviewer app: its SMART access token, with `X-FHIR-Server` (an origin in FHIR_SERVER_ALLOWLIST) and
 *   `X-Patient-Id`; the token is accepted when that FHIR server answers an authenticated read of the patient with
 *   it (remembered for 5 minutes, by hash). The token is sent only to the allow-listed server it names.
 */
export function apiAuthentication(config: Config, logger: Logger, metrics: Metrics): RequestHandler {
  const keys = config.API_KEYS;
  const allowlist = new Set(config.FHIR_SERVER_ALLOWLIST.map((origin) => new URL(origin).origin));
  const verified = new Map<string, number>();
  if (!config.CDS_TRUSTED_ISSUERS && keys.length === 0) return (_req, _res, next) => next();

  const refuse = (reason: string) => {
    metrics.apiRejections.inc({ reason });
    logger.warn({ reason }, 'API client refused');
    return new AuthError(reason);
  };

  return async (req, _res, next) => {
    const token = bearerToken(req.get('authorization'));
    if (!token) return next(refuse('bearer token required'));
    if (keys.some((key) => sameSecret(token, key))) return next();

    const server = req.get('x-fhir-server');
    const patient = req.get('x-patient-id');
    if (!server || !patient) return next(refuse('unknown API key'));
    let base: URL;
    try {
      base = new URL(server);
    } catch {
      return next(refuse('X-FHIR-Server is not a URL'));
    }
    if (!/^https?:$/.test(base.protocol) || !allowlist.has(base.origin) || !ID.test(patient)) return next(refuse('FHIR server not allowed'));

    const key = createHash('sha256').update(`${base.href}|${patient}|${token}`).digest('hex');
    if ((verified.get(key) ?? 0) > Date.now()) return next();
    try {
      const response = await fetch(`${base.href.replace(/\/$/, '')}/Patient/${patient}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
        redirect: 'error',
        signal: AbortSignal.timeout(config.FHIR_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (!response.ok) return next(refuse('SMART token not accepted by the FHIR server'));
    } catch {
      return next(refuse('FHIR server did not answer'));
    }
    if (verified.size > 10_000) verified.clear();
    verified.set(key, Date.now() + VERIFIED_FOR_MS);
    next();
  };
}
