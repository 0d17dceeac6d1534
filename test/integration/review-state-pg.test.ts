import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgReviewStore } from '../../src/api/pg-review-store.js';
import type { ReviewState } from '../../src/api/review-store.js';
import { StoreUnavailableError } from '../../src/errors.js';
import { servicesAvailable, servicesRequired, startPostgres } from '../helpers/processes.js';

/** Review states in PostgreSQL (DATABASE_URL): kept, replaced by the latest, per server and patient; a hung server is a 503, then it recovers. */
describe.skipIf(!servicesAvailable && !servicesRequired)('PgReviewStore against a real PostgreSQL', () => {
  let postgres: Awaited<ReturnType<typeof startPostgres>>;
  let store: PgReviewStore;
  const state = (overrides: Partial<ReviewState> = {}): ReviewState => ({
    server: 'https://ehr.example.org/fhir',
    patient: 'A',
    session: 'Encounter/enc-1',
    status: 'on-hold',
    note: 'waiting for the plan',
    by: 'Practitioner/reviewer-1',
    at: '2026-06-02T15:04:05.000Z',
    ...overrides,
  });

  beforeAll(async () => {
    if (!servicesAvailable) throw new Error('PostgreSQL and root are required (RT_BILLING_REQUIRE_SERVICES=1)');
    postgres = await startPostgres();
    store = PgReviewStore.connect(postgres.url, { timeoutMs: 1000, logger: pino({ level: 'silent' }) });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    postgres?.stop();
  });

  it('keeps the latest state per session, apart per server and patient', async () => {
    await store.put(state());
    await store.put(state({ status: 'reviewed', note: null, at: '2026-06-02T16:00:00.000Z' }));
    await store.put(state({ session: 'Encounter/enc-2', status: 'sent-to-physician' }));
    await store.put(state({ patient: 'B' }));
    await store.put(state({ server: 'https://other.example.org/fhir' }));
    expect(await store.list('https://ehr.example.org/fhir', 'A')).toEqual([
      state({ status: 'reviewed', note: null, at: '2026-06-02T16:00:00.000Z' }),
      state({ session: 'Encounter/enc-2', status: 'sent-to-physician' }),
    ]);
    expect(await store.check()).toBe(true);
  });

  it('PostgreSQL hung: StoreUnavailableError (503) within the timeout; answering again: it works again', async () => {
    postgres.pause();
    const started = Date.now();
    await expect(store.put(state())).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.list('https://ehr.example.org/fhir', 'A')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(5000);
    postgres.resume();
    await expect
      .poll(
        () =>
          store.list('https://ehr.example.org/fhir', 'A').then(
            (s) => s.length,
            () => -1,
          ),
        { timeout: 30_000 },
      )
      .toBe(2);
  }, 90_000);
});
