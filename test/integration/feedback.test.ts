import { issueLocations } from '../helpers/errors.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Express } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SqliteFeedbackStore } from '../../src/cds/feedback-store.js';
import { testApp } from '../helpers/app.js';
import { scenario } from '../helpers/cases.js';
import { encounterDischargeRequest } from '../helpers/hook-requests.js';

const SERVICE = '/cds-services/rt-billing-encounter-discharge';
const FEEDBACK = `${SERVICE}/feedback`;

/** Calls the hook so the service issues cards; feedback is accepted for issued cards only. */
async function issueCards(app: Express): Promise<string[]> {
  const res = await request(app)
    .post(SERVICE)
    .send(encounterDischargeRequest(scenario('ig'), 'ig-enc-2', { prefetch: true }));
  expect(res.status).toBe(200);
  return (res.body.cards as { uuid: string }[]).map((card) => card.uuid);
}

const accepted = {
  card: '77f6ee60-2410-4e2a-9636-fc2ab67f07da',
  outcome: 'accepted',
  acceptedSuggestions: [{ id: 'e56e1945-20b3-4393-8503-a1a20fd73152' }],
  outcomeTimestamp: '2026-04-13T12:00:00Z',
};
const overridden = {
  card: '1c0ad078-17df-4da9-aecc-65239e5c62be',
  outcome: 'overridden',
  overrideReason: {
    reason: { code: 'documented-elsewhere', system: 'https://rt-billing-cds.example/fhir/CodeSystem/override-reason' },
    userComment: 'signed on paper',
  },
  outcomeTimestamp: '2026-04-13T12:05:00-04:00',
};

describe('POST /cds-services/{id}/feedback', () => {
  it("stores the spec's feedback body and answers 200; it survives a restart", async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rt-feedback-')), 'feedback.sqlite');
    const first = testApp({ FEEDBACK_DB_PATH: path });
    const [one, two] = await issueCards(first.app);
    const res = await request(first.app)
      .post(FEEDBACK)
      .send({
        feedback: [
          { ...accepted, card: one },
          { ...overridden, card: two },
        ],
      });
    expect(res.status).toBe(200);
    await first.feedback.close(); // the "restart"

    const reopened = new SqliteFeedbackStore(path);
    const records = await reopened.list('rt-billing-encounter-discharge');
    expect(records).toMatchObject([
      { card: one, outcome: 'accepted', acceptedSuggestions: ['e56e1945-20b3-4393-8503-a1a20fd73152'], overrideReason: null },
      { card: two, outcome: 'overridden', overrideReason: 'documented-elsewhere', userComment: 'signed on paper' },
    ]);
    await reopened.close();
  });

  it('a file from before feedback was idempotent keeps the first of each repeat; the same feedback again adds nothing', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rt-feedback-')), 'feedback.sqlite');
    const earlier = new Database(path);
    earlier.exec(`CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, service_id TEXT NOT NULL, card TEXT NOT NULL,
      outcome TEXT NOT NULL, accepted_suggestions TEXT NOT NULL, override_reason TEXT, user_comment TEXT, outcome_timestamp TEXT NOT NULL,
      received_at TEXT NOT NULL)`);
    const insert = earlier.prepare(
      "INSERT INTO feedback (service_id, card, outcome, accepted_suggestions, outcome_timestamp, received_at) VALUES ('svc', 'c1', ?, '[]', ?, ?)",
    );
    insert.run('accepted', '2026-05-01T08:00:00Z', '2026-05-01T08:00:01Z');
    insert.run('overridden', '2026-05-01T08:00:00Z', '2026-05-01T08:00:02Z'); // a retry (of sorts) of the first
    insert.run('accepted', '2026-05-01T09:00:00Z', '2026-05-01T09:00:01Z');
    earlier.close();

    const store = new SqliteFeedbackStore(path);
    const kept = await store.list('svc');
    expect(kept.map((f) => [f.outcomeTimestamp, f.outcome])).toEqual([
      ['2026-05-01T08:00:00Z', 'accepted'],
      ['2026-05-01T09:00:00Z', 'accepted'],
    ]);
    expect(kept.map((f) => f.cardStatus)).toEqual(['issued', 'issued']); // what the service accepted then, it had issued
    await store.save(
      'svc',
      [{ card: 'c1', cardStatus: 'issued', outcome: 'accepted', outcomeTimestamp: '2026-05-01T09:00:00Z' }],
      '2026-05-02T00:00:00Z',
    );
    expect(await store.list('svc')).toEqual(kept);
    await store.close();
  });

  it.each([
    ['no feedback array', {}, 'feedback'],
    ['an empty feedback array', { feedback: [] }, 'feedback'],
    ['a bad outcome', { feedback: [{ ...accepted, outcome: 'ignored' }] }, 'feedback[0].outcome'],
    ['a bad timestamp', { feedback: [{ ...accepted, outcomeTimestamp: 'yesterday' }] }, 'feedback[0].outcomeTimestamp'],
  ])('%s → 400 naming %s', async (_label, body, field) => {
    const { app } = testApp();
    const res = await request(app).post(FEEDBACK).send(body);
    expect(res.status).toBe(400);
    expect(issueLocations(res.body).some((where) => where === field || where.startsWith(`${field}: `))).toBe(true);
  });

  it('feedback for an unknown service → 404', async () => {
    const { app } = testApp();
    expect(
      (
        await request(app)
          .post('/cds-services/nope/feedback')
          .send({ feedback: [accepted] })
      ).status,
    ).toBe(404);
  });
});

