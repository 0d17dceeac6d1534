import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcome } from '../../src/errors.js';
import { scenario } from '../helpers/cases.js';
import { encounterDischargeRequest, orderSignRequest } from '../helpers/hook-requests.js';
import { servicesAvailable, servicesRequired, spawnService, startPostgres, startRedis, type Spawned } from '../helpers/processes.js';

if (!servicesAvailable && !servicesRequired) {
  console.warn('Store fault tests SKIPPED: they need redis-server and PostgreSQL (apt-get install -y redis-server postgresql) and root to run them.');
}

/**
 * Issue 23, "Survive the hospital network": the service spawned as `npm start` runs it, against real Redis and
 * PostgreSQL servers that the tests kill (SIGKILL), hang (SIGSTOP), flush and restart under it.
 */
const BASE = 'https://rt-billing.example.org';
const ISS = 'https://ehr.example.org';
const ADMIN_TOKEN = 'operator-token-0123456789';
const ORDER = '/cds-services/rt-billing-order-sign';
const DISCHARGE = '/cds-services/rt-billing-encounter-discharge';
const FEEDBACK = `${DISCHARGE}/feedback`;
/** The bounded waits the services run with (REDIS_TIMEOUT_MS, DATABASE_TIMEOUT_MS). */
const TIMEOUT_MS = 1000;
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
let jwks: Server;

/** A client JWT for an endpoint, issued now, valid 5 minutes. */
const token = (path: string) => {
  const iat = Math.floor(Date.now() / 1000);
  return jwt.sign({ iss: ISS, sub: 'ehr', aud: `${BASE}${path}`, iat, exp: iat + 300, jti: randomUUID() }, privateKey, {
    algorithm: 'ES384',
    header: { alg: 'ES384', typ: 'JWT', kid: 'k1' },
  });
};
const post = (service: Spawned, path: string, body: unknown, bearer = token(path)) =>
  fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify(body),
  });
