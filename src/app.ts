import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { SERVICES } from '../cds-services/index.js';
import { evaluateRouter, JSON_TYPES } from './api/evaluate.js';
import { fhirServerCheck } from './api/fhir-servers.js';
import { reviewStateRouter } from './api/review-state.js';
import { SqliteReviewStore, type ReviewStore } from './api/review-store.js';
import { FEEDBACK_PAGE_DEFAULT, FEEDBACK_PAGE_MAX, type FeedbackStore } from './cds/feedback-store.js';
import { cdsRouter } from './cds/router.js';
import { rulesPage } from './cds/rules-page.js';
import { SharedReadCache } from './cds/shared-cache.js';
import type { CdsService } from './cds/service.js';
import type { Config } from './config.js';
import { inputLimits, useLimits } from './limits.js';
import { cors } from './cors.js';
import { AuthError, errorHandler, InputError, outcome, TooManyAttempts } from './errors.js';
import { requestLogger } from './logger.js';
import { healthRoutes } from './ops/health.js';
import { Metrics } from './ops/metrics.js';
import { SMART_APP_DIR } from './paths.js';
import { apiAuthentication } from './security/api-auth.js';
import { authenticate } from './security/authenticate.js';
import { bearerToken, sameSecret } from './security/bearer.js';
import { clientKey, FailureBudget } from './security/failure-budget.js';
import { FhirServerAllowlist } from './security/fhir-servers.js';
import { MemoryIssuedCards, type IssuedCards } from './security/issued-cards.js';
import { CdsJwtVerifier } from './security/jwt.js';
import { MemoryReplayCache, type ReplayCache } from './security/replay-cache.js';

export interface AppDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly feedback: FeedbackStore;
  /** The reviewer app's review states (SQLite in memory unless given: start.ts gives the configured store). */
  readonly reviews?: ReviewStore;
  readonly services?: readonly CdsService[];
  /** JWT replay cache (memory by default; Redis for replicas). */
  readonly replay?: ReplayCache;
  /** Card ids issued in the last day, for feedback (memory by default; Redis for replicas). */
  readonly issuedCards?: IssuedCards;
  readonly metrics?: Metrics;
  /** True once shutdown has begun (readiness then fails). */
  readonly draining?: () => boolean;
  /** Extra routes mounted before the 404 (the embedded demo). */
  readonly extraRoutes?: readonly RequestHandler[];
  /**
   * Routes matched just before the hooks, behind the same application middleware. Production mounts none; the
   * load benchmark mounts its floor here (the same app answering a fixed card to the hook's body).
   */
  readonly firstRoutes?: readonly RequestHandler[];
}

