import { Redis } from 'ioredis';
import type { ReplayCache } from './replay-cache.js';

/** The replay cache in Redis, shared by every replica: SET NX with the token's remaining lifetime. */
export class RedisReplayCache implements ReplayCache {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly now: () => number = Date.now,
  ) {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 5000 });
    this.redis.on('error', () => {
      // Reported through check() and /readyz; a refused claim fails the request, it never passes a token.
    });
  }

  async claim(key: string, expiresAtMs: number): Promise<boolean> {
    const ttl = Math.max(1000, expiresAtMs - this.now());
    const result = await this.redis.set(`rt-billing:jti:${key}`, '1', 'PX', ttl, 'NX');
    return result === 'OK';
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
