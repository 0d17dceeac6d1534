/**
 * The benchmark's CDS client (the "EHR"): an RS384 and an ES384 signing key published in one JWKS (different
 * `kid`s), and pools of client JWTs signed before a load run, one unique `jti` each, so the service's replay
 * protection stays on and the load generator spends no CPU on signatures while the server is measured.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export type Alg = 'RS384' | 'ES384';

export const ISSUER = 'https://ehr.bench.example';
/** PUBLIC_BASE_URL of the secured service: a token's `aud` is `${PUBLIC_BASE}/cds-services/{id}`. */
export const PUBLIC_BASE = 'https://rt-billing.bench.example';

interface SigningKey {
  readonly alg: Alg;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: Record<string, unknown>;
}

function signingKey(alg: Alg): SigningKey {
  // Epic's default is RS384 with a 2048-bit key; ES384 is P-384.
  const { privateKey, publicKey } =
    alg === 'RS384' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const kid = `bench-${alg.toLowerCase()}`;
  return { alg, kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

export class BenchClient {
  private readonly keys = new Map<Alg, SigningKey>((['RS384', 'ES384'] as const).map((alg) => [alg, signingKey(alg)]));

  get jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [...this.keys.values()].map((k) => k.jwk) };
  }

  /** One client JWT as a CDS client sends it (5 minutes, a fresh `jti`), for the service `serviceId`. */
  sign(alg: Alg, serviceId: string): string {
    const key = this.keys.get(alg)!;
    const now = Math.floor(Date.now() / 1000);
    return jwt.sign(
      { iss: ISSUER, sub: 'bench', aud: `${PUBLIC_BASE}/cds-services/${serviceId}`, iat: now, exp: now + 300, jti: randomUUID() },
      key.privateKey,
      { algorithm: alg, header: { alg, typ: 'JWT', kid: key.kid } },
    );
  }

  /**
   * What verifying one token costs in this process, median of `runs`: `jwt.verify` with the key as a PEM string
   * (as the service holds keys from jwks-rsa, parsed again on every call) and with a parsed KeyObject.
   */
  verifyCost(alg: Alg, runs = 400): { pemMs: number; keyObjectMs: number } {
    const key = this.keys.get(alg)!;
    const token = this.sign(alg, 'rt-billing-order-sign');
    const keyObject = createPublicKey({ key: key.jwk as never, format: 'jwk' });
    const pem = keyObject.export({ type: 'spki', format: 'pem' }) as string;
    const perCall = (publicKey: string | KeyObject) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        jwt.verify(token, publicKey, { algorithms: [alg], issuer: ISSUER });
        samples.push(performance.now() - started);
      }
      return samples.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
    };
    perCall(pem); // warm-up
    return { pemMs: perCall(pem), keyObjectMs: perCall(keyObject) };
  }

  /** Serves the JWKS on 127.0.0.1 (the secured service fetches it once, at its first call). */
  async serveJwks(): Promise<{ url: string; server: Server }> {
    const body = JSON.stringify(this.jwks);
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`, server };
  }
}

/**
 * Tokens signed ahead of a run, handed out once each. If the run needs more than were signed, the pool signs on
 * the spot (the token stays valid; the load generator just works harder) and counts it: `exhausted` > 0 means the
 * pool was too small and the run's figures include signing on the generator's core.
 */
export class TokenPool {
  private readonly tokens: string[];
  private next = 0;
  exhausted = 0;

  constructor(
    private readonly client: BenchClient,
    readonly alg: Alg,
    private readonly serviceId: string,
    readonly size: number,
  ) {
    this.tokens = Array.from({ length: size }, () => client.sign(alg, serviceId));
  }

  take(): string {
    if (this.next < this.tokens.length) return this.tokens[this.next++]!;
    this.exhausted += 1;
    return this.client.sign(this.alg, this.serviceId);
  }

  get used(): number {
    return this.next + this.exhausted;
  }
}
