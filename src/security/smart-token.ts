import { createHash } from 'node:crypto';
import { FhirClient, FhirFetchError } from '../fhir/client.js';

/** A token is re-checked with the FHIR server (and introspection) at least this often: revocation shows within it. */
export const RECHECK_MS = 60_000;
const DISCOVERY_MAX_AGE_MS = 10 * 60_000;
const DISCOVERY_FAILURE_MAX_AGE_MS = 60_000;
const SMALL_RESPONSE_BYTES = 256_000;
const MAX_REMEMBERED = 10_000;
/** A refused token is refused from memory this long: the same made-up token is not sent to the EHR again. */
export const REFUSED_MS = 60_000;
/** Refused tokens remembered at once (the oldest are forgotten first): a small cache, not a list of every attempt. */
const MAX_REFUSED = 1_000;

export type TokenRefusal = 'token-expired' | 'token-refused' | 'fhir-server-unavailable';

/**
 * An accepted token, until when, and the user it was issued to when the authorization server said so (introspection's
 * `fhirUser`, else `sub`, else `username`); `null` when only the FHIR read vouched for the token.
 */
export type TokenCheck =
  | { readonly ok: true; readonly until: number; readonly user?: string | null }
  | { readonly ok: false; readonly kind: TokenRefusal; readonly reason: string };

export interface TokenToCheck {
  /** The allow-listed FHIR base URL (canonical), never the raw header. */
  readonly base: string;
  readonly patient: string;
  readonly token: string;
  /** When the app says the token expires (epoch ms, from the token response's `expires_in`); it can only shorten. */
  readonly claimedExpiry?: number | undefined;
}

/**
 * Checks a reviewer's SMART access token against the EHR that issued it, and remembers the answer no longer than
 * the token lives:
 * - when the FHIR server's `.well-known/smart-configuration` advertises an `introspection_endpoint` on its own
 *   origin, the token is introspected (RFC 7662; the token itself is the bearer credential, as the SMART reference
 *   launcher accepts): `active: false` refuses it, `exp` bounds how long it is accepted, and a `patient` other than
 *   the one asked for refuses it;
 * - the token must read `<base>/Patient/<id>` (a read built from parsed parts, nothing else);
 * - the answer is remembered until the earliest of: 60 s (then asked again: revocation), the introspected `exp`,
 *   the expiry the app reports. A token is never accepted after any of them;
 * - a refusal is remembered REFUSED_MS (60 s; the last 1,000 only): the same made-up or revoked token is refused
 *   from memory meanwhile, not introspected again. An EHR that did not answer is asked again next time.
 */
export class SmartTokenChecker {
  private readonly remembered = new Map<string, { until: number; user: string | null }>();
  private readonly refused = new Map<string, { until: number; result: TokenCheck & { ok: false } }>();
  private readonly inflight = new Map<string, Promise<TokenCheck>>();
  private readonly introspection = new Map<string, { endpoint: string | null; until: number }>();

