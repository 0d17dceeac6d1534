import { randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis, whenReady, type RedisSettings } from './redis.js';

/** Feedback on a card is marked 'issued' for this long after the service issued it ('unknown' after). */
export const ISSUED_CARD_TTL_MS = 24 * 60 * 60_000;
/**
 * The memory store's default capacity (ISSUED_CARDS_MAX): the card ids of the last day up to this many, the oldest
 * forgotten first. A busy department issues a few thousand cards a day; at BYTES_PER_CARD bytes each this is 12 MB
 * at most, allocated up front and touched as it fills.
 */
export const ISSUED_CARDS_DEFAULT_MAX = 500_000;
/**
 * What one remembered id costs in memory: its 64-bit fingerprint and expiry (16 bytes, in insertion order) and 2 to 4
 * slots of 4 bytes in the index (kept at most half full). The ids themselves are not kept.
 */
export const BYTES_PER_CARD = 32;

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

/**
 * The issued card ids in memory, of bounded size: capacity × BYTES_PER_CARD bytes at most, whatever the load (a Map
 * of id strings cost ~530 bytes an id: 266 MB at 500,000). Each id is kept as a 64-bit fingerprint of
 * `serviceId|cardId` (two 32-bit hashes, seeded at random per process) in a ring in insertion order (one TTL for
 * all, so insertion order is expiry order), with an open-addressing index (linear probing, at most half full) to
 * find it. Two ids with the same fingerprint (about 1 in 10^13 per lookup at full capacity, and not predictable
 * without the seeds) would mark feedback on an unknown card `issued`: a label, never a refusal or an answer.
 */
export class MemoryIssuedCards implements IssuedCards {
  private readonly hashHigh: Uint32Array;
  private readonly hashLow: Uint32Array;
  /** Expiry (ms since the epoch) of each ring slot; 0 for a slot whose id was remembered again later (not indexed). */
  private readonly until: Float64Array;
  /** Ring slot + 1 of each indexed id, 0 = empty; its length a power of two at least twice the capacity. */
  private readonly index: Int32Array;
  private readonly mask: number;
  private readonly seeds: readonly [number, number] = [randomInt(2 ** 32), randomInt(2 ** 32)];
  /** The oldest slot and the number of slots in use (dead ones included, until the ring moves past them). */
  private head = 0;
  private used = 0;

  constructor(
    private readonly now: () => number = Date.now,
    readonly capacity = ISSUED_CARDS_DEFAULT_MAX,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('issued cards: the capacity must be a positive integer');
    this.hashHigh = new Uint32Array(capacity);
    this.hashLow = new Uint32Array(capacity);
    this.until = new Float64Array(capacity);
    let slots = 2;
    while (slots < 2 * capacity) slots *= 2;
    this.index = new Int32Array(slots);
    this.mask = slots - 1;
  }

  /** Ring slots in use (at most `capacity`): the ids remembered, not yet expired nor pushed out. */
  get size(): number {
    return this.used;
  }

  /** The memory the store holds, whatever it holds: at most capacity × BYTES_PER_CARD. */
  get bytes(): number {
    return this.hashHigh.byteLength + this.hashLow.byteLength + this.until.byteLength + this.index.byteLength;
  }

  async remember(serviceId: string, cardIds: readonly string[]): Promise<void> {
    const now = this.now();
    this.dropExpired(now);
    for (const id of cardIds) {
      const key = `${serviceId}|${id}`;
      const [high, low] = [hash32(key, this.seeds[0]), hash32(key, this.seeds[1])];
      const found = this.find(high, low);
      // Remembered again: the old slot leaves the index and waits, dead, for the ring to pass it.
      if (found >= 0) {
        this.until[this.index[found]! - 1] = 0;
        this.unindex(found);
      }
      if (this.used === this.capacity) this.dropOldest();
      const slot = (this.head + this.used) % this.capacity;
      this.hashHigh[slot] = high;
      this.hashLow[slot] = low;
      this.until[slot] = now + ISSUED_CARD_TTL_MS;
      this.used++;
      let at = high & this.mask;
      while (this.index[at] !== 0) at = (at + 1) & this.mask;
      this.index[at] = slot + 1;
    }
  }

  async issued(serviceId: string, cardIds: readonly string[]): Promise<boolean[]> {
    const now = this.now();
    return cardIds.map((id) => {
      const key = `${serviceId}|${id}`;
      const found = this.find(hash32(key, this.seeds[0]), hash32(key, this.seeds[1]));
      return found >= 0 && this.until[this.index[found]! - 1]! > now;
    });
  }

  async close(): Promise<void> {
    this.index.fill(0);
    this.head = 0;
    this.used = 0;
  }

  /** The index position of the id with this fingerprint, or -1. */
  private find(high: number, low: number): number {
    for (let at = high & this.mask; this.index[at] !== 0; at = (at + 1) & this.mask) {
      const slot = this.index[at]! - 1;
      if (this.hashHigh[slot] === high && this.hashLow[slot] === low) return at;
    }
    return -1;
  }

  private dropExpired(now: number): void {
    while (this.used > 0 && this.until[this.head]! <= now) this.dropOldest();
  }

  private dropOldest(): void {
    const slot = this.head;
    if (this.until[slot] !== 0) {
      const high = this.hashHigh[slot]!;
      let at = high & this.mask;
      while (this.index[at] !== slot + 1) at = (at + 1) & this.mask;
      this.unindex(at);
    }
    this.until[slot] = 0;
    this.head = (this.head + 1) % this.capacity;
    this.used--;
  }

  /** Empties index position `at`, moving back the entries after it that probing would no longer reach (Knuth's R). */
  private unindex(at: number): void {
    let hole = at;
    this.index[hole] = 0;
    for (let next = (hole + 1) & this.mask; this.index[next] !== 0; next = (next + 1) & this.mask) {
      const home = this.hashHigh[this.index[next]! - 1]! & this.mask;
      // The entry stays where it is when its home lies cyclically in (hole, next].
      const reachable = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (reachable) continue;
      this.index[hole] = this.index[next]!;
      this.index[next] = 0;
      hole = next;
    }
  }
}

/** A 32-bit hash of a string (murmur-style mixing of its UTF-16 code units), with a seed. */
function hash32(text: string, seed: number): number {
  let h = (seed ^ text.length) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
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
