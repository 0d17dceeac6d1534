import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import nock from 'nock';

export const ISSUER = 'https://ehr.example.org';
export const JWKS_URL = 'https://ehr.example.org/.well-known/jwks.json';

export interface TestKey {
  readonly kid: string;
  readonly alg: 'ES384' | 'RS384';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function makeKey(alg: 'ES384' | 'RS384', kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`): TestKey {
  const pair = alg === 'ES384' ? generateKeyPairSync('ec', { namedCurve: 'P-384' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, alg, ...pair };
}

/** Serves the keys' public JWKS at JWKS_URL through nock. */
export function serveJwks(keys: readonly TestKey[]) {
  return nock(ISSUER)
    .persist()
    .get('/.well-known/jwks.json')
    .reply(200, { keys: keys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: k.alg, use: 'sig' })) });
}

/** A CDS client JWT as the spec describes (iss, sub, aud, exp, iat, jti), signed with the key. */
export function clientToken(key: TestKey, aud: string, overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: ISSUER, sub: 'ehr-client', aud, iat: now, exp: now + 300, jti: randomUUID(), tenant: 'hospital-a', ...overrides };
  return jwt.sign(payload, key.privateKey, { algorithm: key.alg, header: { alg: key.alg, typ: 'JWT', kid: key.kid, ...header } });
}
