import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../../src/errors.js';
import { bearerToken } from '../../../src/security/bearer.js';
import { CdsJwtVerifier } from '../../../src/security/jwt.js';
import { MemoryReplayCache } from '../../../src/security/replay-cache.js';
import { clientToken, ISSUER, JWKS_URL, makeKey } from '../../helpers/jwt.js';

const AUD = 'https://rt-billing.example.org/cds-services/rt-billing-order-sign';
const key = makeKey('ES384');
const rotated = makeKey('ES384');
const publish = (...keys: (typeof key)[]) => ({
  keys: keys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: k.alg, use: 'sig' })),
});

/** A verifier on a clock the test moves; 10 JWKS refetches a minute = one every 6 s. */
function verifier() {
  const clock = { now: Date.now() };
  const v = new CdsJwtVerifier(
    { trustedIssuers: { [ISSUER]: JWKS_URL }, algorithms: ['ES384'], maxLifetimeSeconds: 300, clockSkewSeconds: 60, jwksRequestsPerMinute: 10 },
    new MemoryReplayCache(() => clock.now),
    () => clock.now,
  );
  return { v, clock };
}

const reason = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return error instanceof AuthError ? error.reason : String(error);
  }
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('bearer scheme', () => {
  it.each(['Bearer abc', 'bearer abc', 'BEARER abc', 'BeArEr  abc'])('%s is a bearer token (RFC 6750: the scheme is case-insensitive)', (header) => {
    expect(bearerToken(header)).toBe('abc');
  });
  it.each(['Basic abc', 'Bearerabc', 'Bearer a b', ''])('%s is not', (header) => {
    expect(bearerToken(header)).toBeNull();
  });
});

describe('CDS client JWT: claims before keys', () => {
  it('a token issued in the future (beyond the clock skew) is refused, so its replay entry cannot outlive the lifetime limit', async () => {
    nock(ISSUER).get('/.well-known/jwks.json').reply(200, publish(key)).persist();
    const { v } = verifier();
    const now = Math.floor(Date.now() / 1000);
    expect(await reason(v.verify(clientToken(key, AUD, { iat: now + 3600, exp: now + 3700 }), [AUD]))).toBe('token issued in the future');
    expect(await reason(v.verify(clientToken(key, AUD, { iat: now + 30, exp: now + 300 }), [AUD]))).toBe('accepted'); // within skew
  });

  it('40 tokens with random kids and a wrong audience never reach the JWKS', async () => {
    const jwks = nock(ISSUER).get('/.well-known/jwks.json').reply(200, publish(key)).persist();
    const { v } = verifier();
    for (let i = 0; i < 40; i++) {
      expect(await reason(v.verify(clientToken({ ...key, kid: `random-${i}` }, 'https://elsewhere.example.org/'), [AUD]))).toBe('wrong audience');
    }
    expect(v.jwksFetches(ISSUER)).toBe(0);
    expect(jwks.isDone()).toBe(false);
  });

  it('40 random kids with valid claims cost one refetch; a real rotation is picked up one interval later', async () => {
    let published = publish(key);
    nock(ISSUER)
      .get('/.well-known/jwks.json')
      .reply(200, () => published)
      .persist();
    const { v, clock } = verifier();
    expect(await reason(v.verify(clientToken(key, AUD), [AUD]))).toBe('accepted');
    expect(v.jwksFetches(ISSUER)).toBe(1);

    clock.now += 6_000;
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => reason(v.verify(clientToken({ ...key, kid: `random-${i}` }, AUD), [AUD]))));
    expect(new Set(burst)).toEqual(new Set(['unknown signing key']));
    expect(v.jwksFetches(ISSUER)).toBe(2); // one refetch for the whole burst, not the minute's budget

    published = publish(key, rotated); // the EHR rotates its key during the attack
    expect(await reason(v.verify(clientToken(rotated, AUD), [AUD]))).toBe('unknown signing key'); // inside the interval
    clock.now += 6_000;
    expect(await reason(v.verify(clientToken(rotated, AUD), [AUD]))).toBe('accepted');
    expect(await reason(v.verify(clientToken(key, AUD), [AUD]))).toBe('accepted'); // known keys never wait
    expect(v.jwksFetches(ISSUER)).toBe(3);
  });

  it('an unreachable JWKS keeps the keys already known', async () => {
    nock(ISSUER).get('/.well-known/jwks.json').once().reply(200, publish(key));
    const { v, clock } = verifier();
    expect(await reason(v.verify(clientToken(key, AUD), [AUD]))).toBe('accepted');
    nock(ISSUER).get('/.well-known/jwks.json').reply(503).persist();
    clock.now += 11 * 60_000; // keys are stale: refetched, which fails
    expect(await reason(v.verify(clientToken(key, AUD, { iat: Math.floor(clock.now / 1000), exp: Math.floor(clock.now / 1000) + 60 }), [AUD]))).toBe(
      'accepted',
    );
  });
});

describe('CDS client JWT: a replay cache that restarted', () => {
  it('a token without iat is refused (CDS Hooks 2.0 requires it; whether it was issued before the cache started depends on it)', async () => {
    nock(ISSUER).get('/.well-known/jwks.json').reply(200, publish(key)).persist();
    const { v } = verifier();
    const now = Math.floor(Date.now() / 1000);
    const withoutIat = jwt.sign({ iss: ISSUER, sub: 'ehr-client', aud: AUD, exp: now + 300, jti: randomUUID() }, key.privateKey, {
      algorithm: key.alg,
      header: { alg: key.alg, typ: 'JWT', kid: key.kid },
      noTimestamp: true,
    });
    expect(await reason(v.verify(withoutIat, [AUD]))).toBe('iat missing');
  });

  it('a token issued before the cache started is refused, beyond the clock skew; one issued within the skew is not', async () => {
    nock(ISSUER).get('/.well-known/jwks.json').reply(200, publish(key)).persist();
    const { v } = verifier(); // the cache starts now; the clock skew is 60 s
    const now = Math.floor(Date.now() / 1000);
    expect(await reason(v.verify(clientToken(key, AUD, { iat: now - 61, exp: now + 200 }), [AUD]))).toBe(
      'token issued before the replay cache started',
    );
    expect(await reason(v.verify(clientToken(key, AUD, { iat: now - 59, exp: now + 200 }), [AUD]))).toBe('accepted');
    expect(await reason(v.verify(clientToken(key, AUD), [AUD]))).toBe('accepted');
  });
});
