import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalContent, compartmentOf, typeAndId, type RawResource } from '../fhir/compartment.js';

/** Where a resource came from: a file, and its line (NDJSON) or entry (Bundle). */
export interface Origin {
  readonly file: string;
  readonly line?: number;
  readonly entry?: number;
}

export interface StoredResource {
  readonly json: string;
  readonly fullUrl: string | null;
  readonly origin: Origin;
}

interface PendingRow {
  rowid: number;
  links: string;
  ref: string | null;
  json: string;
  full_url: string | null;
  file: number;
  line: number | null;
  entry: number | null;
}

/** Shared resources (locations, organizations, practitioners) kept in memory: they do not grow with patients. */
const MAX_SHARED = 50_000;

/**
 * A department's resources, grouped by patient on disk so that each patient can be read back whole while memory
 * holds one patient at a time (Bulk Data exports are split by resource type, not by patient). A temporary SQLite
 * file (better-sqlite3, already the feedback store) does the grouping: rows go in as they are read; resources
 * with no patient of their own (Provenance, DocumentReference without subject) are joined to the patient of what
 * they point at once everything is in; then rows come out ordered by patient.
 */
/** Two texts of one resource say the same: key order, spacing and `meta` aside. */
function sameContent(a: string, b: string): boolean {
  try {
    return canonicalContent(JSON.parse(a) as RawResource) === canonicalContent(JSON.parse(b) as RawResource);
  } catch {
    return false;
  }
}

export class PatientStore {
  private readonly dir: string;
  private readonly db: Database.Database;
  private readonly files: string[] = [];
  private readonly fileIndex = new Map<string, number>();
  private readonly shared = new Map<string, StoredResource>();
  /** Shared resources met again with different content: the earlier copy and the one kept (read last). */
  private readonly sharedConflicts = new Map<string, { readonly dropped: Origin; readonly kept: Origin }>();
  private readonly insertResource: Database.Statement;
  private readonly insertLink: Database.Statement;
  private readonly insertPending: Database.Statement;
  private pendingWrites = 0;
  private unassigned = 0;

