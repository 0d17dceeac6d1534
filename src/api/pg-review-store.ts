import pg from 'pg';
import type { Logger } from 'pino';
import { errorSummary, StoreUnavailableError } from '../errors.js';
import { fromRow, type ReviewState, type ReviewStore } from './review-store.js';

/** Replicas that start together take turns creating the table (another key than the feedback table's). */
const SCHEMA_LOCK = 0x72746273;

/**
 * Review states in PostgreSQL (DATABASE_URL), shared by replicas, as feedback is (src/cds/pg-feedback-store.ts): every
 * client has an 'error' listener from its first moment, each wait is bounded by DATABASE_TIMEOUT_MS, and any failure
 * is a StoreUnavailableError (503 with Retry-After). The table is made on first use, so the service starts while
 * PostgreSQL is down.
 */
export class PgReviewStore implements ReviewStore {
  private schema: Promise<void> | null = null;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {}

  static connect(url: string, settings: { readonly timeoutMs: number; readonly logger: Logger }): PgReviewStore {
    const pool = new pg.Pool({
      connectionString: url,
      max: 4,
      connectionTimeoutMillis: settings.timeoutMs,
      query_timeout: settings.timeoutMs,
      keepAlive: true,
    });
    pool.on('connect', (client) => {
      client.on('error', (error) => settings.logger.warn({ store: 'review store', err: errorSummary(error) }, 'PostgreSQL connection lost'));
    });
    pool.on('error', () => undefined);
    return new PgReviewStore(pool, settings.logger);
  }

  async list(server: string, patient: string): Promise<ReviewState[]> {
    await this.ensureSchema();
    const result = await this.query('SELECT * FROM rt_billing_review_state WHERE server = $1 AND patient = $2 ORDER BY session', [server, patient]);
    return result.rows.map(fromRow);
  }

  async put(state: ReviewState): Promise<void> {
    await this.ensureSchema();
    await this.query(
      `INSERT INTO rt_billing_review_state (server, patient, session, status, note, by_user, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (server, patient, session) DO UPDATE SET status = EXCLUDED.status, note = EXCLUDED.note, by_user = EXCLUDED.by_user, set_at = EXCLUDED.set_at`,
      [state.server, state.patient, state.session, state.status, state.note, state.by, state.at],
    );
  }

  async check(): Promise<boolean> {
    try {
      await this.ensureSchema();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async query(text: string, values: unknown[]): Promise<pg.QueryResult> {
    try {
      return await this.pool.query(text, values);
    } catch (error) {
      throw new StoreUnavailableError('review store', { cause: error });
    }
  }

  /** The table, made under an advisory lock (two replicas starting at once), once; again after a failure. */
  private ensureSchema(): Promise<void> {
    this.schema ??= (async () => {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
        await client.query(`CREATE TABLE IF NOT EXISTS rt_billing_review_state (
          server TEXT NOT NULL,
          patient TEXT NOT NULL,
          session TEXT NOT NULL,
          status TEXT NOT NULL,
          note TEXT,
          by_user TEXT,
          set_at TEXT NOT NULL,
          PRIMARY KEY (server, patient, session)
        )`);
        await client.query('COMMIT');
        client.release();
      } catch (error) {
        // A connection left inside a failed transaction is not given back to the pool.
        client.release(true);
        throw error;
      }
    })().catch((error: unknown) => {
      this.schema = null;
      this.logger.warn({ store: 'review store', err: errorSummary(error) }, 'review store table not ready');
      throw new StoreUnavailableError('review store', { cause: error });
    });
    return this.schema;
  }
}
