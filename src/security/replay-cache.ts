/**
 * Remembers each JWT `jti` until its token expires, so a replayed token is refused. In memory by default;
 * Redis when several replicas must share it.
 */
export interface ReplayCache {
  /** Records the key until `expiresAtMs`; `false` when it was already there (a replay). */
  claim(key: string, expiresAtMs: number): Promise<boolean>;
  check(): Promise<boolean>;
  close(): Promise<void>;
}

export class MemoryReplayCache implements ReplayCache {
  private readonly seen = new Map<string, number>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, expiresAtMs: number): Promise<boolean> {
    const now = this.now();
    this.sweep(now);
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    this.seen.set(key, expiresAtMs);
    return true;
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
