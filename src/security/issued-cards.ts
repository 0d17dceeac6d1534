import type { Redis } from 'ioredis';
import { connectRedis, whenReady, type RedisSettings } from './redis.js';

/** Feedback on a card is marked 'issued' for this long after the service issued it ('unknown' after). */
export const ISSUED_CARD_TTL_MS = 24 * 60 * 60_000;
/** The memory store forgets the oldest cards beyond this many (a day of a busy clinic fits easily). */
const MEMORY_CAPACITY = 500_000;

/**
 * The card ids this service issued in the last day, per CDS service: feedback (CDS Hooks 2.0 §feedback) on them is
 * stored marked `issued`, on any other card `unknown`, so readers of the feedback table can tell what clinicians
 * did with cards the service knows it issued from the rest. Volatile on purpose (memory by default; Redis with
 * REDIS_URL, shared by replicas): losing it (a restart, a flush) only marks later feedback on earlier cards
 * `unknown`, it never refuses it.
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

  /**
   * Bounded like the replay cache (REDIS_TIMEOUT_MS): a failed remember() is logged by the caller and never fails
   * the hook; a failed lookup marks the feedback's cards unknown.
   */
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