const orderSign = (service: Spawned, bearer = token(ORDER)) => post(service, ORDER, orderSignRequest(scenario('au'), { prefetch: true }), bearer);
const issueCards = async (service: Spawned): Promise<string[]> => {
  const res = await post(service, DISCHARGE, encounterDischargeRequest(scenario('ig'), 'ig-enc-2', { prefetch: true }));
  expect(res.status).toBe(200);
  return ((await res.json()) as { cards: { uuid: string }[] }).cards.map((card) => card.uuid);
};
const feedbackOn = (card: string, outcomeTimestamp = new Date().toISOString()) => ({ feedback: [{ card, outcome: 'accepted', outcomeTimestamp }] });
interface StoredFeedback {
  card: string;
  outcomeTimestamp: string;
  cardStatus: 'issued' | 'unknown';
}
const storedFeedback = async (service: Spawned): Promise<StoredFeedback[]> => {
  const res = await fetch(`${service.url}/api/v1/feedback?service=rt-billing-encounter-discharge&limit=1000`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { feedback: StoredFeedback[] }).feedback;
};
const readyz = async (service: Spawned) => {
  const res = await fetch(`${service.url}/readyz`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
};
/** The process has neither exited nor been killed, and answers /healthz. */
const expectAlive = async (service: Spawned) => {
  await new Promise((resolve) => setTimeout(resolve, 200)); // an 'error' nobody handles takes the process down on the next tick
  expect(service.process.exitCode).toBeNull();
  expect(service.process.signalCode).toBeNull();
  expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
};
/** A 503 that says when to come back. */
const expectUnavailable = async (res: Response, what: string) => {
  expect(res.status).toBe(503);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(JSON.stringify(await res.json())).toContain(what);
};
const timed = async <T>(call: () => Promise<T>): Promise<{ result: T; ms: number }> => {
  const started = performance.now();
  const result = await call();
  return { result, ms: performance.now() - started };
};
/**
 * Tokens issued within the clock skew before the replay cache (re)started are given the benefit of the doubt: these
 * services run with CDS_JWT_CLOCK_SKEW_S=1, and the token used before the reset was issued longer ago than that.
 */
const beyondClockSkew = () => new Promise((resolve) => setTimeout(resolve, 2100));

async function eventually(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const serviceEnv = (stores: Record<string, string>) => ({
  DEMO: 'off',
  PUBLIC_BASE_URL: BASE,
  ADMIN_TOKEN,
  CDS_TRUSTED_ISSUERS: JSON.stringify({ [ISS]: `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks.json` }),
  REDIS_TIMEOUT_MS: String(TIMEOUT_MS),
  DATABASE_TIMEOUT_MS: String(TIMEOUT_MS),
  CDS_INFO_CARDS: 'on', // two cards per discharge (the codes and the signature to give): feedback on two cards
  ...stores,
});

beforeAll(async () => {
  jwks = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES384', use: 'sig' }] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => jwks.close(() => resolve()));
});

const run = describe.skipIf(!servicesAvailable && !servicesRequired);
const requireServers = () => {
  if (!servicesAvailable)
    throw new Error('redis-server, PostgreSQL and root are required (RT_BILLING_REQUIRE_SERVICES=1): apt-get install -y redis-server postgresql');
};

run('PostgreSQL down: feedback answers 503, everything else keeps going, and it recovers on its own', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let postgres: Awaited<ReturnType<typeof startPostgres>>;
  let service: Spawned;
  const spawned: Spawned[] = [];
  const spawn = async () => {
    const one = await spawnService(serviceEnv({ REDIS_URL: redis.url, DATABASE_URL: postgres.url }));
    spawned.push(one);
    return one;
  };

  beforeAll(async () => {
    requireServers();
    [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
    // Feedback a client sent twice, written by a version before feedback was idempotent.
    const earlier = new pg.Client({ connectionString: postgres.url });
    await earlier.connect();
    await earlier.query(`CREATE TABLE rt_billing_feedback (id BIGSERIAL PRIMARY KEY, service_id TEXT NOT NULL, card TEXT NOT NULL,
      outcome TEXT NOT NULL, accepted_suggestions JSONB NOT NULL, override_reason TEXT, user_comment TEXT, outcome_timestamp TEXT NOT NULL,
      received_at TEXT NOT NULL)`);
    for (const [outcomeTimestamp, outcome] of [
      ['2026-05-01T08:00:00Z', 'accepted'],
      ['2026-05-01T08:00:00Z', 'overridden'],
      ['2026-05-01T09:00:00Z', 'accepted'],
    ])
      await earlier.query(
        `INSERT INTO rt_billing_feedback (service_id, card, outcome, accepted_suggestions, outcome_timestamp, received_at)
         VALUES ('rt-billing-encounter-discharge', 'card-from-before', $1, '[]', $2, $2)`,
        [outcome, outcomeTimestamp],
      );
    await earlier.end();
    service = await spawn();
  }, 60_000);
  afterAll(() => {
    for (const one of spawned) one.process.kill('SIGKILL');
    redis?.stop();
    postgres?.stop();
  });

  it('a table from before feedback was idempotent keeps the first of each repeat, and the service starts on it', async () => {
    expect((await storedFeedback(service)).filter((f) => f.card === 'card-from-before')).toEqual([
      expect.objectContaining({ outcomeTimestamp: '2026-05-01T08:00:00Z', outcome: 'accepted', cardStatus: 'issued' }),
      expect.objectContaining({ outcomeTimestamp: '2026-05-01T09:00:00Z', outcome: 'accepted', cardStatus: 'issued' }),
    ]);
  });

  it('killed while feedback is being written: the process stays up, feedback 503 + Retry-After, hooks 200, /readyz 503; restarted: all recover without a restart', async () => {
    const [card] = await issueCards(service);
    // Hold the table so the service's INSERT is in flight on a checked-out connection, then kill PostgreSQL under it.
    const locker = new pg.Client({ connectionString: postgres.url });
    locker.on('error', () => undefined);
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE rt_billing_feedback IN ACCESS EXCLUSIVE MODE');
    const writing = post(service, FEEDBACK, feedbackOn(card!, '2026-06-01T10:00:00Z'));
    await eventually(async () => {
      await locker.query('SELECT pg_stat_clear_snapshot()'); // statistics are read once per transaction otherwise
      const waiting = await locker.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO rt_billing_feedback%'",
      );
      return (waiting.rows[0] as { n: number }).n > 0;
    }, 'the INSERT waiting on the lock');
    postgres.stop();

    await expectUnavailable(await writing, 'feedback store');
    await expectAlive(service);
    expect((await orderSign(service)).status).toBe(200);
    expect(await issueCards(service)).not.toEqual([]);
    const ready = await readyz(service);
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toEqual({ feedbackStore: 'failing', replayCache: 'ok' });
    const again = await timed(() => post(service, FEEDBACK, feedbackOn(card!, '2026-06-01T10:00:00Z')));
    await expectUnavailable(again.result, 'feedback store');
    expect(again.ms).toBeLessThan(TIMEOUT_MS + 1000);
    expect((await fetch(`${service.url}/api/v1/feedback`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(503);

    await postgres.restart();
    await eventually(async () => (await readyz(service)).status === 200, '/readyz after PostgreSQL came back');
    // The client retries the feedback that got a 503: it is written, once.
    expect((await post(service, FEEDBACK, feedbackOn(card!, '2026-06-01T10:00:00Z'))).status).toBe(200);
    expect((await post(service, FEEDBACK, feedbackOn(card!, '2026-06-01T10:00:00Z'))).status).toBe(200);
    expect((await storedFeedback(service)).filter((f) => f.card === card)).toEqual([expect.objectContaining({ card, cardStatus: 'issued' })]);
    expect(service.output()).not.toMatch(/Unhandled|uncaught/i);
  }, 60_000);

  it('hung (SIGSTOP): feedback answers 503 within DATABASE_TIMEOUT_MS while hooks keep answering; resumed: it recovers', async () => {
    const [card] = await issueCards(service);
    postgres.pause();
    try {
      const hung = await timed(() => post(service, FEEDBACK, feedbackOn(card!)));
      await expectUnavailable(hung.result, 'feedback store');
      expect(hung.ms).toBeLessThan(TIMEOUT_MS + 1500);
      const hook = await timed(() => orderSign(service));
      expect(hook.result.status).toBe(200);
      expect(hook.ms).toBeLessThan(1000);
      expect((await readyz(service)).status).toBe(503);
      await expectAlive(service);
    } finally {
      postgres.resume();
    }
    await eventually(async () => (await readyz(service)).status === 200, '/readyz after PostgreSQL resumed');
    expect((await post(service, FEEDBACK, feedbackOn(card!))).status).toBe(200);
  }, 60_000);

  it('down when the service starts: it starts, hooks answer, feedback 503; PostgreSQL started: feedback is written', async () => {
    postgres.stop();
    const late = await spawn();
    try {
      expect((await orderSign(late)).status).toBe(200);
      const [card] = await issueCards(late);
      await expectUnavailable(await post(late, FEEDBACK, feedbackOn(card!)), 'feedback store');
      expect((await readyz(late)).status).toBe(503);
      await expectAlive(late);
    } finally {
      await postgres.restart();
    }
    await eventually(async () => (await readyz(late)).status === 200, '/readyz once PostgreSQL started');
    const [card] = await issueCards(late);
    expect((await post(late, FEEDBACK, feedbackOn(card!))).status).toBe(200);
  }, 60_000);

  it('feedback is written once when the client retries, sequentially or at the same time (PostgreSQL)', async () => {
    const [card, other] = await issueCards(service);
    const body = feedbackOn(card!, '2026-06-02T09:30:00-05:00');
    const twice = { feedback: [...body.feedback, ...body.feedback] }; // the same item twice in one call, too
    const responses = await Promise.all([body, twice, body].map((sent) => post(service, FEEDBACK, sent)));
    expect(responses.map((res) => res.status)).toEqual([200, 200, 200]);
    expect((await post(service, FEEDBACK, body)).status).toBe(200);
    // Another outcome time for the same card is another piece of feedback; the same card and time for another service is too.
    expect((await post(service, FEEDBACK, feedbackOn(card!, '2026-06-02T09:45:00-05:00'))).status).toBe(200);
    expect((await post(service, FEEDBACK, feedbackOn(other!, '2026-06-02T09:30:00-05:00'))).status).toBe(200);
    const stored = (await storedFeedback(service)).filter((f) => f.card === card);
    expect(stored.map((f) => f.outcomeTimestamp)).toEqual(['2026-06-02T09:30:00-05:00', '2026-06-02T09:45:00-05:00']);
  }, 30_000);
});

run('Redis down or hung: authenticated calls answer 503 at once, the process stays up, and it recovers on its own', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let service: Spawned;

  beforeAll(async () => {
    requireServers();
    redis = await startRedis();
    service = await spawnService(serviceEnv({ REDIS_URL: redis.url, FEEDBACK_DB_PATH: join(mkdtempSync(join(tmpdir(), 'rt-faults-')), 'f.sqlite') }));
  }, 60_000);
  afterAll(() => {
    service?.process.kill('SIGKILL');
    redis?.stop();
  });

  it('killed: a hook answers 503 with Retry-After within REDIS_TIMEOUT_MS (never a token unchecked), /readyz 503; restarted: hooks answer again', async () => {
    expect((await orderSign(service)).status).toBe(200);
    redis.stop();
    for (let i = 0; i < 3; i++) {
      const refused = await timed(() => orderSign(service));
      await expectUnavailable(refused.result, 'replay cache');
      expect(refused.ms).toBeLessThan(TIMEOUT_MS + 1000);
    }
    await expectUnavailable(await post(service, FEEDBACK, feedbackOn(randomUUID())), 'replay cache');
    const ready = await readyz(service);
    expect(ready.status).toBe(503);
    expect(ready.body.checks.replayCache).toBe('failing');
    await expectAlive(service);

    await redis.restart();
    await eventually(async () => (await orderSign(service)).status === 200, 'a hook once Redis is back');
    expect((await readyz(service)).status).toBe(200);
  }, 60_000);

  it('hung (SIGSTOP): every hook answers 503 within REDIS_TIMEOUT_MS instead of stalling; resumed: hooks answer again', async () => {
    expect((await orderSign(service)).status).toBe(200);
    redis.pause();
    try {
      const calls = await Promise.all([1, 2, 3, 4, 5].map(() => timed(() => orderSign(service))));
      for (const call of calls) {
        await expectUnavailable(call.result, 'replay cache');
        expect(call.ms).toBeLessThan(TIMEOUT_MS + 1000);
      }
      const later = await timed(() => orderSign(service));
      await expectUnavailable(later.result, 'replay cache');
      expect(later.ms).toBeLessThan(TIMEOUT_MS + 1000);
      expect((await readyz(service)).status).toBe(503);
      await expectAlive(service);
    } finally {
      redis.resume();
    }
    await eventually(async () => (await orderSign(service)).status === 200, 'a hook once Redis resumed');
  }, 60_000);
});

run('Redis down without client authentication', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let open: Spawned;

  beforeAll(async () => {
    requireServers();
    redis = await startRedis();
    const { CDS_TRUSTED_ISSUERS: _noAuthentication, ...env } = serviceEnv({
      REDIS_URL: redis.url,
      FEEDBACK_DB_PATH: join(mkdtempSync(join(tmpdir(), 'rt-faults-')), 'f.sqlite'),
    });
    open = await spawnService(env);
  }, 30_000);
  afterAll(() => {
    open?.process.kill('SIGKILL');
    redis?.stop();
  });

  it('hooks answer; feedback is stored with its cards unknown (the issued ids cannot be read); Redis back: issued again', async () => {
    redis.stop();
    const hook = await timed(() => issueCards(open));
    expect(hook.ms).toBeLessThan(TIMEOUT_MS + 1000);
    const [card] = hook.result;
    expect((await post(open, FEEDBACK, feedbackOn(card!))).status).toBe(200);
    expect((await storedFeedback(open)).find((f) => f.card === card)).toMatchObject({ cardStatus: 'unknown' });
    expect((await readyz(open)).status).toBe(503);
    await expectAlive(open);

    await redis.restart();
    await eventually(async () => (await readyz(open)).status === 200, '/readyz once Redis is back');
    const [again] = await issueCards(open);
    expect((await post(open, FEEDBACK, feedbackOn(again!))).status).toBe(200);
    expect((await storedFeedback(open)).find((f) => f.card === again)).toMatchObject({ cardStatus: 'issued' });
  }, 30_000);
});

run('replay state that cannot silently reset', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let a: Spawned;
  let b: Spawned;

  beforeAll(async () => {
    requireServers();
    redis = await startRedis();
    const env = () =>
      serviceEnv({ REDIS_URL: redis.url, FEEDBACK_DB_PATH: join(mkdtempSync(join(tmpdir(), 'rt-faults-')), 'f.sqlite'), CDS_JWT_CLOCK_SKEW_S: '1' });
    [a, b] = await Promise.all([spawnService(env()), spawnService(env())]);
  }, 60_000);
  afterAll(() => {
    for (const one of [a, b]) one?.process.kill('SIGKILL');
    redis?.stop();
  });

  it('Redis FLUSHALL: a token used before is refused by every replica (401 naming why); fresh tokens are accepted; feedback on an earlier card is kept, marked unknown', async () => {
    const used = token(ORDER);
    const [card] = await issueCards(a);
    expect((await orderSign(a, used)).status).toBe(200);
    await beyondClockSkew();
    expect(redis.cli('FLUSHALL')).toBe('OK');

    expect((await orderSign(a)).status).toBe(200); // a fresh token: the cache starts again
    for (const replica of [b, a]) {
      const replay = await orderSign(replica, used);
      expect(replay.status).toBe(401);
      expect(await replay.json()).toEqual(outcome('login', 'token issued before the replay cache started'));
    }
    expect((await post(b, FEEDBACK, feedbackOn(card!))).status).toBe(200);
    expect((await storedFeedback(b)).filter((f) => f.card === card)).toEqual([expect.objectContaining({ cardStatus: 'unknown' })]);
  }, 30_000);

  it('Redis restarted without persistence: a token used before the restart is refused; fresh tokens are accepted', async () => {
    const used = token(ORDER);
    expect((await orderSign(b, used)).status).toBe(200);
    await beyondClockSkew();
    redis.stop();
    await redis.restart();
    await eventually(async () => (await readyz(a)).status === 200 && (await readyz(b)).status === 200, 'both replicas reconnected');
    const replay = await orderSign(a, used);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual(outcome('login', 'token issued before the replay cache started'));
    expect((await orderSign(b)).status).toBe(200);
  }, 30_000);

  it('Redis restarted from a snapshot older than its last writes: a token used after the snapshot is refused', async () => {
    expect((await orderSign(a)).status).toBe(200);
    expect(redis.cli('SAVE')).toBe('OK'); // the snapshot holds the cache's start, and no trace of the next token
    const used = token(ORDER);
    expect((await orderSign(a, used)).status).toBe(200);
    await beyondClockSkew();
    redis.stop();
    await redis.restart();
    await eventually(async () => (await readyz(a)).status === 200 && (await readyz(b)).status === 200, 'both replicas reconnected');
    const replay = await orderSign(b, used);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual(outcome('login', 'token issued before the replay cache started'));
    expect((await orderSign(a)).status).toBe(200);
  }, 30_000);
});

describe('SQLite feedback and the in-memory stores', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'rt-faults-')), 'feedback.sqlite');
  const env = () => serviceEnv({ FEEDBACK_DB_PATH: file, CDS_JWT_CLOCK_SKEW_S: '1' });
  let service: Spawned;

  beforeAll(async () => {
    service = await spawnService(env());
  }, 30_000);
  afterAll(() => service?.process.kill('SIGKILL'));

  it('restarted: a token used on the previous process is refused (401 naming why); feedback on a card issued before is stored, marked unknown', async () => {
    const used = token(ORDER);
    const [earlier] = await issueCards(service);
    expect((await orderSign(service, used)).status).toBe(200);
    await beyondClockSkew();
    service.process.kill('SIGKILL');
    await service.exit;
    service = await spawnService(env());

    const replay = await orderSign(service, used);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual(outcome('login', 'token issued before the replay cache started'));
    expect((await orderSign(service)).status).toBe(200);

    expect((await post(service, FEEDBACK, feedbackOn(earlier!, '2026-06-03T08:00:00Z'))).status).toBe(200);
    const [later] = await issueCards(service);
    expect((await post(service, FEEDBACK, feedbackOn(later!, '2026-06-03T08:00:00Z'))).status).toBe(200);
    const stored = await storedFeedback(service);
    expect(stored.find((f) => f.card === earlier)).toMatchObject({ cardStatus: 'unknown' });
    expect(stored.find((f) => f.card === later)).toMatchObject({ cardStatus: 'issued' });
  }, 30_000);

  it('the file locked by another process: feedback 503 with Retry-After after a short wait, hooks not stalled; unlocked: written', async () => {
    const [card] = await issueCards(service);
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    try {
      const [locked, hook] = await Promise.all([timed(() => post(service, FEEDBACK, feedbackOn(card!))), timed(() => orderSign(service))]);
      await expectUnavailable(locked.result, 'feedback store');
      expect(locked.ms).toBeLessThan(1000);
      expect(hook.result.status).toBe(200);
      expect(hook.ms).toBeLessThan(1000);
      await expectAlive(service);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await post(service, FEEDBACK, feedbackOn(card!))).status).toBe(200);
  });

  it('feedback is written once when the client retries, sequentially or at the same time (SQLite)', async () => {
    const [card, other] = await issueCards(service);
    const body = feedbackOn(card!, '2026-06-02T09:30:00-05:00');
    const twice = { feedback: [...body.feedback, ...body.feedback] }; // the same item twice in one call, too
    const responses = await Promise.all([body, twice, body].map((sent) => post(service, FEEDBACK, sent)));
    expect(responses.map((res) => res.status)).toEqual([200, 200, 200]);
    expect((await post(service, FEEDBACK, body)).status).toBe(200);
    expect((await post(service, FEEDBACK, feedbackOn(card!, '2026-06-02T09:45:00-05:00'))).status).toBe(200);
    expect((await post(service, FEEDBACK, feedbackOn(other!, '2026-06-02T09:30:00-05:00'))).status).toBe(200);
    const stored = (await storedFeedback(service)).filter((f) => f.card === card);
    expect(stored.map((f) => f.outcomeTimestamp)).toEqual(['2026-06-02T09:30:00-05:00', '2026-06-02T09:45:00-05:00']);
  }, 30_000);
});
