import { isIPv6 } from 'node:net';

/** Clients remembered at once; past it, idle ones go first, then the least recently seen. */
const MAX_CLIENTS = 10_000;

/**
 * Failed authentication attempts each client may make (AUTH_FAILURES_PER_MINUTE): a token bucket per client that
 * holds a minute's worth and refills evenly. An attempt is taken for each refusal (a missing or wrong credential,
 * a refused or expired token) and before each token check the service sends to an EHR (introspection and the
 * patient read); a check that accepts the token gives it back. Credentials the service knows from memory (API keys,
 * tokens accepted within the last minute) never touch it, so a reviewer behind the same address as an attacker
 * keeps working until the token needs checking again.
 *
 * In memory, per replica. `perMinute` 0 turns it off.
 */
export class FailureBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxClients = MAX_CLIENTS,
  ) {}

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  /** Takes one attempt from `client`: `null` when it had one, else the seconds until it has one (Retry-After). */
  take(client: string): number | null {
    if (!this.enabled) return null;
    const now = this.now();
    const tokens = this.level(client, now);
    if (tokens < 1) return Math.max(1, Math.ceil(((1 - tokens) * 60) / this.perMinute));
    this.store(client, tokens - 1, now);
    return null;
  }

  /** Gives back the attempt a token check took when the token was accepted. */
  giveBack(client: string): void {
    if (!this.enabled) return;
    const now = this.now();
    this.store(client, Math.min(this.perMinute, this.level(client, now) + 1), now);
  }

  /** The client's attempts now: what it had, plus the refill since, up to a minute's worth. */
  private level(client: string, now: number): number {
    const bucket = this.buckets.get(client);
    if (!bucket) return this.perMinute;
    return Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000);
  }

  private store(client: string, tokens: number, now: number): void {
    this.buckets.delete(client); // re-inserted last: the map's order is least recently seen first
    if (tokens >= this.perMinute) return; // a full bucket is the same as none
    if (this.buckets.size >= this.maxClients) {
      for (const [key] of this.buckets) if (this.level(key, now) >= this.perMinute) this.buckets.delete(key);
      if (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(client, { tokens, at: now });
  }
}

/**
 * Whose budget a request uses: its IPv4 address, or the /64 of its IPv6 address (one host or site usually holds a
 * whole /64, and could rotate through it). `req.ip` is the socket's address unless TRUST_PROXY names the proxies
 * whose X-Forwarded-For is believed.
 */
export function clientKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail] = ip.replace(/%.*$/, '').split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
