import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { SERVICES } from '../cds-services/index.js';
import { evaluateRouter, JSON_TYPES } from './api/evaluate.js';
import type { FeedbackStore } from './cds/feedback-store.js';
import { cdsRouter } from './cds/router.js';
import { rulesPage } from './cds/rules-page.js';
import type { CdsService } from './cds/service.js';
import type { Config } from './config.js';
import { cors } from './cors.js';
import { AuthError, errorHandler } from './errors.js';
import { requestLogger } from './logger.js';
import { healthRoutes } from './ops/health.js';
import { Metrics } from './ops/metrics.js';
import { SMART_APP_DIR } from './paths.js';
import { apiAuthentication } from './security/api-auth.js';
import { authenticate } from './security/authenticate.js';
import { bearerToken, sameSecret } from './security/bearer.js';
import { CdsJwtVerifier } from './security/jwt.js';
import { MemoryReplayCache, type ReplayCache } from './security/replay-cache.js';

export interface AppDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly feedback: FeedbackStore;
  readonly services?: readonly CdsService[];
  /** JWT replay cache (memory by default; Redis for replicas). */
  readonly replay?: ReplayCache;
  readonly metrics?: Metrics;
  /** True once shutdown has begun (readiness then fails). */
  readonly draining?: () => boolean;
  /** Extra routes mounted before the 404 (the embedded demo). */
  readonly extraRoutes?: readonly RequestHandler[];
}

/** Builds the express app: JSON bodies with a size limit, the routes, then the one error handler. */
export function createApp({
  config,
  logger,
  feedback,
  services = SERVICES,
  replay = new MemoryReplayCache(),
  metrics = new Metrics(),
  draining = () => false,
  extraRoutes = [],
}: AppDependencies): Express {
  const app = express();
  const verifier = config.CDS_TRUSTED_ISSUERS ? jwtVerifier(config, replay) : undefined;
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(requestLogger(logger, metrics));
  // While shutting down, answer what is in flight and tell clients not to reuse the connection.
  app.use((_req, res, next) => {
    if (draining()) res.setHeader('Connection', 'close');
    next();
  });
  app.use(
    helmet({
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      // The reviewer app reads the EHR's FHIR server, which is on another origin.
      contentSecurityPolicy: { directives: { 'connect-src': ["'self'", 'https:'], 'img-src': ["'self'", 'data:', 'blob:'] } },
    }),
  );
  app.use(cors(config.CORS_ORIGINS));
  app.use(express.json({ limit: config.BODY_LIMIT, type: JSON_TYPES, strict: true }));
  app.use(healthRoutes({ feedback, replay, verifier, metrics, draining }));
  app.get('/rules', rulesPage);
  app.use('/smart-app', express.static(SMART_APP_DIR, { index: 'index.html', fallthrough: true }));
  app.use(evaluateRouter(apiAuthentication(config, logger, metrics), config.BODY_LIMIT));
  app.get('/api/v1/feedback', adminOnly(config), async (req, res) => {
    res.json({ feedback: await feedback.list(typeof req.query.service === 'string' ? req.query.service : undefined) });
  });
  app.use(
    cdsRouter({
      services,
      cards: { baseUrl: config.PUBLIC_BASE_URL, smartLaunchUrl: config.SMART_LAUNCH_URL },
      fetch: {
        timeoutMs: config.FHIR_TIMEOUT_MS,
        maxBytes: config.FHIR_MAX_RESPONSE_BYTES,
        observe: (outcome, seconds, reason) => {
          metrics.fhirFetches.observe({ outcome }, seconds);
          if (outcome === 'error') metrics.fhirErrors.inc({ reason: reason ?? 'error' });
        },
      },
      feedback,
      logger,
      metrics,
      fhirServerAllowlist: config.FHIR_SERVER_ALLOWLIST,
      ...(verifier
        ? {
            authenticate: authenticate(verifier, config.PUBLIC_BASE_URL, logger, metrics),
            authenticateDiscovery: authenticate(verifier, config.PUBLIC_BASE_URL, logger, metrics, { optional: true }),
          }
        : {}),
    }),
  );
  for (const route of extraRoutes) app.use(route);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use(errorHandler(logger));
  return app;
}

function jwtVerifier(config: Config, replay: ReplayCache): CdsJwtVerifier {
  return new CdsJwtVerifier(
    {
      trustedIssuers: config.CDS_TRUSTED_ISSUERS ?? {},
      algorithms: config.CDS_JWT_ALGORITHMS,
      maxLifetimeSeconds: config.CDS_JWT_MAX_LIFETIME_S,
      clockSkewSeconds: config.CDS_JWT_CLOCK_SKEW_S,
      jwksRequestsPerMinute: config.CDS_JWKS_REQUESTS_PER_MINUTE,
    },
    replay,
  );
}

/**
 * Reading stored feedback is for operators: with client authentication on it needs `Authorization: Bearer
 * <ADMIN_TOKEN>` (and is closed without an ADMIN_TOKEN); the open demo leaves it open.
 */
function adminOnly(config: Config): RequestHandler {
  return (req, _res, next) => {
    if (!config.CDS_TRUSTED_ISSUERS && !config.ADMIN_TOKEN) return next();
    if (!sameSecret(bearerToken(req.get('authorization')) ?? '', config.ADMIN_TOKEN ?? '')) return next(new AuthError('admin token required'));
    next();
  };
}
