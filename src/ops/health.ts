import { Router, type Request } from 'express';
import type { FeedbackStore } from '../cds/feedback-store.js';
import { TooManyAttempts } from '../errors.js';
import { bearerToken, sameSecret } from '../security/bearer.js';
import { clientKey, type FailureBudget } from '../security/failure-budget.js';
import type { CdsJwtVerifier } from '../security/jwt.js';
import type { ReplayCache } from '../security/replay-cache.js';
import type { Metrics } from './metrics.js';

export interface HealthOptions {
  readonly feedback: FeedbackStore;
  readonly replay: ReplayCache;
  readonly verifier?: CdsJwtVerifier | undefined;
  readonly metrics: Metrics;
  /** True once shutdown has begun: readiness fails so the load balancer stops sending. */
  readonly draining: () => boolean;
  /**
   * In production, /metrics and the details of /readyz (issuer names, which check fails) are for operators:
   * they need `Authorization: Bearer <ADMIN_TOKEN>` (closed without an ADMIN_TOKEN). /readyz's status code
   * stays public, for load balancers.
   */
  readonly protectDetails?: boolean;
  readonly adminToken?: string | undefined;
  /** A wrong or missing admin token on /metrics uses one of the client's failed attempts (AUTH_FAILURES_PER_MINUTE). */
  readonly failures?: FailureBudget;
}

const withTimeout = <T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> =>
  Promise.race([promise, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);

/**
 * /healthz: the process answers (liveness). /readyz: the feedback store is writable and the replay cache
 * reachable (readiness); trusted issuers' JWKS are reported, but one that cannot be fetched does not make the
 * service unready (cached keys keep working). /metrics: Prometheus. In production the details and the metrics
 * need the admin token.
 */
export function healthRoutes(options: HealthOptions): Router {
  const router = Router();
  const isOperator = (req: Request): boolean =>
    !options.protectDetails || sameSecret(bearerToken(req.get('authorization')) ?? '', options.adminToken ?? '');
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (req, res) => {
    const [feedback, replay, jwks] = await Promise.all([
      withTimeout(options.feedback.check(), 2000, false),
      withTimeout(options.replay.check(), 2000, false),
      options.verifier ? withTimeout(options.verifier.jwksStatus(), 3000, {}) : Promise.resolve(undefined),
    ]);
    const ready = feedback && replay && !options.draining();
    if (!isOperator(req)) {
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
      return;
    }
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      checks: {
        feedbackStore: feedback ? 'ok' : 'failing',
        replayCache: replay ? 'ok' : 'failing',
        ...(options.draining() ? { shutdown: 'in progress' } : {}),
      },
      ...(jwks ? { jwks } : {}),
    });
  });
  router.get('/metrics', async (req, res, next) => {
    if (!isOperator(req)) {
      const wait = options.failures?.take(clientKey(req.ip)) ?? null;
      if (wait !== null) return next(new TooManyAttempts(wait));
      res.setHeader('WWW-Authenticate', 'Bearer');
      res.status(401).json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'admin token required' }] });
      return;
    }
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  return router;
}
