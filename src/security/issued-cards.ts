import type { Redis } from 'ioredis';
import { connectRedis, whenReady, type RedisSettings } from './redis.js';

/** Feedback is accepted for a card for this long after the service issued it. */
export const ISSUED_CARD_TTL_MS = 24 * 60 * 60_000;
/** The memory store forgets the oldest cards beyond this many (a day of a busy clinic fits easily). */
const MEMORY_CAPACITY = 500_000;

/**
 * The card ids this service issued in the last day, per CDS service: feedback (CDS Hooks 2.0 §feedback) is
 * accepted only for them, so the feedback table holds what clinicians did with real cards, not whatever a
 * client makes up. In memory by default; in Redis (REDIS_URL) when replicas must share it, like the replay cache.
 */
export interface IssuedCards {
  remember(serviceId: string, cardIds: readonly string[]): Promise<void>;
  /** For each id, whether this service issued it within the last day. */
  issued(serviceId: string, cardIds: readonly string[]): Promise<boolean[]>;
  close(): Promise<void>;
}

export class MemoryIssuedCards implements IssuedCards {
  /** Insertion order is expiry order (one TTL for all): the oldest entries are the first to go. */
  private readonly cards = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly capacity = MEMORY_CAPACITY,
  ) {}

  async remember(serviceId: string, cardIds: readonly string[]): Promise<void> {
    const until = this.now() + ISSUED_CARD_TTL_MS;
    for (const id of cardIds) {
      const key = `${serviceId}|${id}`;
      this.cards.delete(key);
      this.cards.set(key, until);
    }
    this.evict();
  }

  async issued(serviceId: string, cardIds: readonly string[]): Promise<boolean[]> {
    const now = this.now();
    return cardIds.map((id) => (this.cards.get(`${serviceId}|${id}`) ?? 0) > now);
  }

  async close(): Promise<void> {
    this.cards.clear();
  }

  private evict(): void {
    const now = this.now();
    for (const [key, until] of this.cards) {
      if (until > now && this.cards.size <= this.capacity) break;
      this.cards.delete(key);
    }
  }
}

export class RedisIssuedCards implements IssuedCards {
  private readonly redis: Redis;

  /** Bounded like the replay cache (REDIS_TIMEOUT_MS): a failed remember() is logged by the caller and never fails the hook. */
  constructor(
    url: string,
    private readonly settings: Omit<RedisSettings, 'role'>,
  ) {
    this.redis = connectRedis(url, { ...settings, role: 'issued cards' });
  }

  connected(): Promise<void> {
    return whenReady(this.redis, this.settings.timeoutMs);
  }

  async remember(serviceId: string, cardIds: readonly string[]): Promise<void> {
    if (cardIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const id of cardIds) pipeline.set(this.key(serviceId, id), '1', 'PX', ISSUED_CARD_TTL_MS);
    await pipeline.exec();
  }

  async issued(serviceId: string, cardIds: readonly string[]): Promise<boolean[]> {
    if (cardIds.length === 0) return [];
    const values = await this.redis.mget(cardIds.map((id) => this.key(serviceId, id)));
    return values.map((value) => value !== null);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private key(serviceId: string, cardId: string): string {
    return `rt-billing:card:${serviceId}|${cardId}`;
  }
}