describe('feedback is bounded and about real cards', () => {
  it('feedback on a card the service does not know is stored, marked unknown; on an issued card, marked issued', async () => {
    const { app, feedback } = testApp();
    const [issued] = await issueCards(app);
    const res = await request(app)
      .post(FEEDBACK)
      .send({ feedback: [{ ...accepted, card: issued }, accepted] });
    expect(res.status).toBe(200);
    expect((await feedback.list()).map((f) => [f.card, f.cardStatus])).toEqual([
      [issued, 'issued'],
      [accepted.card, 'unknown'],
    ]);
  });

  it("a card issued by another service is not this service's card: unknown", async () => {
    const { app, feedback } = testApp();
    const [issued] = await issueCards(app);
    const res = await request(app)
      .post('/cds-services/rt-billing-order-sign/feedback')
      .send({ feedback: [{ ...accepted, card: issued }] });
    expect(res.status).toBe(200);
    expect(await feedback.list('rt-billing-order-sign')).toEqual([expect.objectContaining({ card: issued, cardStatus: 'unknown' })]);
  });

  it.each([
    ['a 4.9 MB card id', () => ({ feedback: [{ ...accepted, card: 'x'.repeat(4_900_000) }] }), 413, 'body'],
    ['a 129-character card id', () => ({ feedback: [{ ...accepted, card: 'x'.repeat(129) }] }), 400, 'feedback[0].card'],
    ['101 items', () => ({ feedback: Array(101).fill(accepted) }), 400, 'feedback'],
    [
      'a 2001-character comment',
      () => ({ feedback: [{ ...overridden, overrideReason: { userComment: 'x'.repeat(2001) } }] }),
      400,
      'feedback[0].overrideReason.userComment',
    ],
  ])('%s → %i naming %s', async (_label, body, status, field) => {
    const { app } = testApp();
    const res = await request(app).post(FEEDBACK).send(body());
    expect(res.status).toBe(status);
    expect(issueLocations(res.body).some((where) => where === field || where.startsWith(`${field}: `))).toBe(true);
  });

  it('GET /api/v1/feedback is paginated: a page at a time, with the link to the next', async () => {
    const { app } = testApp();
    const cards = await issueCards(app);
    for (const card of cards) {
      await request(app)
        .post(FEEDBACK)
        .send({ feedback: [{ ...accepted, card }] })
        .expect(200);
    }
    expect(cards.length).toBeGreaterThanOrEqual(2);
    const first = await request(app).get('/api/v1/feedback').query({ limit: 1 });
    expect(first.body.feedback).toHaveLength(1);
    expect(first.body.next).toMatch(/^\/api\/v1\/feedback\?after=\d+&limit=1$/);
    const seen = [first.body.feedback[0].card];
    let next: string | null = first.body.next;
    while (next) {
      const page = await request(app).get(next);
      seen.push(...page.body.feedback.map((f: { card: string }) => f.card));
      next = page.body.next;
    }
    expect(seen).toEqual(cards);
    expect((await request(app).get('/api/v1/feedback')).body.feedback).toHaveLength(cards.length); // default page: 100
    expect((await request(app).get('/api/v1/feedback').query({ limit: 100_000 })).status).toBe(400);
    expect(issueLocations((await request(app).get('/api/v1/feedback').query({ after: '-1' })).body)[0]).toMatch(/^after \(query parameter\): /);
  });
});
