import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../errors.js';
import type { FeedbackRequest } from './schemas.js';

/**
 * Whether the service knew the card when the feedback came: `issued` (it issued it, per service, in the last day),
 * or `unknown` (not among the cards it remembers: issued before a restart or a Redis flush, more than a day ago,
 * while the store of issued ids was unreachable, or never).
 */
export type CardStatus = 'issued' | 'unknown';

/** One piece of feedback as a client sent it, with what the service knew of its card. */
export type FeedbackItem = FeedbackRequest['feedback'][number] & { readonly cardStatus: CardStatus };

export interface FeedbackRecord {
  /** Increasing; the cursor of paginated reads. */
  readonly id: number;
  readonly serviceId: string;
  readonly card: string;
  readonly cardStatus: CardStatus;
  readonly outcome: 'accepted' | 'overridden';
  readonly acceptedSuggestions: readonly string[];
  readonly overrideReason: string | null;
  readonly userComment: string | null;
  readonly outcomeTimestamp: string;
  readonly receivedAt: string;
}

/** One page of a feedback read: records with an id above `after`, oldest first, at most `limit`. */
export interface FeedbackPage {
  readonly after?: number;
  readonly limit?: number;
}

export const FEEDBACK_PAGE_DEFAULT = 100;
export const FEEDBACK_PAGE_MAX = 1000;

/** The page size a store uses: the given limit within 1..FEEDBACK_PAGE_MAX. */
export const pageSize = (page: FeedbackPage): number => Math.min(Math.max(page.limit ?? FEEDBACK_PAGE_DEFAULT, 1), FEEDBACK_PAGE_MAX);

/** Where CDS Hooks feedback is kept. SQLite by default; other stores (PostgreSQL) implement the same. */
export interface FeedbackStore {
  save(serviceId: string, feedback: readonly FeedbackItem[], receivedAt: string): Promise<void>;
  /** A page of records (never all of them at once), optionally for one service. */
  list(serviceId?: string, page?: FeedbackPage): Promise<FeedbackRecord[]>;
  /** Readiness: the store can be written. */
  check(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * How long a write waits for another process's lock on the file (a backup, an operator's open transaction).
 * better-sqlite3 waits synchronously, stalling every request meanwhile (hooks too): its 5 s default was a 5 s
 * stall of the service; past this the feedback call answers 503 instead.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 250;

/**
 * Feedback in a SQLite file, written synchronously with WAL and synchronous=FULL: once the service has
 * answered 200, the record survives a crash or a restart. A failed read or write (the file locked by another
 * process, disk full, I/O error, the database closed) is a StoreUnavailableError: 503 with Retry-After, never a 500.
 */
export class SqliteFeedbackStore implements FeedbackStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
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
      received_at TEXT NOT NULL,
      card_status TEXT NOT NULL DEFAULT 'issued'
    )`);
    this.db
      .transaction(() => {
        // A file from before cards were marked: all its feedback was for cards the service had issued.
        const columns = this.db.prepare("SELECT name FROM pragma_table_info('feedback')").all() as { name: string }[];
        if (!columns.some((column) => column.name === 'card_status'))
          this.db.exec("ALTER TABLE feedback ADD COLUMN card_status TEXT NOT NULL DEFAULT 'issued'");
        if (this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'feedback_once'").get()) return;
        // A file from before feedback was idempotent: its repeats are retries of one piece of feedback; the first stays.
        this.db.exec('DELETE FROM feedback WHERE id NOT IN (SELECT MIN(id) FROM feedback GROUP BY service_id, card, outcome_timestamp)');
        this.db.exec('CREATE UNIQUE INDEX feedback_once ON feedback (service_id, card, outcome_timestamp)');
      })
      .immediate();
    // Written once per service, card and outcomeTimestamp: a client that retries (after a timeout, a 503) adds nothing.
    this.insert = this.db.prepare(
      `INSERT INTO feedback (service_id, card, card_status, outcome, accepted_suggestions, override_reason, user_comment, outcome_timestamp, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (service_id, card, outcome_timestamp) DO NOTHING`,
    );
  }

  async save(serviceId: string, feedback: readonly FeedbackItem[], receivedAt: string): Promise<void> {
    unavailableOnError(() => this.write(serviceId, feedback, receivedAt));
  }

  private write(serviceId: string, feedback: readonly FeedbackItem[], receivedAt: string): void {
    const write = this.db.transaction(() => {
      for (const item of feedback) {
        this.insert.run(
          serviceId,
          item.card,
          item.cardStatus,
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

  async list(serviceId?: string, page: FeedbackPage = {}): Promise<FeedbackRecord[]> {
    const after = page.after ?? 0;
    const limit = pageSize(page);
    const rows = unavailableOnError(() =>
      serviceId
        ? this.db.prepare('SELECT * FROM feedback WHERE service_id = ? AND id > ? ORDER BY id LIMIT ?').all(serviceId, after, limit)
        : this.db.prepare('SELECT * FROM feedback WHERE id > ? ORDER BY id LIMIT ?').all(after, limit),
    ) as Record<string, string | number | null>[];
    return rows.map((row) => ({
      id: Number(row.id),
      serviceId: row.service_id as string,
      card: row.card as string,
      cardStatus: row.card_status as CardStatus,
      outcome: row.outcome as 'accepted' | 'overridden',
      acceptedSuggestions: JSON.parse(row.accepted_suggestions as string) as string[],
      overrideReason: (row.override_reason as string | null) ?? null,
      userComment: (row.user_comment as string | null) ?? null,
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

/** Runs a SQLite call; its failure is the store's (503), not the request's. */
function unavailableOnError<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new StoreUnavailableError('feedback store', { cause: error });
  }
}
