import type { OutOfFamily } from '../tables/cpt.js';
import { citeSources, type SourceKey } from '../tables/sources.js';
import type {
  DeliveryCode,
  Finding,
  Fraction,
  GuidanceMethod,
  IgrtStatus,
  Modality,
  Prescription,
  Authorization,
  Ref,
  Severity,
  Technique,
} from '../types.js';

/** Identity of a rule from `spec/billing-rules.md`. */
export interface RuleInfo {
  readonly id: string;
  readonly title: string;
  readonly sources: readonly SourceKey[];
}

/** Facts that decide a delivery level, for a session (fractions added up) or an order. */
export interface LevelFacts {
  readonly modalities: ReadonlySet<Modality>;
  readonly techniques: ReadonlySet<Technique>;
  /** Photon isocenters; `null` when unknown. */
  readonly photonIsocenters: number | null;
  /** Qualifying active motion management (A-QUAL). */
  readonly amm: boolean;
}

export type LevelMatch =
  | { readonly kind: 'match'; readonly outOfFamily?: OutOfFamily }
  | { readonly kind: 'no-match' }
  | { readonly kind: 'unknown'; readonly missing: readonly string[] };

/** A D rule: one step of the ordered delivery-level decision. */
export interface LevelRule extends RuleInfo {
  /** The code when this rule decides; `null` for D-OUT. */
  readonly code: DeliveryCode | null;
  test(facts: LevelFacts): LevelMatch;
}

export interface LevelResult {
  readonly rule: string;
  readonly code: DeliveryCode | null;
  readonly outOfFamily?: OutOfFamily;
  /** For D-UNKNOWN: the facts that would decide it. */
  readonly missing: readonly string[];
}

/** AMM documentation of one fraction that had qualifying AMM. */
export interface FractionAmm {
  readonly fraction: Fraction;
  readonly prescription: Prescription | null;
  readonly orderProblems: readonly string[];
  readonly recordProblems: readonly string[];
}

export interface IgrtAssessment {
  /** Guidance for localization was performed (I-PC): pre-treatment imaging or intra-fraction tracking. */
  readonly performed: boolean;
  readonly imageGuidance: readonly GuidanceMethod[];
  /** What the session's code family means for 77387. */
  readonly treatment: 'separate' | 'bundled' | 'not-applicable';
  readonly treatmentRule: string;
  readonly status: IgrtStatus;
}

export interface SessionContext {
  readonly fractions: readonly Fraction[];
  readonly facts: LevelFacts;
  readonly clinical: LevelResult;
  readonly supported: LevelResult;
  /** 77412 rests on D-3-AMM alone: without AMM the facts give a lower code. */
  readonly dependsOnAmmAlone: boolean;
  readonly amm: readonly FractionAmm[];
  readonly igrt: IgrtAssessment;
  readonly nextBeamOn: string | null;
  /** The session's date of service is on or after 2026-01-01. */
  readonly inScope: boolean;
  /** The patient's preauthorizations whose period includes the session's date (or gives none). */
  readonly authorizations: readonly Authorization[];
}

export interface OrderContext {
  readonly order: Prescription;
  readonly facts: LevelFacts;
  readonly clinical: LevelResult;
  /** The order is being signed now (order-sign) or is a draft. */
  readonly isDraft: boolean;
  readonly authorizations: readonly Authorization[];
  readonly inScope: boolean;
}

/** A rule as the registry lists it: checks that turn a context into findings. */
export interface Rule extends RuleInfo {
  session?(context: SessionContext): Finding[];
  order?(context: OrderContext): Finding[];
}

/** A finding that names its rule and source. */
export function finding(rule: RuleInfo, severity: Severity, message: string, evidence: readonly Ref[] = []): Finding {
  return {
    rule: rule.id,
    severity,
    message: `${message} [${rule.id}; source ${rule.sources.join(', ')}]`,
    source: citeSources(rule.sources),
    evidence: [...new Set(evidence)],
  };
}

export const fractionRefs = (context: SessionContext): Ref[] => context.fractions.map((f) => f.ref);

/** The prescriptions behind a session's AMM fractions, once each. */
export function ammOrders(context: SessionContext): Prescription[] {
  return [...new Map(context.amm.flatMap((amm) => (amm.prescription ? [[amm.prescription.ref, amm.prescription] as const] : []))).values()];
}

const instants = new Map<string, number | null>();
const INSTANT_CACHE_LIMIT = 100_000;

/**
 * Milliseconds since the epoch of a FHIR date/dateTime (dates at 00:00 UTC); `null` when absent. The same few
 * timestamps are compared many times (sorting, next beam-on, records, signatures): each text is parsed once.
 */
export function instant(value: string | null | undefined): number | null {
  if (!value) return null;
  let ms = instants.get(value);
  if (ms === undefined) {
    if (instants.size >= INSTANT_CACHE_LIMIT) instants.clear();
    const parsed = Date.parse(value);
    ms = Number.isNaN(parsed) ? null : parsed;
    instants.set(value, ms);
  }
  return ms;
}