/** Builds the express app: JSON bodies with a size limit, the routes, then the one error handler. */
export function createApp({
  config,
  logger,
  feedback,
  reviews = new SqliteReviewStore(':memory:'),
  services = SERVICES,
  replay = new MemoryReplayCache(),
  issuedCards = new MemoryIssuedCards(Date.now, config.ISSUED_CARDS_MAX),
  metrics = new Metrics(),
  draining = () => false,
  extraRoutes = [],
  firstRoutes = [],
}: AppDependencies): Express {
  // The input limits apply to every request this process reads (hooks, the API, department runs through it).
  useLimits(inputLimits(config));
  const app = express();
  const verifier = config.CDS_TRUSTED_ISSUERS ? jwtVerifier(config, replay) : undefined;
  app.disable('x-powered-by');
  // No ETag: every answer is computed for one POST (hooks, the API) or small; hashing each body bought nothing.
  app.set('etag', false);
  app.set('query parser', 'simple');
  // Who the client is (req.ip, for its failed attempts): the connection, or what TRUST_PROXY's proxies say.
  app.set('trust proxy', config.TRUST_PROXY ?? false);
  // Failed authentication attempts per client, shared by every authenticated route.
  const failures = new FailureBudget(config.AUTH_FAILURES_PER_MINUTE);
  // Not kept by browsers, proxies or shared caches unless a route says otherwise: hooks, the API, the report and
  // feedback carry patient data, and errors can echo what was posted. Only the reviewer app's files opt out.
  app.use(noStore);
  app.use(requestLogger(logger, metrics));
  // While shutting down, answer what is in flight and tell clients not to reuse the connection.
  app.use((_req, res, next) => {
    if (draining()) res.setHeader('Connection', 'close');
    next();
  });
  app.use(securityHeaders(config));
  app.use(cors(config.CORS_ORIGINS));
  // Bodies are parsed per route, after authentication: a caller who is refused never gets a body read.
  const parseJson = express.json({ limit: config.BODY_LIMIT, type: JSON_TYPES, strict: true });
  const parseFeedbackJson = express.json({ limit: FEEDBACK_BODY_LIMIT, type: JSON_TYPES, strict: true });
  for (const route of firstRoutes) app.use(route);
  // The hooks first: the routes an EHR calls most are matched before any other.
  app.use(
    cdsRouter({
      services,
      cards: {
        baseUrl: config.PUBLIC_BASE_URL,
        smartLaunchUrl: config.SMART_LAUNCH_URL,
        systemActions: config.CDS_SYSTEM_ACTIONS === 'physician-tasks',
        infoCards: config.CDS_INFO_CARDS === 'on',
      },
      fetch: {
        timeoutMs: config.FHIR_TIMEOUT_MS,
        maxBytes: config.FHIR_MAX_RESPONSE_BYTES,
        maxPages: config.FHIR_MAX_PAGES,
        maxRequests: config.FHIR_MAX_REQUESTS_PER_HOOK,
        maxTotalBytes: config.FHIR_MAX_BYTES_PER_HOOK,
        sharedCache: new SharedReadCache(config.FHIR_SHARED_CACHE_SECONDS * 1000, config.FHIR_SHARED_CACHE_ENTRIES),
        observe: (outcome, seconds, reason) => {
          metrics.fhirFetches.observe({ outcome }, seconds);
          if (outcome === 'error') {
            // Callers get one message for every failure (no port-scanning oracle); the reason is here.
            metrics.fhirErrors.inc({ reason: reason ?? 'error' });
            logger.warn({ reason: reason ?? 'error' }, 'FHIR fetch failed');
          }
        },
      },
      feedback,
      logger,
      metrics,
      fhirServerAllowlist: config.FHIR_SERVER_ALLOWLIST,
      parseJson,
      parseFeedbackJson,
      issuedCards,
      clinicTimeZone: config.CLINIC_TIME_ZONE ?? null,
      ...(verifier
        ? {
            authenticate: authenticate(verifier, config.PUBLIC_BASE_URL, logger, metrics, { failures }),
            authenticateDiscovery: authenticate(verifier, config.PUBLIC_BASE_URL, logger, metrics, { optional: true, failures }),
          }
        : {}),
    }),
  );
  app.use(
    healthRoutes({
      feedback,
      replay,
      verifier,
      metrics,
      draining,
      protectDetails: config.NODE_ENV === 'production',
      adminToken: config.ADMIN_TOKEN,
      failures,
    }),
  );
  app.get('/rules', rulesPage);
  // Browsers ask for /favicon.ico on every page (the JSON ones too); a 404 there is an error in their console.
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/smart-app/favicon.svg'));
  app.use('/smart-app', cacheable, express.static(SMART_APP_DIR, { index: 'index.html', fallthrough: true }));
  const authenticateApi = apiAuthentication(config, logger, metrics, { failures });
  app.use(
    evaluateRouter(authenticateApi, parseJson, {
      bodyLimit: config.BODY_LIMIT,
      clinicTimeZone: config.CLINIC_TIME_ZONE ?? null,
    }),
  );
  app.use(reviewStateRouter(authenticateApi, parseFeedbackJson, reviews, config.FHIR_SERVER_ALLOWLIST));
  app.use(fhirServerCheck(new FhirServerAllowlist(config.FHIR_SERVER_ALLOWLIST)));
  app.get('/api/v1/feedback', adminOnly(config, failures), async (req, res) => {
    const service = typeof req.query.service === 'string' ? req.query.service : undefined;
    const after = integerParam(req.query.after, 'after', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const limit = integerParam(req.query.limit, 'limit', 1, FEEDBACK_PAGE_MAX) ?? FEEDBACK_PAGE_DEFAULT;
    const records = await feedback.list(service, { after, limit });
    const last = records.at(-1);
    const next =
      records.length === limit && last
        ? `/api/v1/feedback?${new URLSearchParams({ ...(service ? { service } : {}), after: String(last.id), limit: String(limit) }).toString()}`
        : null;
    res.json({ feedback: records, next });
  });
  for (const route of extraRoutes) app.use(route);
  app.use((_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.status(404).json(outcome('not-found', 'not found'));
  });
  app.use(errorHandler(logger));
  return app;
}

const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
/** Static files set their own Cache-Control (revalidated by ETag), and only when none is set. */
const cacheable: RequestHandler = (_req, res, next) => {
  res.removeHeader('Cache-Control');
  next();
};

/** Feedback bodies are small: 100 items of a few hundred characters each. */
const FEEDBACK_BODY_LIMIT = '64kb';

/**
 * helmet's headers, with the two that decide whether the reviewer app works inside an EHR:
 * - `frame-ancestors`: this origin plus FRAME_ANCESTORS (the EHRs allowed to frame the app). X-Frame-Options
 *   (which cannot name other origins) is sent only when no EHR is listed.
 * - `connect-src`: this origin plus the allow-listed FHIR servers' origins and SMART_AUTH_ORIGINS, so the app can
 *   call exactly the servers the service accepts; http only for origins listed explicitly. An empty allowlist
 *   (development) allows any https origin.
 */
function securityHeaders(config: Config): RequestHandler {
  const fhirServers = new FhirServerAllowlist(config.FHIR_SERVER_ALLOWLIST);
  const listed = [...new Set([...fhirServers.origins, ...config.SMART_AUTH_ORIGINS])];
  const framed = config.FRAME_ANCESTORS.length > 0;
  const pages = helmet({
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    contentSecurityPolicy: {
      directives: {
        'connect-src': ["'self'", ...(fhirServers.allowsAny ? ['https:'] : []), ...listed],
        'img-src': ["'self'", 'data:', 'blob:'],
        'frame-ancestors': ["'self'", ...config.FRAME_ANCESTORS],
        // Upgrading would turn calls to an explicitly listed http server into https calls that fail.
        'upgrade-insecure-requests': listed.some((origin) => origin.startsWith('http:')) ? null : [],
      },
    },
    xFrameOptions: framed ? false : { action: 'sameorigin' },
  });
  // The CDS Hooks endpoints answer JSON to EHR servers, never a page: the headers that matter for JSON, set at once.
  return (req, res, next) => {
    // Express matches routes case-insensitively: so does this.
    if (!req.path.toLowerCase().startsWith('/cds-services')) return pages(req, res, next);
    for (const [name, value] of JSON_API_HEADERS) res.setHeader(name, value);
    next();
  };
}

/** Headers of a JSON answer: no sniffing, nothing to frame or run, not cached, HTTPS only, readable cross-origin. */
const JSON_API_HEADERS: readonly (readonly [string, string])[] = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['X-Content-Type-Options', 'nosniff'],
  ['Cache-Control', 'no-store'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['Cross-Origin-Resource-Policy', 'cross-origin'],
  ['Referrer-Policy', 'no-referrer'],
];

/** An optional integer query parameter within bounds; a bad one is a 400 naming it. */
function integerParam(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max)
    throw new InputError([{ path: name, in: 'query', message: `must be an integer from ${min} to ${max}` }]);
  return number;
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
function adminOnly(config: Config, failures: FailureBudget): RequestHandler {
  return (req, _res, next) => {
    if (!config.CDS_TRUSTED_ISSUERS && !config.ADMIN_TOKEN) return next();
    if (!sameSecret(bearerToken(req.get('authorization')) ?? '', config.ADMIN_TOKEN ?? '')) {
      const wait = failures.take(clientKey(req.ip));
      return next(wait === null ? new AuthError('admin token required') : new TooManyAttempts(wait));
    }
    next();
  };
}
