import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_BUSY_TIMEOUT_MS } from '../cds/feedback-store.js';
import { StoreUnavailableError } from '../errors.js';

/** Where a reviewer left a session: reviewed, on hold, or sent to the physician. */
export const REVIEW_STATUSES = ['reviewed', 'on-hold', 'sent-to-physician'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** A session's review state: the latest a reviewer set, with who and when. */
export interface ReviewState {
  /** The FHIR server the patient's record is on (an allow-listed base URL; the demo's own in the open demo). */
  readonly server: string;
  /** The patient's FHIR id. */
  readonly patient: string;
  /** The session: its Encounter (`Encounter/…`), else its first fraction (`Procedure/…`). */
  readonly session: string;
  readonly status: ReviewStatus;
  readonly note: string | null;
  /** The SMART user who set it, as the EHR's authorization server named them; `null` when it did not (or the open demo). */
  readonly by: string | null;
  /** When the service stored it (ISO 8601, UTC). */
  readonly at: string;
}

/** Where review states are kept: SQLite by default (the feedback file), PostgreSQL with DATABASE_URL. */
export interface ReviewStore {
  /** The patient's review states, one per session, by session. */
  list(server: string, patient: string): Promise<ReviewState[]>;
  /** Sets a session's state (the latest replaces the one before). */
  put(state: ReviewState): Promise<void>;
  check(): Promise<boolean>;
  close(): Promise<void>;
}

/** Rows as both stores keep them. */
export const fromRow = (row: Record<string, unknown>): ReviewState => ({
  server: row.server as string,
  patient: row.patient as string,
  session: row.session as string,
  status: row.status as ReviewStatus,
  note: (row.note as string | null) ?? null,
  by: (row.by_user as string | null) ?? null,
  at: row.set_at as string,
});

/**
 * Review states in SQLite (WAL, synchronous=FULL: a state the service answered 200 for survives a crash), in the
 * feedback file by default. A failed read or write is a StoreUnavailableError: 503 with Retry-After, never a 500.
 */
export class SqliteReviewStore implements ReviewStore {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly select: Database.Statement;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS review_state (
      server TEXT NOT NULL,
      patient TEXT NOT NULL,
      session TEXT NOT NULL,
      status TEXT NOT NULL,
      note TEXT,
      by_user TEXT,
      set_at TEXT NOT NULL,
      PRIMARY KEY (server, patient, session)
    )`);
    this.upsert = this.db.prepare(`INSERT INTO review_state (server, patient, session, status, note, by_user, set_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (server, patient, session) DO UPDATE SET status = excluded.status, note = excluded.note, by_user = excluded.by_user, set_at = excluded.set_at`);
    this.select = this.db.prepare('SELECT * FROM review_state WHERE server = ? AND patient = ? ORDER BY session');
  }

  async list(server: string, patient: string): Promise<ReviewState[]> {
    return unavailableOnError(() => this.select.all(server, patient) as Record<string, unknown>[]).map(fromRow);
  }

  async put(state: ReviewState): Promise<void> {
    unavailableOnError(() => this.upsert.run(state.server, state.patient, state.session, state.status, state.note, state.by, state.at));
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

function unavailableOnError<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new StoreUnavailableError('review store', { cause: error });
  }
}
