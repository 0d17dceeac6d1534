import jwt, { type JwtHeader, type JwtPayload } from 'jsonwebtoken';
import { AuthError } from '../errors.js';
import { IssuerKeys } from './jwks.js';
import type { ReplayCache } from './replay-cache.js';

export interface JwtSettings {
  /** `iss` → its JWKS URL: the only issuers trusted. */
  readonly trustedIssuers: Readonly<Record<string, string>>;
  /** Allowed `alg` values (ES384 and RS384 by default); never `none` or HS*. */
  readonly algorithms: readonly jwt.Algorithm[];
  /** Longest accepted `exp - iat`, seconds (CDS Hooks clients send 5 minutes). */
  readonly maxLifetimeSeconds: number;
  readonly clockSkewSeconds: number;
  /** JWKS refetches per issuer and minute for unknown `kid`s (spaced evenly). */
  readonly jwksRequestsPerMinute: number;
}

export interface VerifiedClient {
  readonly iss: string;
  readonly jti: string;
  readonly tenant?: string;
}

const ASYMMETRIC = /^(RS|ES|PS)(256|384|512)$/;

/**
 * Verifies CDS Hooks 2.0 client JWTs (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients): the issuer is
 * trusted, the key comes from the issuer's JWKS by `kid` (a `jku` must be that JWKS URL), the algorithm is
 * allowed, `aud` is the endpoint called, the token is fresh (not expired, not issued in the future) and
 * short-lived, and its `jti` is new, which the replay cache can tell only for tokens issued after it started.
 *
 * Everything that can be checked without the key is checked before the key is looked up, so a token with a
 * wrong audience, a stale or future time or a missing `jti` never makes the service fetch a JWKS.
 */
export class CdsJwtVerifier {
  private readonly keys = new Map<string, IssuerKeys>();
  private jwksChecked: { at: number; status: Record<string, 'ok' | 'unreachable'> } | null = null;

  constructor(
    private readonly settings: JwtSettings,
    private readonly replay: ReplayCache,
    private readonly now: () => number = Date.now,
  ) {
    for (const algorithm of settings.algorithms) {
      if (!ASYMMETRIC.test(algorithm)) throw new Error(`JWT algorithm ${algorithm} is not allowed: only asymmetric algorithms`);
    }
    for (const [iss, jwksUri] of Object.entries(settings.trustedIssuers)) {
      this.keys.set(iss, new IssuerKeys(jwksUri, settings.jwksRequestsPerMinute, now));
    }
  }

  /** JWKS requests made so far for an issuer (tests and diagnostics). */
  jwksFetches(iss: string): number {
    return this.keys.get(iss)?.fetches ?? 0;
  }

  /** Whether each trusted issuer's JWKS can be fetched now (checked at most every 30 s). For /readyz. */
  async jwksStatus(): Promise<Record<string, 'ok' | 'unreachable'>> {
    if (this.jwksChecked && this.now() - this.jwksChecked.at < 30_000) return this.jwksChecked.status;
    const entries = await Promise.all(
      Object.entries(this.settings.trustedIssuers).map(async ([iss, url]) => {
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(2000), redirect: 'error' });
          return [iss, response.ok ? 'ok' : 'unreachable'] as const;
        } catch {
          return [iss, 'unreachable'] as const;
        }
      }),
    );
    this.jwksChecked = { at: this.now(), status: Object.fromEntries(entries) };
    return this.jwksChecked.status;
  }

  async verify(token: string, audiences: readonly string[]): Promise<VerifiedClient> {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw new AuthError('malformed token');
    const header: JwtHeader = decoded.header;
    const unverified = decoded.payload;
    if (!this.settings.algorithms.includes(header.alg as jwt.Algorithm)) throw new AuthError('algorithm not allowed');
    if (header.typ !== 'JWT') throw new AuthError('typ must be JWT');
    if (!header.kid) throw new AuthError('kid missing');
    const iss = unverified.iss;
    const issuerKeys = iss ? this.keys.get(iss) : undefined;
    if (!iss || !issuerKeys) throw new AuthError('untrusted issuer');
    if (header.jku !== undefined && header.jku !== this.settings.trustedIssuers[iss]) throw new AuthError('jku not allowed');
    this.checkClaims(unverified, audiences);

    const key = await issuerKeys.key(header.kid);
    if (!key) throw new AuthError('unknown signing key');

    let payload: JwtPayload;
    try {
      payload = jwt.verify(token, key, {
        algorithms: [...this.settings.algorithms],
        audience: audiences as [string, ...string[]],
        issuer: iss,
        clockTolerance: this.settings.clockSkewSeconds,
        clockTimestamp: Math.floor(this.now() / 1000),
      }) as JwtPayload;
    } catch (error) {
      throw new AuthError(reasonOf(error as Error));
    }
    this.checkClaims(payload, audiences);
    const jti = payload.jti as string;
    const skew = this.settings.clockSkewSeconds;
    const claim = await this.replay.claim(`${iss}|${jti}`, {
      issuedAtMs: ((payload.iat as number) + skew) * 1000,
      expiresAtMs: ((payload.exp as number) + skew) * 1000,
    });
    if (claim === 'replayed') throw new AuthError('token replayed');
    if (claim === 'issued-before-start') throw new AuthError('token issued before the replay cache started');
    return { iss, jti, ...(typeof payload.tenant === 'string' ? { tenant: payload.tenant } : {}) };
  }

  /**
   * The claims that need no key: audience, expiry, issue time (required by CDS Hooks 2.0, and by the replay
   * cache's start rule; not in the future beyond the clock skew, so a replay-cache entry never outlives the
   * lifetime limit), lifetime and `jti`. Run on the unverified payload
   * first (nobody reaches the JWKS without them) and again on the verified one.
   */
  private checkClaims(payload: JwtPayload, audiences: readonly string[]): void {
    const now = Math.floor(this.now() / 1000);
    const skew = this.settings.clockSkewSeconds;
    const aud = payload.aud;
    if (!(Array.isArray(aud) ? aud : [aud]).some((value) => typeof value === 'string' && audiences.includes(value)))
      throw new AuthError('wrong audience');
    if (typeof payload.exp !== 'number') throw new AuthError('exp missing');
    if (payload.exp + skew <= now) throw new AuthError('token expired');
    if (typeof payload.iat !== 'number') throw new AuthError('iat missing');
    if (payload.iat > now + skew) throw new AuthError('token issued in the future');
    if (typeof payload.nbf === 'number' && payload.nbf > now + skew) throw new AuthError('token not yet valid');
    if (payload.exp - payload.iat > this.settings.maxLifetimeSeconds) throw new AuthError('token lifetime too long');
    if (typeof payload.jti !== 'string' || payload.jti.length === 0) throw new AuthError('jti missing');
  }
}

function reasonOf(error: Error): string {
  if (error.name === 'TokenExpiredError') return 'token expired';
  if (error.name === 'NotBeforeError') return 'token not yet valid';
  if (/audience/.test(error.message)) return 'wrong audience';
  if (/issuer/.test(error.message)) return 'untrusted issuer';
  if (/signature/.test(error.message)) return 'invalid signature';
  if (/algorithm/.test(error.message)) return 'algorithm not allowed';
  return 'invalid token';
}
