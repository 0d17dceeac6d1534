import type { AuthorizationCheck } from '../authorizations.js';
import type { PolicyMatch } from '../policy.js';
import type { RemittanceClaim, RemittanceLine } from '../remittance-types.js';
import { carcText, CARC_GROUPS, rarcText } from '../tables/carc.js';
import type { ChargeDetermination, Finding, SessionDetermination } from '../types.js';
import type { RuleInfo } from './rule.js';

/** One remittance line with what it was matched to (spec E). */
export interface RemittanceContext {
  readonly line: RemittanceLine;
  readonly claim: RemittanceClaim;
  readonly patient: string | null;
  /** The code billed (SVC06 when the payer adjudicated another, else SVC01), with its modifiers. */
  readonly billedCode: string;
  readonly billedModifiers: readonly string[];
  /** `77387-26` style label of the billed code. */
  readonly billedLabel: string;
  readonly charge: ChargeDetermination | null;
  readonly session: SessionDetermination | null;
  readonly payer: PolicyMatch;
  /** The policy's rate for the billed code and the session's setting and date (P-RATE), times units; `null`: none. */
  readonly rate: number | null;
  /** The patient's preauthorizations for the line's date (C-AUTH-APPLIES). */
  readonly authorizations: AuthorizationCheck;
  /** A carried-forward 2025 authorization applies (C-AUTH-2025 found on the session). */
  readonly carriedForward2025: boolean;
  /** The CARCs of the line's adjustments. */
  readonly reasons: readonly string[];
}

/**
 * What an E rule says of a line: it decides the line (the first rule that decides wins), with a finding when there is
 * something to do, and whether the record refutes the payer (an appeal packet can be written).
 */
export interface RemittanceVerdict {
  readonly finding: Finding | null;
  readonly appealable: boolean;
}

export interface RemittanceRule extends RuleInfo {
  line(context: RemittanceContext): RemittanceVerdict | null;
}

/** "CO-97 ($60.00): The benefit for this service is included…" for each adjustment, and the remarks. */
export function denialWording(context: RemittanceContext): string {
  const reasons = context.line.adjustments.map(
    (a) => `${a.group}-${a.reason} (${CARC_GROUPS[a.group] ?? a.group}, $${a.amount.toFixed(2)}): ${carcText(a.reason)}`,
  );
  const remarks = context.line.remarks.map((r) => `remark ${r}: ${rarcText(r)}`);
  return [...reasons, ...remarks].join('; ') || 'no adjustment reason given';
}

/** How a message names the line: "77387-26 of 2026-04-06 (r.835 segment 17), paid $0.00 by MEDICARE PART B". */
export function lineName(context: RemittanceContext): string {
  const payer = context.claim.payerName ? ` by ${context.claim.payerName}` : '';
  return `${context.billedLabel} of ${context.line.date ?? '(no date)'} (${context.line.origin}), paid $${context.line.paid.toFixed(2)}${payer}`;
}

export const decided = (finding: Finding | null, appealable = false): RemittanceVerdict => ({ finding, appealable });
