import pg from 'pg';
import type { Logger } from 'pino';
import { errorSummary, StoreUnavailableError } from '../errors.js';
import { pageSize, type CardStatus, type FeedbackItem, type FeedbackPage, type FeedbackRecord, type FeedbackStore } from './feedback-store.js';

/** Any fixed key: replicas that start together take turns creating the schema. */
const SCHEMA_LOCK = 0x72746263;

/** The first index build on a table from an earlier version (repeats removed) may take longer than a query. */
const MIGRATION_TIMEOUT_MS = 120_000;

/**
 * Creates the table and its unique index (feedback is written once per service, card and outcomeTimestamp), on a
 * connection of its own whose statements may run longer than the pool's. `CREATE TABLE IF NOT EXISTS` is not safe
 * against itself: two replicas starting at the same moment can both pass the check and one fails on the catalog's
 * unique index. A transaction-scoped advisory lock serializes them; the second sees the table and does nothing.
 */
async function migrate(url: string, connectTimeoutMs: number, onError: (error: Error) => void): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs, query_timeout: MIGRATION_TIMEOUT_MS });
  client.on('error', onError);
  try {
    await client.connect();
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
      received_at TEXT NOT NULL,
      card_status TEXT NOT NULL DEFAULT 'issued'
    )`);
    // A table from before cards were marked: all its feedback was for cards the service had issued.
    await client.query("ALTER TABLE rt_billing_feedback ADD COLUMN IF NOT EXISTS card_status TEXT NOT NULL DEFAULT 'issued'");
    const { rows } = await client.query("SELECT to_regclass('rt_billing_feedback_once') IS NOT NULL AS indexed");
    if (!(rows[0] as { indexed: boolean }).indexed) {
      // A table from before feedback was idempotent: its repeats are retries of one piece of feedback; the first stays.
      await client.query(`DELETE FROM rt_billing_feedback a USING rt_billing_feedback b
        WHERE a.service_id = b.service_id AND a.card = b.card AND a.outcome_timestamp = b.outcome_timestamp AND a.id > b.id`);
      await client.query('CREATE UNIQUE INDEX rt_billing_feedback_once ON rt_billing_feedback (service_id, card, outcome_timestamp)');
    }
    await client.query('COMMIT');
  } finally {
    // Ending the connection rolls back whatever did not commit.
    await client.end().catch(() => undefined);
  }
}

export interface PgSettings {
  /** Longest wait for a connection and for each query (DATABASE_TIMEOUT_MS). */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/**
 * Feedback in PostgreSQL, shared by every replica; a 200 is sent after the row is committed. A client's retry of
 * the same feedback (service, card, outcomeTimestamp) adds nothing, on whichever replica it lands.
 *
 * PostgreSQL going away never takes the process with it: every client the pool opens has an 'error' listener
 * from its first moment (a connection that dies while checked out emits 'error' on the client, and an
 * EventEmitter 'error' without a listener ends the process), each wait is bounded, and a failure is a
 * StoreUnavailableError (503 with Retry-After). The pool opens new connections when the server is back.
 */
export class PgFeedbackStore implements FeedbackStore {
  /** The table, created on first use and again after a failure: the service starts even while PostgreSQL is down. */
  private schema: Promise<void> | null = null;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    private readonly settings: PgSettings,
  ) {}

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
    const store = new PgFeedbackStore(pool, url, settings);
    await store.schemaReady().catch((error: unknown) => {
      settings.logger.warn(
        { store: 'feedback store', err: errorSummary(error) },
        'PostgreSQL unreachable at start: feedback answers 503 until it is reachable',
      );
    });
    return store;
  }

  async save(serviceId: string, feedback: readonly FeedbackItem[], receivedAt: string): Promise<void> {
    await this.ensureSchema();
    await this.query(
      `INSERT INTO rt_billing_feedback (service_id, card, card_status, outcome, accepted_suggestions, override_reason, user_comment, outcome_timestamp, received_at)
       SELECT $1, f.card, f.status, f.outcome, f.accepted::jsonb, f.reason, f.comment, f.at, $2
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
         WITH ORDINALITY AS f(card, status, outcome, accepted, reason, comment, at, n)
       ORDER BY f.n
       ON CONFLICT (service_id, card, outcome_timestamp) DO NOTHING`,
      [
        serviceId,
        receivedAt,
        feedback.map((item) => item.card),
        feedback.map((item) => item.cardStatus),
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
      cardStatus: row.card_status as CardStatus,
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

  /** The table, made now if need be (at start, or at the first use after PostgreSQL came back). */
  private schemaReady(): Promise<void> {
    const lost = (error: Error) => this.settings.logger.warn({ store: 'feedback store', err: errorSummary(error) }, 'PostgreSQL connection lost');
    this.schema ??= migrate(this.url, this.settings.timeoutMs, lost).catch((error: unknown) => {
      this.schema = null;
      throw new StoreUnavailableError('feedback store', { cause: error });
    });
    return this.schema;
  }

  /** A request waits for the table no longer than for a query: a first index build on a big table goes on meanwhile. */
  private async ensureSchema(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new StoreUnavailableError('feedback store', { cause: new Error('schema not ready') })),
        this.settings.timeoutMs,
      );
    });
    try {
      await Promise.race([this.schemaReady(), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
