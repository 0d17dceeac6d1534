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
import { errorHandler } from './errors.js';
import { SMART_APP_DIR } from './paths.js';
import { requestLogger } from './logger.js';
import { authenticate } from './security/authenticate.js';
import { CdsJwtVerifier } from './security/jwt.js';
import { MemoryReplayCache, type ReplayCache } from './security/replay-cache.js';

export interface AppDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly feedback: FeedbackStore;
  readonly services?: readonly CdsService[];
  /** JWT replay cache (memory by default; Redis for replicas). */
  readonly replay?: ReplayCache;
  /** Extra routes mounted before the 404 (the embedded demo). */
  readonly extraRoutes?: readonly RequestHandler[];
}

/** Builds the express app: JSON bodies with a size limit, the routes, then the one error handler. */
export function createApp({ config, logger, feedback, services = SERVICES, replay = new MemoryReplayCache(), extraRoutes = [] }: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(requestLogger(logger));
  app.use(
    helmet({
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      // The reviewer app reads the EHR's FHIR server, which is on another origin.
      contentSecurityPolicy: { directives: { 'connect-src': ["'self'", 'https:'], 'img-src': ["'self'", 'data:', 'blob:'] } },
    }),
  );
  app.use(cors(config.CORS_ORIGINS));
  app.use(express.json({ limit: config.BODY_LIMIT, type: JSON_TYPES, strict: true }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/rules', rulesPage);
  app.use('/smart-app', express.static(SMART_APP_DIR, { index: 'index.html', fallthrough: true }));
  app.use(evaluateRouter());
  app.use(
    cdsRouter({
      services,
      cards: { baseUrl: config.PUBLIC_BASE_URL, smartLaunchUrl: config.SMART_LAUNCH_URL },
      fetch: { timeoutMs: config.FHIR_TIMEOUT_MS, maxBytes: config.FHIR_MAX_RESPONSE_BYTES },
      feedback,
      logger,
      fhirServerAllowlist: config.FHIR_SERVER_ALLOWLIST,
      ...clientAuthentication(config, logger, replay),
    }),
  );
  for (const route of extraRoutes) app.use(route);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use(errorHandler(logger));
  return app;
}

/** CDS client JWT checks when trusted issuers are configured; none in the demo. */
function clientAuthentication(config: Config, logger: Logger, replay: ReplayCache): { authenticate?: RequestHandler; authenticateDiscovery?: RequestHandler } {
  if (!config.CDS_TRUSTED_ISSUERS) return {};
  const verifier = new CdsJwtVerifier(
    {
      trustedIssuers: config.CDS_TRUSTED_ISSUERS,
      algorithms: config.CDS_JWT_ALGORITHMS,
      maxLifetimeSeconds: config.CDS_JWT_MAX_LIFETIME_S,
      clockSkewSeconds: config.CDS_JWT_CLOCK_SKEW_S,
      jwksRequestsPerMinute: config.CDS_JWKS_REQUESTS_PER_MINUTE,
    },
    replay,
  );
  return {
    authenticate: authenticate(verifier, config.PUBLIC_BASE_URL, logger),
    authenticateDiscovery: authenticate(verifier, config.PUBLIC_BASE_URL, logger, { optional: true }),
  };
}
