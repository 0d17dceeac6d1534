import jwt, { type JwtHeader, type JwtPayload } from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { AuthError } from '../errors.js';
import type { ReplayCache } from './replay-cache.js';

export interface JwtSettings {
  /** `iss` → its JWKS URL: the only issuers trusted. */
  readonly trustedIssuers: Readonly<Record<string, string>>;
  /** Allowed `alg` values (ES384 and RS384 by default); never `none` or HS*. */
  readonly algorithms: readonly jwt.Algorithm[];
  /** Longest accepted `exp - iat`, seconds (CDS Hooks clients send 5 minutes). */
  readonly maxLifetimeSeconds: number;
  readonly clockSkewSeconds: number;
  /** Minimum time between JWKS refetches for an unknown `kid`, per issuer. */
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
 * allowed, `aud` is the endpoint called, the token is fresh and short-lived, and its `jti` is new.
 */
export class CdsJwtVerifier {
  private readonly clients = new Map<string, JwksClient>();
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
      this.clients.set(
        iss,
        new JwksClient({
          jwksUri,
          cache: true,
          cacheMaxAge: 10 * 60_000,
          rateLimit: true,
          jwksRequestsPerMinute: settings.jwksRequestsPerMinute,
          timeout: 5000,
        }),
      );
    }
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
    const client = iss ? this.clients.get(iss) : undefined;
    if (!iss || !client) throw new AuthError('untrusted issuer');
    if (header.jku !== undefined && header.jku !== this.settings.trustedIssuers[iss]) throw new AuthError('jku not allowed');

    let key: string;
    try {
      key = (await client.getSigningKey(header.kid)).getPublicKey();
    } catch {
      throw new AuthError('unknown signing key');
    }

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
    if (typeof payload.exp !== 'number') throw new AuthError('exp missing');
    if (typeof payload.jti !== 'string' || payload.jti.length === 0) throw new AuthError('jti missing');
    const issuedAt = typeof payload.iat === 'number' ? payload.iat : Math.floor(this.now() / 1000);
    if (payload.exp - issuedAt > this.settings.maxLifetimeSeconds) throw new AuthError('token lifetime too long');
    const fresh = await this.replay.claim(`${iss}|${payload.jti}`, (payload.exp + this.settings.clockSkewSeconds) * 1000);
    if (!fresh) throw new AuthError('token replayed');
    return { iss, jti: payload.jti, ...(typeof payload.tenant === 'string' ? { tenant: payload.tenant } : {}) };
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
