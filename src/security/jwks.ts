import { createPublicKey, type KeyObject } from 'node:crypto';
import { JwksClient } from 'jwks-rsa';

/** How long fetched keys are used before the JWKS is fetched again (rotation is picked up at the latest then). */
const KEYS_MAX_AGE_MS = 10 * 60_000;

/**
 * One trusted issuer's signing keys, from its JWKS URL. jwks-rsa fetches and converts the JWKS; this class owns
 * the caching and the refetch budget:
 * - keys are kept by `kid` for 10 minutes (then refetched; if the refetch fails, the known keys keep working);
 * - an unknown `kid` (a rotation) triggers a refetch, but refetches are spaced evenly, at most
 *   `requestsPerMinute` a minute. A burst of unknown `kid`s cannot use up a minute's budget at once: it gets one
 *   refetch, and a real rotation waits at most one interval (6 s at the default 10 a minute).
 * The verifier calls this only for tokens whose signature-independent claims already passed, so strangers who
 * do not know the audience and the issuer cannot reach it at all.
 */
export class IssuerKeys {
  private readonly client: JwksClient;
  private keys = new Map<string, KeyObject>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | null = null;
  private readonly intervalMs: number;
  /** JWKS requests made (for tests and readiness). */
  fetches = 0;

  constructor(
    readonly jwksUri: string,
    requestsPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.client = new JwksClient({ jwksUri, cache: false, rateLimit: false, timeout: 5000 });
    this.intervalMs = 60_000 / requestsPerMinute;
  }

  /**
   * The public key for `kid`, or `null` when the issuer does not publish it (or could not be asked now). Parsed once
   * when the JWKS is fetched: parsing the PEM at every verification cost more than the RS384 check itself.
   */
  async key(kid: string): Promise<KeyObject | null> {
    const now = this.now();
    const known = this.keys.get(kid);
    const stale = now - this.fetchedAt > KEYS_MAX_AGE_MS;
    if (known && !stale) return known;
    if (now - this.lastAttempt >= this.intervalMs) await this.refetch();
    else if (this.inflight) await this.inflight;
    return this.keys.get(kid) ?? null;
  }

  private refetch(): Promise<void> {
    this.inflight ??= (async () => {
      this.lastAttempt = this.now();
      this.fetches += 1;
      try {
        const signingKeys = await this.client.getSigningKeys();
        this.keys = new Map(signingKeys.filter((k) => typeof k.kid === 'string').map((k) => [k.kid, createPublicKey(k.getPublicKey())]));
        this.fetchedAt = this.now();
      } catch {
        // Unreachable or empty JWKS: keep the keys already known (reported by /readyz).
      } finally {
        this.inflight = null;
      }
    })();
    return this.inflight;
  }
}
