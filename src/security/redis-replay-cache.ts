import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { errorSummary, StoreUnavailableError } from '../errors.js';
import { connectRedis, whenReady, type RedisSettings } from './redis.js';
import { startSecond, type Claim, type ClaimedToken, type ReplayCache } from './replay-cache.js';

/** `<run_id of the Redis server> <ms>`: when this cache started holding every jti, and on which server. */
const STARTED_KEY = 'rt-billing:replay-cache:started';

/**
 * One round trip, atomic: read the cache's start record, begin a new one when it is missing (FLUSHALL, a restart
 * without persistence, an evicted key) or names another server (a restart, from a snapshot that may miss the last
 * writes; a failover), refuse a token issued before it, else SET NX the jti.
 * KEYS: start record, jti. ARGV: this connection's server run_id, now (ms), the token's latest issue instant (ms),
 * the jti's time to live (ms). Returns { 1 fresh | 0 replayed | 2 issued before the start, start ms, 1 if begun now }.
 */
const CLAIM = `
local record = redis.call('GET', KEYS[1])
local started
if record then
  local run, ms = string.match(record, '^(%S*) (%d+)$')
  if run == ARGV[1] then started = tonumber(ms) end
end
local begun = 0
if not started then
  started = tonumber(ARGV[2])
  redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2])
  begun = 1
end
if tonumber(ARGV[3]) < started then return {2, started, begun} end
if redis.call('SET', KEYS[2], '1', 'PX', ARGV[4], 'NX') then return {1, started, begun} end
return {0, started, begun}
`;
const CLAIM_SHA = createHash('sha1').update(CLAIM).digest('hex');
const CLAIMS: Record<number, Claim> = { 0: 'replayed', 1: 'fresh', 2: 'issued-before-start' };

/**
 * The replay cache in Redis, shared by every replica: SET NX with the token's remaining lifetime.
 *
 * Redis unreachable, or silent past REDIS_TIMEOUT_MS: the claim fails with a StoreUnavailableError, so the call
 * is refused with 503 and Retry-After. A token is never accepted unchecked: a replay during the outage could not
 * be told from a first use.
 *
 * Redis losing its keys (FLUSHALL, a restart without persistence or from an older snapshot, a failover) must not
 * make used tokens new again: the cache's start instant lives in Redis beside the jtis, and is begun anew, by
 * whichever replica first finds it missing or naming another server; tokens issued before it are refused.
 */
export class RedisReplayCache implements ReplayCache {
  private readonly redis: Redis;
  /** The run_id of the server this connection reaches, asked once per connection. */
  private server: Promise<string> | null = null;

  constructor(
    url: string,
    private readonly settings: Omit<RedisSettings, 'role'>,
    private readonly now: () => number = Date.now,
  ) {
    this.redis = connectRedis(url, { ...settings, role: 'replay cache' });
    this.redis.on('close', () => (this.server = null));
  }

  /** Waits (up to the timeout) for the first connection, so that calls right after the start find it open. */
  connected(): Promise<void> {
    return whenReady(this.redis, this.settings.timeoutMs);
  }

  async claim(key: string, token: ClaimedToken): Promise<Claim> {
    const now = this.now();
    const ttl = Math.max(1000, token.expiresAtMs - now);
    try {
      const runId = await (this.server ??= this.runId());
      const keys = [STARTED_KEY, `rt-billing:jti:${key}`];
      const args = [runId, String(startSecond(now)), String(token.issuedAtMs), String(ttl)];
      const [claim, started, begun] = (await this.redis.evalsha(CLAIM_SHA, 2, ...keys, ...args).catch((error: unknown) => {
        if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
        return this.redis.eval(CLAIM, 2, ...keys, ...args); // a new server's script cache is empty
      })) as [number, number, number];
      if (begun === 1)
        this.settings.logger.warn(
          { store: 'replay cache', startedAt: new Date(started).toISOString() },
          'replay cache started anew (Redis empty or another server): tokens issued before this are refused',
        );
      return CLAIMS[claim]!;
    } catch (error) {
      this.server = null;
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

  /** The server's run_id (new at every Redis start); '' where INFO is not allowed (some proxies): then only an empty Redis begins a new start. */
  private async runId(): Promise<string> {
    try {
      return /^run_id:(\w+)/m.exec(await this.redis.info('server'))?.[1] ?? '';
    } catch (error) {
      if (error instanceof Error && error.name === 'ReplyError') {
        this.settings.logger.warn(
          { store: 'replay cache', err: errorSummary(error) },
          'Redis INFO refused: a restart is noticed only when Redis comes back empty',
        );
        return '';
      }
      throw error;
    }
  }
}
