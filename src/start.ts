import type { Server } from 'node:http';
import type { RequestHandler } from 'express';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { PgReviewStore } from './api/pg-review-store.js';
import { SqliteReviewStore, type ReviewStore } from './api/review-store.js';
import { createApp } from './app.js';
import { SqliteFeedbackStore, type FeedbackStore } from './cds/feedback-store.js';
import { PgFeedbackStore } from './cds/pg-feedback-store.js';
import type { Config } from './config.js';
import { createDemoFhirServer, type DemoFhirServer } from './demo/fhir-server.js';
import { demoRoutes } from './demo/routes.js';
import { returnMemoryWhenIdle } from './ops/idle-memory.js';
import { Metrics } from './ops/metrics.js';
import { FIXTURES_DIR } from './paths.js';
import { MemoryIssuedCards, RedisIssuedCards, type IssuedCards } from './security/issued-cards.js';
import { RedisReplayCache } from './security/redis-replay-cache.js';
import { loadPolicies } from './policies/load.js';
import { usePolicies } from './policies/registry.js';
import { MemoryReplayCache, type ReplayCache } from './security/replay-cache.js';

export interface RunningService {
  readonly server: Server;
  readonly url: string;
  readonly demo: DemoFhirServer | null;
  readonly feedback: FeedbackStore;
  /** Graceful stop: refuse new connections, finish in-flight requests (up to SHUTDOWN_TIMEOUT_MS), close stores. */
  close(): Promise<void>;
}

/** Shared state goes to Redis and PostgreSQL when configured (replicas), else memory and SQLite. */
async function stores(
  config: Config,
  logger: Logger,
): Promise<{ feedback: FeedbackStore; reviews: ReviewStore; replay: ReplayCache; issuedCards: IssuedCards }> {
  const feedback = config.DATABASE_URL
    ? await PgFeedbackStore.connect(config.DATABASE_URL, { timeoutMs: config.DATABASE_TIMEOUT_MS, logger })
    : new SqliteFeedbackStore(config.FEEDBACK_DB_PATH);
  // Review states live beside feedback: the same PostgreSQL, or another table of the same SQLite file.
  const reviews = config.DATABASE_URL
    ? PgReviewStore.connect(config.DATABASE_URL, { timeoutMs: config.DATABASE_TIMEOUT_MS, logger })
    : new SqliteReviewStore(config.FEEDBACK_DB_PATH);
  if (!config.REDIS_URL)
    return { feedback, reviews, replay: new MemoryReplayCache(), issuedCards: new MemoryIssuedCards(Date.now, config.ISSUED_CARDS_MAX) };
  const redis = { timeoutMs: config.REDIS_TIMEOUT_MS, logger };
  const replay = new RedisReplayCache(config.REDIS_URL, redis);
  const issuedCards = new RedisIssuedCards(config.REDIS_URL, redis);
  // Commands fail at once while a connection is not open (no offline queue): let the first one open before listening.
  await Promise.all([replay.connected(), issuedCards.connected()]);
  return { feedback, reviews, replay, issuedCards };
}

/**
 * Builds the service (with the demo when enabled) and listens. `PORT=0` picks a free port. `firstRoutes`: see
 * AppDependencies (the load benchmark's floor; `npm start` passes none).
 */
export async function startService(
  config: Config,
  logger: Logger,
  { firstRoutes = [] }: { readonly firstRoutes?: readonly RequestHandler[] } = {},
): Promise<RunningService> {
  // Payer policies first: a bad policy file stops the start (naming the file and field) before anything listens.
  const policies = loadPolicies(config.PAYER_POLICY_DIR ?? null);
  usePolicies(policies, config.PAYER_POLICY_DIR ?? null);
  logger.info({ policies: policies.map((p) => `${p.id} ${p.version}`) }, 'payer policies in force');
  const { feedback, reviews, replay, issuedCards } = await stores(config, logger);
  const demo = config.DEMO === 'on' ? await createDemoFhirServer(FIXTURES_DIR) : null;
  let draining = false;
  const app = createApp({
    config,
    logger,
    feedback,
    reviews,
    replay,
    issuedCards,
    metrics: new Metrics(),
    draining: () => draining,
    extraRoutes: demo ? [demoRoutes(demo)] : [],
    firstRoutes,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.PORT, config.HOST, (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const { port } = server.address() as AddressInfo;
  // After load, memory comes back once the service is quiet (src/ops/idle-memory.ts).
  const stopIdleMemory = returnMemoryWhenIdle(server, (heapBytes) =>
    logger.info({ heapMb: Math.round(heapBytes / 1_048_576) }, 'quiet after load: memory given back'),
  );

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      draining = true;
      stopIdleMemory();
      const force = setTimeout(() => {
        logger.warn({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown timeout: closing remaining connections');
        server.closeAllConnections();
      }, config.SHUTDOWN_TIMEOUT_MS);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        void Promise.allSettled([feedback.close(), reviews.close(), replay.close(), issuedCards.close()]).then(() => resolve());
      });
      // Keep-alive connections with no request in flight would hold close() open: end them now.
      server.closeIdleConnections();
    });
    return closing;
  };
  return { server, url: `http://${config.HOST}:${port}`, demo, feedback, close };
}
