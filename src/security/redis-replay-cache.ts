import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../errors.js';
import { connectRedis, whenReady, type RedisSettings } from './redis.js';
import type { ReplayCache } from './replay-cache.js';

/**
 * The replay cache in Redis, shared by every replica: SET NX with the token's remaining lifetime.
 *
 * Redis unreachable, or silent past REDIS_TIMEOUT_MS: the claim fails with a StoreUnavailableError, so the call
 * is refused with 503 and Retry-After. A token is never accepted unchecked: a replay during the outage could not
 * be told from a first use.
 */
export class RedisReplayCache implements ReplayCache {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly settings: Omit<RedisSettings, 'role'>,
    private readonly now: () => number = Date.now,
  ) {
    this.redis = connectRedis(url, { ...settings, role: 'replay cache' });
  }

  /** Waits (up to the timeout) for the first connection, so that calls right after the start find it open. */
  connected(): Promise<void> {
    return whenReady(this.redis, this.settings.timeoutMs);
  }

  async claim(key: string, expiresAtMs: number): Promise<boolean> {
    const ttl = Math.max(1000, expiresAtMs - this.now());
    try {
      return (await this.redis.set(`rt-billing:jti:${key}`, '1', 'PX', ttl, 'NX')) === 'OK';
    } catch (error) {
      throw new StoreUnavailableError('replay cache', { cause: error });
    }
  }

  async check(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
