import { POPULATION_RULES } from '../engine/rules/index.js';
import type { Determination, Finding, Severity } from '../engine/types.js';
import { UtilizationCounter, type UtilizationGroup } from '../engine/utilization.js';

/** Per rule: how many findings, by severity, and the amount at risk (B findings carry one). */
export interface RuleTotals {
  readonly rule: string;
  count: number;
  critical: number;
  warning: number;
  info: number;
  amountAtRisk: number;
}

/** The `summary` record of a department run (also what `rt-billing merge` adds up across shards). */
export interface SummaryRecord {
  readonly patients: number;
  readonly errors: number;
  readonly sessions: number;
  readonly orders: number;
  /** Sessions by the code to bill (`supportedDeliveryCode`), `none` when the record supports none. */
  readonly sessionsByCode: Record<string, number>;
  readonly igrtStatus: Record<string, number>;
  readonly findingsByRule: readonly RuleTotals[];
  readonly charges: {
    readonly total: number;
    readonly byStatus: Record<string, number>;
    readonly amountAtRisk: number;
    /** The input carried charges (ChargeItem, Claim use claim): the sessions were reconciled with them (B rules). */
    readonly supplied: boolean;
    /** Said once for the department when no charges were supplied. */
    readonly note?: string;
  };
  /** Delivery recorded only as phase/plan/course summaries (D-SUMMARY, D-COUNT), when the determination has `phases`. */
  readonly phases: { readonly entries: number; readonly fractionsDelivered: number; readonly fractionRecords: number };
  /** The department's sessions by what must happen for them to be paid (estimates; sessions counted whatever their price). */
  readonly money: MoneyTotals;
  readonly utilization: readonly UtilizationGroup[];
  /** Population findings over the department (A-UTIL, per month and per location when known). */
  readonly findings: readonly Finding[];
  readonly amountAtRisk: number;
}

/** Billable, at risk until signed, lost: amounts (priced sessions) and the sessions each counts. */
export interface MoneyTotals {
  billable: number;
  atRisk: number;
  /** Sessions whose 77387-26 is pending (a signature before the next fraction keeps it). */
  atRiskSessions: number;
  lost: number;
  /** Sessions whose 77387-26 is no longer supportable. */
  lostSessions: number;
  /** Sessions with no billable delivery code until the record is completed (amount unknown). */
  noCodeSessions: number;
  /** Sessions with something to bill, at risk or lost that no rate priced (payer or date unknown). */
  unpricedSessions: number;
}

const emptyMoney = (): MoneyTotals => ({
  billable: 0,
  atRisk: 0,
  atRiskSessions: 0,
  lost: 0,
  lostSessions: 0,
  noCodeSessions: 0,
  unpricedSessions: 0,
});

const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/**
 * Counts with their keys in one order, whatever order the patients came in: a run on several threads (or shards merged)
 * writes the summary a single thread writes.
 */
