import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { FeedbackRequest } from './schemas.js';

export interface FeedbackRecord {
  readonly serviceId: string;
  readonly card: string;
  readonly outcome: 'accepted' | 'overridden';
  readonly acceptedSuggestions: readonly string[];
  readonly overrideReason: string | null;
  readonly userComment: string | null;
  readonly outcomeTimestamp: string;
  readonly receivedAt: string;
}

/** Where CDS Hooks feedback is kept. SQLite by default; other stores (PostgreSQL) implement the same. */
export interface FeedbackStore {
  save(serviceId: string, feedback: FeedbackRequest['feedback'], receivedAt: string): Promise<void>;
  list(serviceId?: string): Promise<FeedbackRecord[]>;
  /** Readiness: the store can be written. */
  check(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Feedback in a SQLite file, written synchronously with WAL and synchronous=FULL: once the service has
 * answered 200, the record survives a crash or a restart.
 */
export class SqliteFeedbackStore implements FeedbackStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS feedback (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      service_id TEXT NOT NULL,
      card TEXT NOT NULL,
      outcome TEXT NOT NULL,
      accepted_suggestions TEXT NOT NULL,
      override_reason TEXT,
      user_comment TEXT,
      outcome_timestamp TEXT NOT NULL,
      received_at TEXT NOT NULL
    )`);
    this.insert = this.db.prepare(
      'INSERT INTO feedback (service_id, card, outcome, accepted_suggestions, override_reason, user_comment, outcome_timestamp, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  async save(serviceId: string, feedback: FeedbackRequest['feedback'], receivedAt: string): Promise<void> {
    const write = this.db.transaction(() => {
      for (const item of feedback) {
        this.insert.run(
          serviceId,
          item.card,
          item.outcome,
          JSON.stringify((item.acceptedSuggestions ?? []).map((s) => s.id)),
          item.overrideReason?.reason?.code ?? null,
          item.overrideReason?.userComment ?? null,
          item.outcomeTimestamp,
          receivedAt,
        );
      }
    });
    write();
  }

  async list(serviceId?: string): Promise<FeedbackRecord[]> {
    const rows = (
      serviceId
        ? this.db.prepare('SELECT * FROM feedback WHERE service_id = ? ORDER BY id').all(serviceId)
        : this.db.prepare('SELECT * FROM feedback ORDER BY id').all()
    ) as Record<string, string | null>[];
    return rows.map((row) => ({
      serviceId: row.service_id as string,
      card: row.card as string,
      outcome: row.outcome as 'accepted' | 'overridden',
      acceptedSuggestions: JSON.parse(row.accepted_suggestions as string) as string[],
      overrideReason: row.override_reason ?? null,
      userComment: row.user_comment ?? null,
      outcomeTimestamp: row.outcome_timestamp as string,
      receivedAt: row.received_at as string,
    }));
  }

  async check(): Promise<boolean> {
    try {
      this.db.prepare('SELECT 1').get();
      return !this.db.readonly;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
