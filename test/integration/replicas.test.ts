import { outcome } from '../../src/errors.js';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenario } from '../helpers/cases.js';
import { encounterDischargeRequest, orderSignRequest } from '../helpers/hook-requests.js';
import { servicesAvailable, servicesRequired, spawnService, startPostgres, startRedis, type Spawned } from '../helpers/processes.js';

if (!servicesAvailable && !servicesRequired) {
  console.warn('Replica tests SKIPPED: they need redis-server and PostgreSQL (apt-get install -y redis-server postgresql) and root to run them.');
}

/**
 * Two service replicas behind one PUBLIC_BASE_URL, sharing one Redis (replay cache) and one PostgreSQL
 * (feedback), as in production. Real servers from Debian's packages, started here on loopback.
 */
describe.skipIf(!servicesAvailable && !servicesRequired)('two replicas sharing Redis and PostgreSQL', () => {
  const BASE = 'https://rt-billing.example.org';
  const ISS = 'https://ehr.example.org';
  const ADMIN_TOKEN = 'operator-token-0123456789';
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let postgres: Awaited<ReturnType<typeof startPostgres>>;
  let jwks: Server;
  let a: Spawned;
  let b: Spawned;

  const env = () => ({
    DEMO: 'off',
    PUBLIC_BASE_URL: BASE,
    REDIS_URL: redis.url,
    DATABASE_URL: postgres.url,
    ADMIN_TOKEN,
    CDS_TRUSTED_ISSUERS: JSON.stringify({ [ISS]: `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks.json` }),
  });
  const token = (aud: string) => {
    const now = Math.floor(Date.now() / 1000);
    return jwt.sign({ iss: ISS, sub: 'ehr', aud, iat: now, exp: now + 300, jti: randomUUID() }, privateKey, {
      algorithm: 'ES384',
      header: { alg: 'ES384', typ: 'JWT', kid: 'k1' },
    });
  };
  const post = (replica: Spawned, path: string, bearer: string, body: unknown) =>
    fetch(`${replica.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    if (!servicesAvailable)
      throw new Error('redis-server, PostgreSQL and root are required (RT_BILLING_REQUIRE_SERVICES=1): apt-get install -y redis-server postgresql');
    [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES384', use: 'sig' }] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    [a, b] = await Promise.all([spawnService(env()), spawnService(env())]);
  }, 60_000);

  afterAll(async () => {
    for (const replica of [a, b]) replica?.process.kill('SIGKILL');
    await new Promise<void>((resolve) => (jwks ? jwks.close(() => resolve()) : resolve()));
    redis?.stop();
    postgres?.stop();
  });

  it('both are ready, with Redis and PostgreSQL reachable', async () => {
    for (const replica of [a, b]) {
      const ready = await fetch(`${replica.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: unknown }).checks).toEqual({ feedbackStore: 'ok', replayCache: 'ok' });
    }
  });

  it('a token used on one replica is refused as a replay on the other', async () => {
    const service = '/cds-services/rt-billing-order-sign';
    const bearer = token(`${BASE}${service}`);
    const body = orderSignRequest(scenario('au'), { prefetch: true });
    expect((await post(a, service, bearer, body)).status).toBe(200);
    const replay = await post(b, service, bearer, body);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual(outcome('login', 'token replayed'));
  });

  it('a card issued by one replica takes feedback through the other; the feedback is read through either, and survives kill -9 of the writer', async () => {
    const service = '/cds-services/rt-billing-encounter-discharge';
    const hook = await post(b, service, token(`${BASE}${service}`), encounterDischargeRequest(scenario('ig'), 'ig-enc-2', { prefetch: true }));
    expect(hook.status).toBe(200);
    const card = ((await hook.json()) as { cards: { uuid: string }[] }).cards[0]!.uuid;
    const res = await post(a, `${service}/feedback`, token(`${BASE}${service}/feedback`), {
      feedback: [{ card, outcome: 'accepted', outcomeTimestamp: new Date().toISOString() }],
    });
    expect(res.status).toBe(200);
    const madeUp = randomUUID();
    const unknown = await post(a, `${service}/feedback`, token(`${BASE}${service}/feedback`), {
      feedback: [{ card: madeUp, outcome: 'accepted', outcomeTimestamp: new Date().toISOString() }],
    });
    expect(unknown.status).toBe(200); // issued by neither replica: kept, marked unknown
    a.process.kill('SIGKILL');
    expect(await a.exit).toBeNull(); // killed, not exited
    const read = await fetch(`${b.url}/api/v1/feedback?service=rt-billing-encounter-discharge&limit=1`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(read.status).toBe(200);
    const { feedback, next } = (await read.json()) as { feedback: { card: string; outcome: string }[]; next: string | null };
    expect(feedback).toEqual([expect.objectContaining({ card, cardStatus: 'issued', outcome: 'accepted' })]);
    expect(next).toMatch(/after=\d+/); // PostgreSQL pages too
    const after = (await (await fetch(`${b.url}${next}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { feedback: unknown[] };
    expect(after.feedback).toEqual([expect.objectContaining({ card: madeUp, cardStatus: 'unknown' })]);
    expect((await fetch(`${b.url}/api/v1/feedback`)).status).toBe(401); // operators only
  });
});
