import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { errorSummary } from '../errors.js';

export interface RedisSettings {
  /** Longest wait for Redis: connecting, and each command (REDIS_TIMEOUT_MS). */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** What this connection is for, in its log lines. */
  readonly role: string;
}

/**
 * A Redis connection that never makes a caller wait longer than the timeout, and never ends the process:
 * - every command fails after `timeoutMs` without an answer (a hung Redis, e.g. SIGSTOP or DEBUG SLEEP, stalled
 *   every hook 17–20 s before), and a connection that stays silent that long is dropped and reopened;
 * - while the connection is down, commands fail at once instead of queueing (no offline queue) and nothing is
 *   resent after a reconnect: the caller already got its answer;
 * - errors are logged once per outage, and the client reconnects on its own (every 50 ms … 2 s).
 */
export function connectRedis(url: string, { timeoutMs, logger, role }: RedisSettings): Redis {
  const redis = new Redis(url, {
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
  });
  let down = false;
  redis.on('error', (error: unknown) => {
    if (down) return;
    down = true;
    logger.warn({ store: role, err: errorSummary(error) }, 'Redis unreachable');
  });
  redis.on('ready', () => {
    if (down) logger.info({ store: role }, 'Redis reachable again');
    down = false;
  });
  return redis;
}

/** Resolves once the connection is ready, or after `ms` (the service starts while Redis is down). */
export function whenReady(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}
