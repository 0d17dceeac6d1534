import pg from 'pg';
import type { Logger } from 'pino';
import { errorSummary, StoreUnavailableError } from '../errors.js';
import { pageSize, type FeedbackPage, type FeedbackRecord, type FeedbackStore } from './feedback-store.js';
import type { FeedbackRequest } from './schemas.js';

/** Any fixed key: replicas that start together take turns creating the schema. */
const SCHEMA_LOCK = 0x72746263;

/**
 * Creates the table once. `CREATE TABLE IF NOT EXISTS` is not safe against itself: two replicas starting at the same
 * moment can both pass the check and one fails on the catalog's unique index. A transaction-scoped advisory lock
 * serializes them; the second sees the table and does nothing.
 */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS rt_billing_feedback (
      id BIGSERIAL PRIMARY KEY,
      service_id TEXT NOT NULL,
      card TEXT NOT NULL,
      outcome TEXT NOT NULL,
      accepted_suggestions JSONB NOT NULL,
      override_reason TEXT,
      user_comment TEXT,
      outcome_timestamp TEXT NOT NULL,
      received_at TEXT NOT NULL
    )`);
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(error as Error);
    throw error;
  }
}

export interface PgSettings {
  /** Longest wait for a connection and for each query (DATABASE_TIMEOUT_MS). */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/**
 * Feedback in PostgreSQL, shared by every replica; a 200 is sent after the row is committed.
 *
 * PostgreSQL going away never takes the process with it: every client the pool opens has an 'error' listener
 * from its first moment (a connection that dies while checked out emits 'error' on the client, and an
 * EventEmitter 'error' without a listener ends the process), each wait is bounded, and a failure is a
 * StoreUnavailableError (503 with Retry-After). The pool opens new connections when the server is back.
 */
export class PgFeedbackStore implements FeedbackStore {
  /** The table, created on first use and again after a failure: the service starts even while PostgreSQL is down. */
  private schema: Promise<void> | null = null;

  private constructor(private readonly pool: pg.Pool) {}

  static async connect(url: string, settings: PgSettings): Promise<PgFeedbackStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      connectionTimeoutMillis: settings.timeoutMs,
      query_timeout: settings.timeoutMs,
      keepAlive: true,
    });
    let reported = false;
    pool.on('connect', (client) => {
      if (reported) settings.logger.info('PostgreSQL reachable again');
      reported = false;
      client.on('error', (error) => {
        // The query in flight, if any, fails with this error too (and the pool drops the client); report an outage once.
        if (!reported) settings.logger.warn({ store: 'feedback store', err: errorSummary(error) }, 'PostgreSQL connection lost');
        reported = true;
      });
    });
    // Idle clients' errors: the client's own listener above reports them; the pool removes the client.
    pool.on('error', () => undefined);
    const store = new PgFeedbackStore(pool);
    await store.ensureSchema().catch((error: unknown) => {
      settings.logger.warn(
        { store: 'feedback store', err: errorSummary(error) },
        'PostgreSQL unreachable at start: feedback answers 503 until it is reachable',
      );
    });
    return store;
  }

  async save(serviceId: string, feedback: FeedbackRequest['feedback'], receivedAt: string): Promise<void> {
    await this.ensureSchema();
    await this.query(
      `INSERT INTO rt_billing_feedback (service_id, card, outcome, accepted_suggestions, override_reason, user_comment, outcome_timestamp, received_at)
       SELECT $1, f.card, f.outcome, f.accepted::jsonb, f.reason, f.comment, f.at, $2
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS f(card, outcome, accepted, reason, comment, at, n)
       ORDER BY f.n`,
      [
        serviceId,
        receivedAt,
        feedback.map((item) => item.card),
        feedback.map((item) => item.outcome),
        feedback.map((item) => JSON.stringify((item.acceptedSuggestions ?? []).map((s) => s.id))),
        feedback.map((item) => item.overrideReason?.reason?.code ?? null),
        feedback.map((item) => item.overrideReason?.userComment ?? null),
        feedback.map((item) => item.outcomeTimestamp),
      ],
    );
  }

  async list(serviceId?: string, page: FeedbackPage = {}): Promise<FeedbackRecord[]> {
    await this.ensureSchema();
    const after = page.after ?? 0;
    const limit = pageSize(page);
    const result = serviceId
      ? await this.query('SELECT * FROM rt_billing_feedback WHERE service_id = $1 AND id > $2 ORDER BY id LIMIT $3', [serviceId, after, limit])
      : await this.query('SELECT * FROM rt_billing_feedback WHERE id > $1 ORDER BY id LIMIT $2', [after, limit]);
    return result.rows.map((row: Record<string, unknown>) => ({
      id: Number(row.id),
      serviceId: row.service_id as string,
      card: row.card as string,
      outcome: row.outcome as 'accepted' | 'overridden',
      acceptedSuggestions: row.accepted_suggestions as string[],
      overrideReason: (row.override_reason as string | null) ?? null,
      userComment: (row.user_comment as string | null) ?? null,
      outcomeTimestamp: row.outcome_timestamp as string,
      receivedAt: row.received_at as string,
    }));
  }

  async check(): Promise<boolean> {
    try {
      await this.ensureSchema();
      const result = await this.pool.query('SELECT pg_is_in_recovery() AS standby');
      return result.rows[0]?.standby === false;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** One statement through the pool (which releases a failed client for good); any failure is the store's. */
  private async query(text: string, values: unknown[]): Promise<pg.QueryResult> {
    try {
      return await this.pool.query(text, values);
    } catch (error) {
      throw new StoreUnavailableError('feedback store', { cause: error });
    }
  }

  private ensureSchema(): Promise<void> {
    this.schema ??= migrate(this.pool).catch((error: unknown) => {
      this.schema = null;
      throw new StoreUnavailableError('feedback store', { cause: error });
    });
    return this.schema;
  }
}