  constructor(
    private readonly settings: { readonly timeoutMs: number; readonly maxRefused?: number },
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The answer the checker already has, without asking anyone: accepted within the last minute, refused within
   * REFUSED_MS, or expired by the app's own word; `undefined` when only the EHR can tell.
   */
  known(request: TokenToCheck): TokenCheck | undefined {
    const now = this.now();
    if (request.claimedExpiry !== undefined && request.claimedExpiry <= now)
      return { ok: false, kind: 'token-expired', reason: 'the access token has expired' };
    const key = keyOf(request);
    const accepted = this.remembered.get(key);
    if (accepted !== undefined && accepted.until > now)
      return { ok: true, until: Math.min(accepted.until, request.claimedExpiry ?? Infinity), user: accepted.user };
    const refused = this.refused.get(key);
    if (refused && refused.until > now) return refused.result;
    return undefined;
  }

  async check(request: TokenToCheck): Promise<TokenCheck> {
    const known = this.known(request);
    if (known) return known;
    const key = keyOf(request);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.ask(request).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const result = await pending;
    if (result.ok) {
      this.refused.delete(key);
      this.remember(key, result.until, result.user ?? null);
      return { ok: true, until: Math.min(result.until, request.claimedExpiry ?? Infinity), user: result.user ?? null };
    }
    this.remembered.delete(key);
    // The EHR said no: the same token is not sent again for a while. An EHR that did not answer is asked again.
    if (result.kind !== 'fhir-server-unavailable') this.rememberRefusal(key, result);
    return result;
  }

  private async ask({ base, patient, token }: TokenToCheck): Promise<TokenCheck> {
    const started = this.now();
    let expiresAt = Infinity;
    let user: string | null = null;
    const endpoint = await this.introspectionEndpoint(base);
    if (endpoint) {
      const answer = await this.introspect(endpoint, token);
      if (answer) {
        if (answer.active !== true)
          return { ok: false, kind: 'token-refused', reason: 'the authorization server says the access token is not active' };
        if (typeof answer.patient === 'string' && answer.patient !== patient)
          return { ok: false, kind: 'token-refused', reason: 'the access token is for another patient' };
        if (typeof answer.exp === 'number') expiresAt = answer.exp * 1000;
        user =
          [answer.fhirUser, answer.sub, answer.username].find((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256) ?? null;
        if (expiresAt <= this.now()) return { ok: false, kind: 'token-expired', reason: 'the access token has expired' };
      }
    }
    const client = new FhirClient({ baseUrl: base, accessToken: token, timeoutMs: this.settings.timeoutMs, maxBytes: SMALL_RESPONSE_BYTES });
    try {
      const read = (await client.get(`Patient/${encodeURIComponent(patient)}`)) as { resourceType?: unknown; id?: unknown } | null;
      if (read?.resourceType !== 'Patient' || read.id !== patient)
        return { ok: false, kind: 'token-refused', reason: 'the FHIR server did not return that patient for the access token' };
    } catch (error) {
      const reason = error instanceof FhirFetchError ? error.reason : 'unreachable';
      if (reason === 'http-401' || reason === 'http-403' || reason === 'http-404')
        return { ok: false, kind: 'token-refused', reason: `the FHIR server refused the access token for that patient (HTTP ${reason.slice(5)})` };
      return { ok: false, kind: 'fhir-server-unavailable', reason: 'the FHIR server did not answer the token check' };
    }
    return { ok: true, until: Math.min(started + RECHECK_MS, expiresAt), user };
  }

  /** The introspection endpoint the FHIR server advertises on its own origin, or null; remembered 10 minutes. */
  private async introspectionEndpoint(base: string): Promise<string | null> {
    const known = this.introspection.get(base);
    if (known && known.until > this.now()) return known.endpoint;
    let endpoint: string | null = null;
    let maxAge = DISCOVERY_MAX_AGE_MS;
    try {
      const configuration = (await new FhirClient({ baseUrl: base, timeoutMs: this.settings.timeoutMs, maxBytes: SMALL_RESPONSE_BYTES }).get(
        '.well-known/smart-configuration',
      )) as { introspection_endpoint?: unknown } | null;
      const advertised = configuration?.introspection_endpoint;
      if (typeof advertised === 'string' && URL.canParse(advertised) && new URL(advertised).origin === new URL(base).origin) endpoint = advertised;
    } catch (error) {
      // No SMART configuration (404) is an answer; an unreachable server is asked again sooner.
      if (!(error instanceof FhirFetchError && /^http-4/.test(error.reason))) maxAge = DISCOVERY_FAILURE_MAX_AGE_MS;
    }
    // Bases are allow-listed (a handful); with an empty allowlist (development) callers choose them: stay bounded.
    if (this.introspection.size >= MAX_REMEMBERED) this.introspection.clear();
    this.introspection.set(base, { endpoint, until: this.now() + maxAge });
    return endpoint;
  }

  /** RFC 7662 introspection; `null` when the endpoint gives no usable answer (then only the FHIR read decides). */
  private async introspect(
    endpoint: string,
    token: string,
  ): Promise<{ active?: unknown; exp?: unknown; patient?: unknown; fhirUser?: unknown; sub?: unknown; username?: unknown } | null> {
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token }).toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        return null;
      }
      const text = await response.text();
      if (text.length > SMALL_RESPONSE_BYTES) return null;
      const body = JSON.parse(text) as unknown;
      return body && typeof body === 'object' ? (body as { active?: unknown }) : null;
    } catch {
      return null;
    }
  }

  private rememberRefusal(key: string, result: TokenCheck & { ok: false }): void {
    this.refused.delete(key);
    if (this.refused.size >= (this.settings.maxRefused ?? MAX_REFUSED)) this.refused.delete(this.refused.keys().next().value!);
    this.refused.set(key, { until: this.now() + REFUSED_MS, result });
  }

  private remember(key: string, until: number, user: string | null): void {
    if (this.remembered.size >= MAX_REMEMBERED) {
      const now = this.now();
      for (const [k, u] of this.remembered) if (u.until <= now) this.remembered.delete(k);
      if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear();
    }
    this.remembered.set(key, { until, user });
  }
}

/** One cache key per server, patient and token; the token itself is not kept. */
const keyOf = ({ base, patient, token }: TokenToCheck): string => createHash('sha256').update(`${base}|${patient}|${token}`).digest('hex');
