import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { RemittanceClaim } from '../engine/remittance-types.js';
import type { Determination, Finding, SessionDetermination, Severity } from '../engine/types.js';
import { runDepartment, type ErrorLine, type PatientLine, type Progress, type RunRecord } from '../batch/run.js';
import { UnreadableInput } from '../batch/sources.js';
import { DepartmentSummary, type SummaryRecord } from '../batch/summary.js';

/** A charge to fix: one B finding (B-NONE aside), with where and how much. */
export interface ChargeRow {
  readonly patient: string;
  readonly date: string | null;
  readonly session: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly amountAtRisk: number | null;
  readonly message: string;
  readonly evidence: readonly string[];
}

/** A session whose guidance (images, AMM record) still needs a physician's signature before the next beam-on. */
export interface WorkRow {
  readonly patient: string;
  readonly date: string | null;
  readonly session: string;
  readonly rule: string;
  readonly severity: Severity;
  /** The next beam-on when the record has it; else the next treatment day after the session (weekdays), marked expected. */
  readonly dueBy: string | null;
  readonly dueKnown: boolean;
  readonly message: string;
  readonly evidence: readonly string[];
}

/** Something to act on: a warning or critical finding of a session, order, phase or patient, with its money and deadline. */
export interface ActionRow {
  readonly patient: string;
  readonly date: string | null;
  /** The session, order or phase it is about; empty for the patient's record as a whole. */
  readonly subject: string;
  readonly rule: string;
  readonly severity: Severity;
  /** What acting saves or what was lost: the charge's amount at risk, or the session's 77387-26. `null` when unknown. */
  readonly amount: number | null;
  /** Act before: the next booked treatment, else the next beam-on, when the finding asks for a signature. */
  readonly deadline: string | null;
  readonly message: string;
}

/** Signatures of one physician: in time, late, and the median time from the session to the signature. */
export interface SignatureTimeliness {
  readonly physician: string;
  readonly inTime: number;
  readonly late: number;
  /** Median hours from the session's start to the signature; `null` without a timed signature. */
  readonly medianHours: number | null;
}

/** Remittance lines not paid in full, grouped by payer, reason (CARC), code and the E rule that decided them. */
export interface DenialRow {
  readonly payer: string;
  readonly reason: string;
  readonly code: string;
  readonly rule: string;
  readonly lines: number;
  /** What the lines fell short by: the policy rate (else the amount charged) less what was paid. */
  readonly denied: number;
  /** The part of it on lines the record supports against the payer (an appeal packet can be written). */
  readonly appealable: number;
  /** What appealing those lines would recover at the payer policy's rate (lines with a rate only). */
  readonly recoverable: number;
}

export interface DenialSummary {
  readonly rows: readonly DenialRow[];
  readonly linesRead: number;
  readonly denied: number;
  readonly appealable: number;
  readonly recoverable: number;
  /** Payers that denied a 2026 delivery code as invalid for the date (E-NOT-ADOPTED): not on the 2026 codes. */
  readonly payersNotOn2026: readonly string[];
}

export interface ReportData {
  readonly input: string;
  readonly summary: SummaryRecord;
  readonly charges: readonly ChargeRow[];
  readonly chargesOmitted: number;
  readonly worklist: readonly WorkRow[];
  readonly worklistOmitted: number;
  readonly actions: readonly ActionRow[];
  readonly actionsOmitted: number;
  readonly timeliness: readonly SignatureTimeliness[];
  readonly errors: readonly ErrorLine['error'][];
  readonly errorsOmitted: number;
  /** Denials and payments (spec E), when remittance was read. */
  readonly denials?: DenialSummary;
}

const cents = (amount: number) => Math.round(amount * 100) / 100;

/** Rows kept for the tables: the most serious first; the summary counts everything. */
const MAX_ROWS = 5000;
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const WORKLIST_RULES: ReadonlySet<string> = new Set(['I-SIGN', 'A-SIGN']);

const byUrgency = (a: ChargeRow, b: ChargeRow) =>
  SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
  (b.amountAtRisk ?? 0) - (a.amountAtRisk ?? 0) ||
  (a.date ?? '').localeCompare(b.date ?? '');
const byAction = (a: ActionRow, b: ActionRow) =>
  SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
  (a.deadline ?? '~').localeCompare(b.deadline ?? '~') ||
  (b.amount ?? 0) - (a.amount ?? 0) ||
  (a.date ?? '').localeCompare(b.date ?? '');
