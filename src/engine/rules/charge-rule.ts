import type { ChargeKind } from '../tables/charges.js';
import type { Charge, ChargeFinding, ChargeStatus, PayerKind, RecordKind, Ref, SessionDetermination, Severity } from '../types.js';
import { finding, type RuleInfo } from './rule.js';
import type { PolicyMatch } from '../policy.js';

/** A charge on file with what its code is (tables/charges.ts). */
export interface ClassifiedCharge {
  readonly charge: Charge;
  readonly kind: ChargeKind;
  /** As charged: the code with its modifiers (`77387-26`). */
  readonly label: string;
  /** The evidence reference: the ChargeItem or the Claim. */
  readonly ref: Ref;
  /** The date of service: the clinic's calendar date of the charge's date (YYYY-MM-DD); `null` when undated. */
  readonly date: string | null;
}

/** A session and the charges that belong to it (spec B: through Encounter or Procedure, else patient and date). */
export interface SessionCharges {
  readonly session: SessionDetermination;
  /** Delivery charges (2026 levels and other families), the best one first; deleted codes are in `deleted`. */
  readonly delivery: readonly ClassifiedCharge[];
  /** 77387-26 and 77387 global (which includes the professional part), the best one first. */
  readonly professional: readonly ClassifiedCharge[];
  /** 77387-TC and 77417: bundled technical charges. */
  readonly technical: readonly ClassifiedCharge[];
  /** Codes deleted on 2026-01-01 charged for this session. */
  readonly deleted: readonly ClassifiedCharge[];
  /** Charges for this session whose code could not be read: what they charge is unknown. */
  readonly unreadable: readonly ClassifiedCharge[];
  /** The patient's payer, when known (B-26: Medicare bundles 77417, status B; other payers apply the port-image edits). */
  readonly payer: PayerKind | null;
  /** The payer policy for the session's date (P-MATCH): what it pays of 77387 and 77417 (P-IGRT, P-PORT). */
  readonly policy: PolicyMatch;
  /** Rate of a code for the session's patient, payer and setting (rule R); `null` when it cannot be priced. */
  rate(code: string): number | null;
  /** Kinds of record that could not be read: a charge or a fraction may be among them, so nothing is said missing. */
  readonly unread: ReadonlySet<RecordKind>;
}

/** A patient's charges and sessions, for the rules about the patient as a whole (B-UNMATCHED, B-DELETED, B-NONE). */
export interface PatientCharges {
  readonly patient: Ref | null;
  readonly sessions: readonly SessionDetermination[];
  /** Every reconciled charge, and which session each belongs to (`null`: none). */
  readonly charges: readonly { readonly charge: ClassifiedCharge; readonly session: SessionDetermination | null }[];
  /** Charges on file for the patient, reconciled or not (planning and management codes count here). */
  readonly onFile: number;
  /** Charges on file in the whole input, for every patient (B-NONE speaks only when the input carries charges). */
  readonly onFileInInput: number;
  /** The patient's payer, when known. */
  readonly payer: PayerKind | null;
  /** The payer policy for the patient's first session (P-PORT's edits). */
  readonly policy: PolicyMatch;
  rate(code: string, date: string | null, session: SessionDetermination | null): number | null;
  /** Kinds of record that could not be read. */
  readonly unread: ReadonlySet<RecordKind>;
}

/** A B finding, where it belongs, and the status it gives the charges it is about (with each one's amount at risk). */
export interface ChargeVerdict {
  readonly finding: ChargeFinding;
  readonly scope: 'session' | 'top';
  /** The session a patient-level rule places its finding on (`scope` session). */
  readonly at?: SessionDetermination;
  readonly status: ChargeStatus | null;
  readonly charges: readonly { readonly charge: ClassifiedCharge; readonly amountAtRisk: number | null }[];
}

/** A B rule: checks of a session's charges, or of a patient's. */
export interface ChargeRule extends RuleInfo {
  session?(context: SessionCharges): ChargeVerdict[];
  patient?(context: PatientCharges): ChargeVerdict[];
}

/** A B finding with its amount at stake (the sum over its charges, or the rate of what was missed). */
export function chargeFinding(
  rule: RuleInfo,
  severity: Severity,
  message: string,
  evidence: readonly Ref[],
  amountAtRisk: number | null,
): ChargeFinding {
  return { ...finding(rule, severity, message, evidence), amountAtRisk };
}

/** Sum of amounts, `null` when none is known. */
export function total(amounts: readonly (number | null)[]): number | null {
  const known = amounts.filter((a): a is number => a !== null);
  return known.length === 0 ? null : Math.round(known.reduce((a, b) => a + b, 0) * 100) / 100;
}

export const dollars = (amount: number | null): string =>
  amount === null ? 'amount unknown (no rate on file for the payer)' : `$${amount.toFixed(2)}`;

/** How a message names a session: its date and Encounter (or first fraction). */
export function sessionName(session: SessionDetermination): string {
  return `session ${session.dateOfService ?? '(no date)'} (${session.encounter ?? session.fractions[0] ?? 'no reference'})`;
}

export const sessionEvidence = (session: SessionDetermination): Ref[] => [...(session.encounter ? [session.encounter] : []), ...session.fractions];
