import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SqliteFeedbackStore } from '../../src/cds/feedback-store.js';
import { testApp } from '../helpers/app.js';

const FEEDBACK = '/cds-services/rt-billing-encounter-discharge/feedback';
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
    const res = await request(first.app)
      .post(FEEDBACK)
      .send({ feedback: [accepted, overridden] });
    expect(res.status).toBe(200);
    await first.feedback.close(); // the "restart"

    const reopened = new SqliteFeedbackStore(path);
    const records = await reopened.list('rt-billing-encounter-discharge');
    expect(records).toMatchObject([
      { card: accepted.card, outcome: 'accepted', acceptedSuggestions: ['e56e1945-20b3-4393-8503-a1a20fd73152'], overrideReason: null },
      { card: overridden.card, outcome: 'overridden', overrideReason: 'documented-elsewhere', userComment: 'signed on paper' },
    ]);
    await reopened.close();
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
    expect(res.body.issue.flatMap((i: { expression: string[] }) => i.expression)).toContain(field);
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