const byDue = (a: WorkRow, b: WorkRow) => (a.dueBy ?? '~').localeCompare(b.dueBy ?? '~') || a.patient.localeCompare(b.patient);

/**
 * The next treatment day after a session: the next weekday at the same time. Only for the worklist's order when
 * the record has no later fraction yet (a pending signature); shown as "expected", never used by a rule.
 */
export function nextTreatmentDay(start: string | null): string | null {
  const ms = start ? Date.parse(start) : NaN;
  if (Number.isNaN(ms)) return null;
  const next = new Date(ms);
  do next.setUTCDate(next.getUTCDate() + 1);
  while (next.getUTCDay() === 0 || next.getUTCDay() === 6);
  return next.toISOString();
}

/** Keeps the rows a report shows, bounded: sorts and trims when the buffer doubles. */
class Bounded<T> {
  readonly rows: T[] = [];
  omitted = 0;
  constructor(private readonly order: (a: T, b: T) => number) {}
  push(row: T): void {
    this.rows.push(row);
    if (this.rows.length >= MAX_ROWS * 2) this.trim();
  }
  trim(): T[] {
    this.rows.sort(this.order);
    if (this.rows.length > MAX_ROWS) this.omitted += this.rows.splice(MAX_ROWS).length;
    return this.rows;
  }
}

/**
 * Times to signature per physician, as a histogram of 15-minute steps up to 30 days (the median to the quarter hour):
 * memory grows with physicians, never with sessions.
 */
class TimelinessCounter {
  private static readonly STEP_HOURS = 0.25;
  private static readonly STEPS = 30 * 24 * 4;
  private readonly byPhysician = new Map<string, { inTime: number; late: number; histogram: Uint32Array; timed: number }>();

  add(physician: string, inTime: boolean, hours: number | null): void {
    let entry = this.byPhysician.get(physician);
    if (!entry) {
      entry = { inTime: 0, late: 0, histogram: new Uint32Array(TimelinessCounter.STEPS + 1), timed: 0 };
      this.byPhysician.set(physician, entry);
    }
    if (inTime) entry.inTime += 1;
    else entry.late += 1;
    if (hours === null || hours < 0) return;
    entry.histogram[Math.min(TimelinessCounter.STEPS, Math.floor(hours / TimelinessCounter.STEP_HOURS))]! += 1;
    entry.timed += 1;
  }

  result(): SignatureTimeliness[] {
    return [...this.byPhysician.entries()]
      .map(([physician, entry]) => ({ physician, inTime: entry.inTime, late: entry.late, medianHours: median(entry.histogram, entry.timed) }))
      .sort((a, b) => b.late - a.late || a.physician.localeCompare(b.physician));
  }
}

/** The median of a histogram of quarter hours (the middle of its step), in hours. */
function median(histogram: Uint32Array, count: number): number | null {
  if (count === 0) return null;
  let seen = 0;
  for (let step = 0; step < histogram.length; step += 1) {
    seen += histogram[step]!;
    if (seen * 2 >= count) return (step + 0.5) * 0.25;
  }
  return null;
}

/** Rules whose findings ask for a physician's signature: their money is the session's 77387-26. */
const SIGNATURE_RULES: ReadonlySet<string> = new Set(['I-SIGN', 'A-SIGN']);

/** Collects what the report shows from the records of a run, one patient at a time. */
export class ReportCollector {
  private readonly charges = new Bounded<ChargeRow>(byUrgency);
  private readonly worklist = new Bounded<WorkRow>(byDue);
  private readonly actions = new Bounded<ActionRow>(byAction);
  private readonly timeliness = new TimelinessCounter();
  private readonly errors: ErrorLine['error'][] = [];
  private errorsOmitted = 0;
  private readonly denials = new Map<string, DenialRow>();
  private remittanceLines = 0;
  private readonly notOn2026 = new Set<string>();

  add(record: RunRecord): void {
    if ('error' in record) {
      if (this.errors.length < MAX_ROWS) this.errors.push(record.error);
      else this.errorsOmitted += 1;
      return;
    }
    this.addPatient(record);
  }

  result(input: string, summary: SummaryRecord): ReportData {
    return {
      input,
      summary,
      charges: this.charges.trim(),
      chargesOmitted: this.charges.omitted,
      worklist: this.worklist.trim(),
      worklistOmitted: this.worklist.omitted,
      actions: this.actions.trim(),
      actionsOmitted: this.actions.omitted,
      timeliness: this.timeliness.result(),
      errors: this.errors,
      errorsOmitted: this.errorsOmitted,
      ...(this.remittanceLines > 0 ? { denials: this.denialSummary() } : {}),
    };
  }