const sortedKeys = (counts: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const cents = (n: number) => Math.round(n * 100) / 100;

/** Location of each session Encounter, when known (read from the patient's Encounters by the batch reader). */
export type SessionLocations = ReadonlyMap<string, { readonly ref: string; readonly name?: string }>;

/**
 * Adds up a department's determinations, one patient at a time: counts, finding totals with amounts at risk, the
 * 77412 share per month and location (A-UTIL), charges by status. Memory grows with rules, months and locations,
 * never with patients.
 */
export class DepartmentSummary {
  private patients = 0;
  private errors = 0;
  private sessions = 0;
  private orders = 0;
  private readonly sessionsByCode: Record<string, number> = {};
  private readonly igrtStatus: Record<string, number> = {};
  private readonly rules = new Map<string, RuleTotals>();
  private readonly charges = { total: 0, byStatus: {} as Record<string, number>, amountAtRisk: 0, supplied: false };
  private readonly phases = { entries: 0, fractionsDelivered: 0, fractionRecords: 0 };
  private readonly money = emptyMoney();
  private readonly utilization = new UtilizationCounter();

  /** Whether the input carried charges at all (B rules: without them, reconciliation is not performed). */
  chargesSupplied(supplied: boolean): void {
    this.charges.supplied ||= supplied;
  }

  addError(): void {
    this.errors += 1;
  }

  add(patient: string, determination: Determination, locations: SessionLocations = new Map()): void {
    this.patients += 1;
    this.orders += determination.orders.length;
    for (const session of determination.sessions) {
      this.sessions += 1;
      const code = session.supportedDeliveryCode ?? 'none';
      this.sessionsByCode[code] = (this.sessionsByCode[code] ?? 0) + 1;
      this.igrtStatus[session.igrtStatus] = (this.igrtStatus[session.igrtStatus] ?? 0) + 1;
      this.addMoney(session);
      const location = session.encounter ? locations.get(session.encounter) : undefined;
      this.utilization.add({
        supportedDeliveryCode: session.supportedDeliveryCode,
        dateOfService: session.dateOfService,
        patient,
        location: location ?? null,
      });
    }
    const findings = [
      ...determination.findings,
      ...determination.sessions.flatMap((s) => s.findings),
      ...determination.orders.flatMap((o) => o.findings),
      ...phasesOf(determination).flatMap((p) => p.findings ?? []),
    ];
    // A-UTIL of one patient's Bundle is not the department's: the department's is computed from all sessions.
    for (const finding of findings) if (finding.rule !== POPULATION_RULES.utilization.id) this.countFinding(finding);
    for (const charge of determination.charges ?? []) {
      this.charges.total += 1;
      this.charges.byStatus[charge.status] = (this.charges.byStatus[charge.status] ?? 0) + 1;
    }
    for (const phase of phasesOf(determination)) {
      this.phases.entries += 1;
      this.phases.fractionsDelivered += phase.fractionsDelivered ?? 0;
      this.phases.fractionRecords += phase.fractionRecords ?? 0;
    }
  }

  /** Adds a summary of another shard (patients are disjoint across shards). */
  merge(other: SummaryRecord): void {
    this.patients += other.patients;
    this.errors += other.errors;
    this.sessions += other.sessions;
    this.orders += other.orders;
    for (const [k, v] of Object.entries(other.sessionsByCode)) this.sessionsByCode[k] = (this.sessionsByCode[k] ?? 0) + v;
    for (const [k, v] of Object.entries(other.igrtStatus)) this.igrtStatus[k] = (this.igrtStatus[k] ?? 0) + v;
    // A-UTIL is recomputed over the merged population, never added up.
    for (const totals of other.findingsByRule.filter((t) => t.rule !== POPULATION_RULES.utilization.id)) {
      const mine = this.ruleTotals(totals.rule);
      for (const key of ['count', 'critical', 'warning', 'info', 'amountAtRisk'] as const) mine[key] = cents(mine[key] + totals[key]);
    }
    this.charges.total += other.charges.total;
    this.charges.supplied ||= other.charges.supplied === true;
    this.charges.amountAtRisk = cents(this.charges.amountAtRisk + other.charges.amountAtRisk);
    for (const [k, v] of Object.entries(other.charges.byStatus)) this.charges.byStatus[k] = (this.charges.byStatus[k] ?? 0) + v;
    this.phases.entries += other.phases.entries;
    this.phases.fractionsDelivered += other.phases.fractionsDelivered;
    this.phases.fractionRecords += other.phases.fractionRecords;
    this.utilization.merge(other.utilization);
    const money = other.money ?? emptyMoney();
    for (const key of Object.keys(this.money) as (keyof MoneyTotals)[]) this.money[key] = cents(this.money[key] + money[key]);
  }

  /** A session's money: its amounts where priced; its counts whatever the price. */
  private addMoney(session: Determination['sessions'][number]): void {
    const money = session.money as Determination['sessions'][number]['money'] | undefined;
    if (!money) return; // a results file from an older version
    const { billable, atRisk, lost } = money;
    this.money.billable = cents(this.money.billable + (billable ?? 0));
    this.money.atRisk = cents(this.money.atRisk + (atRisk ?? 0));
    this.money.lost = cents(this.money.lost + (lost ?? 0));
    if (session.igrtStatus === 'pending') this.money.atRiskSessions += 1;
    if (session.igrtStatus === 'not-supportable') this.money.lostSessions += 1;
    if (money.noCode) this.money.noCodeSessions += 1;
    if (billable === null || atRisk === null || lost === null) this.money.unpricedSessions += 1;
  }

  toJSON(): SummaryRecord {
    const utilization = this.utilization.result();
    const population = POPULATION_RULES.utilization.population(utilization);
    const totals = new Map([...this.rules].map(([rule, t]) => [rule, { ...t }]));
    for (const finding of population) {
      const t = totals.get(finding.rule) ?? { rule: finding.rule, count: 0, critical: 0, warning: 0, info: 0, amountAtRisk: 0 };
      t.count += 1;
      t[finding.severity] += 1;
      totals.set(finding.rule, t);
    }
    const findingsByRule = [...totals.values()].sort((a, b) => a.rule.localeCompare(b.rule));
    return {
      patients: this.patients,
      errors: this.errors,
      sessions: this.sessions,
      orders: this.orders,
      sessionsByCode: sortedKeys(this.sessionsByCode),
      igrtStatus: sortedKeys(this.igrtStatus),
      findingsByRule,
      charges: {
        ...this.charges,
        byStatus: sortedKeys(this.charges.byStatus),
        ...(this.charges.supplied ? {} : { note: 'charges not supplied: reconciliation not performed' }),
      },
      phases: { ...this.phases },
      money: { ...this.money },
      utilization,
      findings: population,
      amountAtRisk: cents(findingsByRule.reduce((sum, r) => sum + r.amountAtRisk, 0)),
    };
  }

  private countFinding(finding: Finding): void {
    const totals = this.ruleTotals(finding.rule);
    totals.count += 1;
    if (SEVERITIES.includes(finding.severity)) totals[finding.severity] += 1;
    const amount = (finding as { amountAtRisk?: unknown }).amountAtRisk;
    if (typeof amount === 'number') {
      totals.amountAtRisk = cents(totals.amountAtRisk + amount);
      if (finding.rule.startsWith('B-')) this.charges.amountAtRisk = cents(this.charges.amountAtRisk + amount);
    }
  }

  private ruleTotals(rule: string): RuleTotals {
    let totals = this.rules.get(rule);
    if (!totals) {
      totals = { rule, count: 0, critical: 0, warning: 0, info: 0, amountAtRisk: 0 };
      this.rules.set(rule, totals);
    }
    return totals;
  }
}

interface PhaseEntry {
  fractionsDelivered?: number;
  fractionRecords?: number;
  findings?: Finding[];
}
/** `phases` (D-SUMMARY) when the engine reports them. */
const phasesOf = (determination: Determination): PhaseEntry[] => {
  const phases = (determination as { phases?: unknown }).phases;
  return Array.isArray(phases) ? (phases as PhaseEntry[]) : [];
};