  constructor(parent = tmpdir()) {
    this.dir = mkdtempSync(join(parent, 'rt-billing-'));
    this.db = new Database(join(this.dir, 'patients.sqlite'));
    // A scratch file: no journal, no fsync; a bounded page cache.
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -32768');
    this.db.pragma('temp_store = FILE');
    this.db.exec(`
      CREATE TABLE res (patient TEXT NOT NULL, json TEXT NOT NULL, full_url TEXT, file INTEGER NOT NULL, line INTEGER, entry INTEGER);
      CREATE TABLE link (ref TEXT NOT NULL, patient TEXT NOT NULL);
      CREATE TABLE pending (links TEXT NOT NULL, ref TEXT, json TEXT NOT NULL, full_url TEXT, file INTEGER NOT NULL, line INTEGER, entry INTEGER);
    `);
    this.insertResource = this.db.prepare('INSERT INTO res VALUES (?, ?, ?, ?, ?, ?)');
    this.insertLink = this.db.prepare('INSERT INTO link VALUES (?, ?)');
    this.insertPending = this.db.prepare('INSERT INTO pending VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.db.exec('BEGIN');
  }

  /** Adds one resource read from the input; `resolve` maps its references to `Type/id`. */
  add(
    resource: RawResource,
    json: string,
    fullUrl: string | null,
    origin: Origin,
    resolve: (reference: unknown) => string | null = typeAndId,
    scoped = false,
  ): void {
    const compartment = compartmentOf(resource, resolve);
    const ref = typeof resource.id === 'string' ? `${resource.resourceType}/${resource.id}` : null;
    const file = this.fileId(origin.file);
    if (compartment.shared) {
      const before = ref ? this.shared.get(ref) : undefined;
      if (ref && before && before.json !== json && !sameContent(before.json, json))
        this.sharedConflicts.set(ref, { dropped: before.origin, kept: origin });
      if (this.shared.size < MAX_SHARED || (ref && this.shared.has(ref))) this.shared.set(ref ?? `${this.shared.size}`, { json, fullUrl, origin });
    } else if (compartment.patient) {
      this.insertResource.run(compartment.patient, json, fullUrl, file, origin.line ?? null, origin.entry ?? null);
      if (ref) {
        this.insertLink.run(ref, compartment.patient);
        if (scoped) this.insertLink.run(`${file}:${ref}`, compartment.patient);
      }
    } else {
      // A Bundle resolves its references within itself first: its links are tried in its own scope, then globally.
      const links = { scoped: scoped ? compartment.links.map((link) => `${file}:${link}`) : [], global: compartment.links };
      this.insertPending.run(JSON.stringify(links), ref, json, fullUrl, file, origin.line ?? null, origin.entry ?? null);
    }
    if (++this.pendingWrites >= 20_000) {
      this.db.exec('COMMIT; BEGIN');
      this.pendingWrites = 0;
    }
  }

  /**
   * Ends the input: joins resources without a patient to the patient of what they point at (a signature on an AMM
   * record that points at a fraction takes two rounds), and indexes by patient. Returns the number of patients.
   */
  finish(): { patients: number; unassigned: number } {
    this.db.exec('COMMIT');
    this.db.exec('CREATE INDEX link_ref ON link(ref)');
    const patientsOf = this.db.prepare('SELECT DISTINCT patient FROM link WHERE ref = ?').pluck();
    // Pages of pending rows, so that memory holds one page, not every signature of the department.
    const page = this.db.prepare(
      'SELECT rowid, links, ref, json, full_url, file, line, entry FROM pending WHERE rowid > ? ORDER BY rowid LIMIT 2000',
    );
    const remove = this.db.prepare('DELETE FROM pending WHERE rowid = ?');
    for (let round = 0; round < 4; round++) {
      let progress = false;
      let after = 0;
      for (;;) {
        const rows = page.all(after) as PendingRow[];
        if (rows.length === 0) break;
        after = rows[rows.length - 1]!.rowid;
        this.db.transaction(() => {
          for (const row of rows) {
            const links = JSON.parse(row.links) as { scoped: string[]; global: string[] };
            const inScope = links.scoped.flatMap((link) => patientsOf.all(link) as string[]);
            const patients = new Set(inScope.length > 0 ? inScope : links.global.flatMap((link) => patientsOf.all(link) as string[]));
            if (patients.size === 0) continue;
            progress = true;
            for (const patient of patients) {
              this.insertResource.run(patient, row.json, row.full_url, row.file, row.line, row.entry);
              if (row.ref) {
                this.insertLink.run(row.ref, patient);
                if (links.scoped.length > 0) this.insertLink.run(`${row.file}:${row.ref}`, patient);
              }
            }
            remove.run(row.rowid);
          }
        })();
      }
      if (!progress) break;
    }
    this.unassigned = (this.db.prepare('SELECT COUNT(*) FROM pending').pluck().get() as number) ?? 0;
    this.db.exec('CREATE INDEX res_patient ON res(patient)');
    const patients = this.db.prepare('SELECT COUNT(DISTINCT patient) FROM res').pluck().get() as number;
    return { patients, unassigned: this.unassigned };
  }

  /** Resources that belong to every patient (Location, Organization, practitioners). */
  sharedResources(): StoredResource[] {
    return [...this.shared.values()];
  }

  /**
   * Resources shared by the patients (a Practitioner, a Location) met twice with different content: the copy read last
   * is used, as a FHIR server receiving them in that order would keep, and the run says so once for each.
   */
  conflictingSharedResources(): { readonly resource: string; readonly dropped: Origin; readonly kept: Origin }[] {
    return [...this.sharedConflicts].map(([resource, origins]) => ({ resource, ...origins }));
  }

  /** The patients, in order (their resources: {@link PatientStoreReader}). */
  *patientIds(): Generator<string> {
    yield* this.db.prepare('SELECT DISTINCT patient FROM res ORDER BY patient').pluck().iterate() as IterableIterator<string>;
  }

  /**
   * Where another thread reads the patients' resources back (evaluation workers): the store's file and its files'
   * names. Only after {@link finish}, while the store is open.
   */
  readerSource(): StoreSource {
    return { path: this.db.name, files: [...this.files] };
  }

  close(): void {
    if (this.db.open) this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private fileId(file: string): number {
    let id = this.fileIndex.get(file);
    if (id === undefined) {
      id = this.files.length;
      this.files.push(file);
      this.fileIndex.set(file, id);
    }
    return id;
  }
}

/** A finished store as another thread opens it. */
export interface StoreSource {
  readonly path: string;
  readonly files: readonly string[];
}

interface ResourceRow {
  json: string;
  full_url: string | null;
  file: number;
  line: number | null;
  entry: number | null;
}

/**
 * One patient's resources from a finished {@link PatientStore}, read by another thread than the one that wrote it
 * (a connection of its own, read-only): in the order they were read.
 */
export class PatientStoreReader {
  private readonly db: Database.Database;
  private readonly select: Database.Statement;

  constructor(private readonly source: StoreSource) {
    this.db = new Database(source.path, { readonly: true, fileMustExist: true });
    this.db.pragma('cache_size = -16384');
    this.select = this.db.prepare('SELECT json, full_url, file, line, entry FROM res WHERE patient = ? ORDER BY rowid');
  }

  resourcesOf(patient: string): StoredResource[] {
    return (this.select.all(patient) as ResourceRow[]).map((row) => ({
      json: row.json,
      fullUrl: row.full_url,
      origin: {
        file: this.source.files[row.file]!,
        ...(row.line !== null ? { line: row.line } : {}),
        ...(row.entry !== null ? { entry: row.entry } : {}),
      },
    }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