  private denialSummary(): DenialSummary {
    const rows = [...this.denials.values()].sort((a, b) => b.denied - a.denied || a.payer.localeCompare(b.payer));
    const sum = (pick: (row: DenialRow) => number) => cents(rows.reduce((total, row) => total + pick(row), 0));
    return {
      rows,
      linesRead: this.remittanceLines,
      denied: sum((r) => r.denied),
      appealable: sum((r) => r.appealable),
      recoverable: sum((r) => r.recoverable),
      payersNotOn2026: [...this.notOn2026].sort(),
    };
  }

  private addRemittance(line: PatientLine): void {
    for (const r of line.remittance ?? []) {
      this.remittanceLines += 1;
      if (r.rule === 'E-NOT-ADOPTED') this.notOn2026.add(r.payer ?? r.policy ?? 'payer not named');
      const expected = r.expected ?? r.charged ?? 0;
      const short = Math.max(0, expected - r.paid);
      if (r.status === 'paid' && r.rule === null) continue;
      if (short === 0 && r.rule === null) continue;
      const reason = r.reasons.find((x) => x.code !== '45')?.code ?? r.reasons[0]?.code ?? '(none)';
      const payer = r.payer ?? r.policy ?? 'payer not named';
      const rule = r.rule ?? '(denial stands)';
      const key = `${payer}|${reason}|${r.billedCode}|${rule}`;
      const row = this.denials.get(key) ?? { payer, reason, code: r.billedCode, rule, lines: 0, denied: 0, appealable: 0, recoverable: 0 };
      this.denials.set(key, {
        ...row,
        lines: row.lines + 1,
        denied: cents(row.denied + short),
        appealable: cents(row.appealable + (r.appealable ? short : 0)),
        recoverable: cents(row.recoverable + (r.appealable && r.expected !== null ? Math.max(0, r.expected - r.paid) : 0)),
      });
    }
  }

  private addPatient(line: PatientLine): void {
    this.addRemittance(line);
    const chargeRow = (finding: Finding, session: string, date: string | null): ChargeRow => ({
      patient: line.patient,
      date,
      session,
      rule: finding.rule,
      severity: finding.severity,
      amountAtRisk: (finding as { amountAtRisk?: number | null }).amountAtRisk ?? null,
      message: finding.message,
      evidence: finding.evidence,
    });
    for (const session of line.sessions) {
      const name = session.encounter ?? session.fractions[0] ?? '';
      for (const finding of session.findings) {
        if (finding.rule.startsWith('B-')) this.charges.push(chargeRow(finding, name, session.dateOfService));
        // Still actionable: 77387-26 is pending (no later fraction yet, by the record or its summaries), so a signature
        // now keeps it billable; a unit already lost is not a signature due.
        if (WORKLIST_RULES.has(finding.rule) && session.igrtStatus === 'pending') {
          this.worklist.push({
            patient: line.patient,
            date: session.dateOfService,
            session: name,
            rule: finding.rule,
            severity: finding.severity,
            // The next booked treatment when the schedule says; else the next weekday, marked expected.
            dueBy: session.facts.nextTreatment ?? nextTreatmentDay(session.start),
            dueKnown: session.facts.nextTreatment != null,
            message: finding.message,
            evidence: finding.evidence,
          });
        }
      }
    }
    this.addActions(line);
    this.addTimeliness(line);
    // Top-level B findings (B-DELETED, B-UNMATCHED) name their charge first: its date and session come from the charges list.
    const chargeOf = new Map((line.charges ?? []).map((c) => [c.charge, c]));
    for (const finding of line.findings) {
      if (!finding.rule.startsWith('B-') || finding.rule === 'B-NONE') continue;
      const charge = chargeOf.get(finding.evidence[0] ?? '');
      this.charges.push(chargeRow(finding, charge?.session ?? '', charge?.date ?? null));
    }
  }

