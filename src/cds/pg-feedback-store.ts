import pg from 'pg';
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
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Feedback in PostgreSQL, shared by every replica; a 200 is sent after the transaction commits. */
export class PgFeedbackStore implements FeedbackStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async connect(url: string): Promise<PgFeedbackStore> {
    const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
    pool.on('error', () => {
      // Idle-client errors are reported through check() and /readyz.
    });
    await migrate(pool);
    return new PgFeedbackStore(pool);
  }

  async save(serviceId: string, feedback: FeedbackRequest['feedback'], receivedAt: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      for (const item of feedback) {
        await client.query(
          'INSERT INTO rt_billing_feedback (service_id, card, outcome, accepted_suggestions, override_reason, user_comment, outcome_timestamp, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [
            serviceId,
            item.card,
            item.outcome,
            JSON.stringify((item.acceptedSuggestions ?? []).map((s) => s.id)),
            item.overrideReason?.reason?.code ?? null,
            item.overrideReason?.userComment ?? null,
            item.outcomeTimestamp,
            receivedAt,
          ],
        );
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async list(serviceId?: string, page: FeedbackPage = {}): Promise<FeedbackRecord[]> {
    const after = page.after ?? 0;
    const limit = pageSize(page);
    const result = serviceId
      ? await this.pool.query('SELECT * FROM rt_billing_feedback WHERE service_id = $1 AND id > $2 ORDER BY id LIMIT $3', [serviceId, after, limit])
      : await this.pool.query('SELECT * FROM rt_billing_feedback WHERE id > $1 ORDER BY id LIMIT $2', [after, limit]);
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
      const result = await this.pool.query('SELECT pg_is_in_recovery() AS standby');
      return result.rows[0]?.standby === false;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
