/** What a claim decides about a token's `jti`. */
export type Claim =
  /** First use: recorded until the token expires. */
  | 'fresh'
  /** Seen before. */
  | 'replayed'
  /**
   * Issued before the cache (re)started: the cache holds no record of what was used before then (a restart, a
   * flushed or restarted Redis), so it cannot tell a replay from a first use and refuses the token.
   */
  | 'issued-before-start';

export interface ClaimedToken {
  /** The latest instant the token can have been issued: its `iat` plus the tolerated clock skew (ms). */
  readonly issuedAtMs: number;
  /** Until when the `jti` must be remembered: `exp` plus the clock skew (ms). */
  readonly expiresAtMs: number;
}

/**
 * Remembers each JWT `jti` until its token expires, so a replayed token is refused. In memory by default;
 * Redis when several replicas must share it.
 *
 * A cache that loses its state must not start accepting replays: each cache records the instant it started (the
 * process start for memory; a key in Redis itself, renewed whenever Redis comes back empty or as another server)
 * and refuses tokens issued before it.
 */
export interface ReplayCache {
  claim(key: string, token: ClaimedToken): Promise<Claim>;
  check(): Promise<boolean>;
  close(): Promise<void>;
}

/** Whole seconds, as `iat` is: a token issued in the second the cache started is not refused for it. */
export const startSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;

export class MemoryReplayCache implements ReplayCache {
  private readonly seen = new Map<string, number>();
  private lastSweep = 0;
  /** When this process's cache started: what earlier processes saw is gone. */
  readonly startedAtMs: number;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAtMs = startSecond(now());
  }

  async claim(key: string, token: ClaimedToken): Promise<Claim> {
    if (token.issuedAtMs < this.startedAtMs) return 'issued-before-start';
    const now = this.now();
    this.sweep(now);
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return 'replayed';
    this.seen.set(key, token.expiresAtMs);
    return 'fresh';
  }

  async check(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.seen.clear();
  }

  /** Drops expired keys at most once a second, so memory stays bounded by the tokens alive. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    for (const [key, until] of this.seen) if (until <= now) this.seen.delete(key);
  }
}