  /** Every warning and critical, wherever it is: sessions, orders, phase summaries, the record as a whole. */
  private addActions(line: PatientLine): void {
    const push = (finding: Finding, subject: string, date: string | null, amount: number | null, deadline: string | null) => {
      if (finding.severity === 'info') return;
      this.actions.push({
        patient: line.patient,
        date,
        subject,
        rule: finding.rule,
        severity: finding.severity,
        amount,
        deadline,
        message: finding.message,
      });
    };
    for (const session of line.sessions) {
      const name = session.encounter ?? session.fractions[0] ?? '';
      const money = session.money as SessionDetermination['money'] | undefined;
      const unit =
        session.igrtStatus === 'pending' ? (money?.atRisk ?? null) : session.igrtStatus === 'not-supportable' ? (money?.lost ?? null) : null;
      for (const finding of session.findings) {
        const amount = amountAtRisk(finding) ?? (SIGNATURE_RULES.has(finding.rule) ? unit : null);
        const deadline = session.igrtStatus === 'pending' && SIGNATURE_RULES.has(finding.rule) ? (session.facts.nextTreatment ?? null) : null;
        push(finding, name, session.dateOfService, amount, deadline);
      }
    }
    for (const order of line.orders) for (const finding of order.findings) push(finding, order.order, order.serviceDate, null, null);
    for (const phase of line.phases ?? []) for (const finding of phase.findings) push(finding, phase.procedure, null, null, null);
    for (const finding of line.findings) push(finding, '', null, amountAtRisk(finding), null);
  }

  /** Who signed each guidance record, and whether in time: the report's signature timeliness per physician. */
  private addTimeliness(line: PatientLine): void {
    for (const session of line.sessions) {
      const start = session.start ? Date.parse(session.start) : NaN;
      for (const signoff of session.signoffs ?? []) {
        if (!signoff.signedBy || (signoff.status !== 'in-time' && signoff.status !== 'late')) continue;
        const at = signoff.signedAt ? Date.parse(signoff.signedAt) : NaN;
        const hours = Number.isNaN(start) || Number.isNaN(at) ? null : (at - start) / 3_600_000;
        this.timeliness.add(signoff.signedBy, signoff.status === 'in-time', hours);
      }
    }
  }
}

const amountAtRisk = (finding: Finding): number | null => (finding as { amountAtRisk?: number | null }).amountAtRisk ?? null;

/**
 * The report of one determination (a Bundle: typically one patient's course, from the reviewer app). Its sessions
 * count per patient; its own findings, orders and charges once.
 */
export function reportFromDetermination(determination: Determination, input: string): ReportData {
  const collector = new ReportCollector();
  const summary = new DepartmentSummary();
  const patients = [...new Set(determination.sessions.map((s) => s.patient ?? ''))];
  if (patients.length === 0) patients.push('');
  patients.forEach((patient, index) => {
    const sessions = determination.sessions.filter((s) => (s.patient ?? '') === patient);
    const part = index === 0 ? { ...determination, sessions } : { ...determination, sessions, orders: [], findings: [], charges: [] };
    summary.add(patient, part);
    collector.add({ patient, ...part });
  });
  return collector.result(input, summary.toJSON());
}

/** Evaluates the department input and collects the report. */
export async function reportFromInput(
  path: string,
  progress?: (p: Progress) => void,
  tmpDir?: string,
  dates: {
    readonly asOf?: string;
    readonly clinicTimeZone?: string | null;
    readonly remittance?: readonly RemittanceClaim[];
    readonly workers?: number;
  } = {},
): Promise<ReportData> {
  const collector = new ReportCollector();
  const result = await runDepartment(path, {
    record: (record) => collector.add(record),
    ...(progress ? { progress } : {}),
    ...(tmpDir ? { tmpDir } : {}),
    ...dates,
  });
  return collector.result(basename(path), result.summary);
}

/** True when PATH is the NDJSON output of `rt-billing evaluate` (or `merge`) rather than FHIR. */
export async function isResultsFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile() || !/\.(ndjson|jsonl)$/i.test(path)) return false;
  for await (const text of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (text.trim() === '') continue;
    try {
      const first = JSON.parse(text) as Record<string, unknown>;
      return typeof first.resourceType !== 'string' && ('patient' in first || 'summary' in first || 'error' in first);
    } catch {
      return false;
    }
  }
  return false;
}

/** Collects the report from a run's NDJSON output (for instance merged shards). */
export async function reportFromResults(path: string): Promise<ReportData> {
  const collector = new ReportCollector();
  const recomputed = new DepartmentSummary();
  let summary: SummaryRecord | null = null;
  for await (const text of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (text.trim() === '') continue;
    let record: RunRecord | { summary: SummaryRecord };
    try {
      record = JSON.parse(text) as RunRecord | { summary: SummaryRecord };
    } catch {
      throw new UnreadableInput(`${path} is not the NDJSON output of rt-billing evaluate`);
    }
    if ('summary' in record) summary = record.summary;
    else {
      collector.add(record);
      if ('error' in record) recomputed.addError();
      else recomputed.add(record.patient, record);
    }
  }
  return collector.result(basename(path), summary ?? recomputed.toJSON());
}
