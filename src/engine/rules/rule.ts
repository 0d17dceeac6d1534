import type { AuthorizationCheck } from '../authorizations.js';
import type { PolicyMatch } from '../policy.js';
import type { StereotacticPlace } from '../stereotactic.js';
import type { OrderCheck } from './A-ORDER.js';
import type { RecordCheck } from './A-RECORD.js';
import type { GuidanceRecord } from './I-SIGN.js';
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
  Ref,
  Severity,
  Technique,
  TreatmentSummary,
  UnknownFact,
  EngineInput,
  SuggestedAction,
  RecordKind,
  SessionDetermination,
  OrderDetermination,
} from '../types.js';

/** Identity of a rule from `spec/billing-rules.md`. */
export interface RuleInfo {
  readonly id: string;
  readonly title: string;
  readonly sources: readonly SourceKey[];
}

/** Facts that decide a delivery level, for a session (fractions added up), an order or a summary. */
export interface LevelFacts {
  readonly modalities: ReadonlySet<Modality>;
  readonly techniques: ReadonlySet<Technique>;
  /** Photon isocenters; `null` when unknown. */
  readonly photonIsocenters: number | null;
  /** Qualifying active motion management (A-QUAL); `null` when motion management is stated in a code not understood. */
  readonly amm: boolean | null;
  /** Facts stated in a form the reader cannot interpret: a rule that depends on them cannot decide. */
  readonly unknown: readonly UnknownFact[];
  /** Published techniques that do not change the level, by name (to say why a technique is still missing). */
  readonly otherTechniques: readonly string[];
}

/** The missing photon technique, naming a published technique that was given but does not decide the level. */
export function missingPhotonTechnique(facts: LevelFacts): string {
  const given = facts.otherTechniques.length > 0 ? ` (${facts.otherTechniques.join(', ')} is given, which does not decide the level)` : '';
  return `photon technique: 2D, 3D-CRT or IMRT/VMAT${given}`;
}

/** How a missing or unreadable fact is named in a D-UNKNOWN finding. */
export function describeUnknown(fact: UnknownFact): string {
  const what =
    fact.reason === 'null-flavor'
      ? `stated as unknown (${fact.code.split('|').pop()})`
      : fact.reason === 'no-code'
        ? 'given as text without a code'
        : `code ${fact.code} is not recognised`;
  return `${fact.fact} on ${fact.resource}: ${what}`;
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
  readonly order: OrderCheck;
  readonly record: RecordCheck;
}

export interface IgrtAssessment {
  /** Guidance for localization was performed (I-PC): pre-treatment imaging or intra-fraction tracking. */
  readonly performed: boolean;
  readonly imageGuidance: readonly GuidanceMethod[];
  /** What the session's code family means for 77387. */
  readonly treatment: 'separate' | 'bundled' | 'not-applicable';
  readonly treatmentRule: string;
  readonly status: IgrtStatus;
  /** The records a physician signs (images, AMM records), each with its verdict. */
  readonly records: readonly GuidanceRecord[];
  /** AMM fractions whose records could not be read: the unit cannot be judged lost. */
  readonly recordsUnread: boolean;
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
  /** The patient's next booked treatment after the session, when the schedule says (a deadline to show). */
  readonly nextTreatment: string | null;
  /** The session's date of service is on or after 2026-01-01. */
  readonly inScope: boolean;
  /** The clinic's calendar date of the session (YYYY-MM-DD); `null` without a start. */
  readonly dateOfService: string | null;
  /** Where a stereotactic session stands in its course and its day (D-OUT-LIMITS); `null` for other sessions. */
  readonly stereotactic: StereotacticPlace | null;
  /** The patient's preauthorizations: those that apply to the session's date (C-AUTH-APPLIES), and those skipped. */
  readonly authorizations: AuthorizationCheck;
  /** Kinds of record the caller could not obtain: what depends on them "could not be checked". */
  readonly unread: ReadonlySet<RecordKind>;
  /** The physician who ordered a fraction's treatment (who signs its images and AMM records), when known. */
  physicianOf(fraction: Fraction): Ref | null;
  /** The payer policy for the patient's coverage on the date of service (P-MATCH). */
  readonly payer: PolicyMatch;
}

export interface OrderContext {
  readonly order: Prescription;
  readonly facts: LevelFacts;
  readonly clinical: LevelResult;
  /** The date of service used (the clinic's calendar date, YYYY-MM-DD): the order's own, or the as-of date when it has none (D-DATE). */
  readonly serviceDate: string;
  readonly serviceDateAssumed: boolean;
  /** For a course-level order listing several modalities or techniques: what each describes (D-COURSE). */
  readonly combinations: readonly CombinationLevel[];
  /** Image guidance or tracking is ordered and 77387-26 is separately billable with the expected code. */
  readonly igrtExpected: boolean;
  /** Orders based on this one (a course's phase prescriptions), with the codes they carry. */
  readonly children: readonly { readonly order: Ref; readonly code: DeliveryCode | null; readonly rule: string; readonly outOfFamily?: string }[];
  /** The order is being signed now (order-sign) or is a draft. */
  readonly isDraft: boolean;
  /** The patient's preauthorizations: those that apply to the order's date of service (C-AUTH-APPLIES), and those skipped. */
  readonly authorizations: AuthorizationCheck;
  readonly inScope: boolean;
  readonly unread: ReadonlySet<RecordKind>;
  /** The payer policy for the patient's coverage on the order's date of service (P-MATCH). */
  readonly payer: PolicyMatch;
}

/** A delivered phase, plan or course known only from its summary (D-SUMMARY). */
export interface PhaseContext {
  readonly summary: TreatmentSummary;
  readonly facts: LevelFacts;
  /** What each fraction of it describes. */
  readonly clinical: LevelResult;
  /** Completed sessions with Treated Fraction records that belong to it. */
  readonly fractionRecords: number;
  /** Other summaries of the same phase, counted once. */
  readonly snapshots: readonly TreatmentSummary[];
  /** Guidance recorded: 77387-26 expected per session (I-PC). */
  readonly igrtProfessional: boolean;
  /** What each modality and technique of a course-level summary describes (D-COURSE); empty otherwise. */
  readonly combinations: readonly CombinationLevel[];
  /** Other phases of a different modality whose periods overlap this one's (D-COURSE: D-3-MIX). */
  readonly overlaps: readonly TreatmentSummary[];
  /** Other photon phases (another site or plan) whose periods overlap this one's (D-COURSE: D-3-ISO). */
  readonly photonOverlaps: readonly TreatmentSummary[];
  /** Sessions of the course that delivered more than one phase, when the course and phase counts say (D-COURSE). */
  readonly sessionsDeliveringSeveral: number | null;
}

/** One modality (with its techniques) of a course-level list, and the level it describes on its own. */
export interface CombinationLevel {
  readonly label: string;
  readonly result: LevelResult;
}

/** What the whole input holds, for rules about records rather than sessions, orders or phases. */
export interface RecordContext {
  readonly input: EngineInput;
  /** Restricted to the focused encounters (encounter-discharge), when there is a focus. */
  readonly focus: ReadonlySet<Ref> | null;
  /** Resources whose facts only D-OUT subjects read: an unrecognised code there changes nothing (FHIR-INPUT). */
  readonly outOfFamilyOnly: ReadonlySet<Ref>;
  /** Resources read for the subjects in view. */
  readonly read: ReadonlySet<Ref>;
  /** The sessions and orders determined (in view). */
  readonly sessions: readonly SessionDetermination[];
  readonly orders: readonly OrderDetermination[];
}

/** What a card about a rule's findings is about, for its one-line headline. */
export interface HeadlineSubject {
  readonly session?: SessionDetermination;
  readonly order?: OrderDetermination;
  /**
   * When what the card asks must be done by, as words for the reader ("07:45 tomorrow (next treatment)"): the next
   * booked treatment in the clinic's zone, formatted by the card layer. Absent: "the next fraction".
   */
  readonly deadline?: string;
}

/** How a headline names the deadline of a signature. */
export const byDeadline = (subject: HeadlineSubject): string => subject.deadline ?? 'the next fraction';

/** How a headline names a session: "of 2026-04-13", or nothing when the date is unknown. */
export const ofSession = (subject: HeadlineSubject): string => (subject.session?.dateOfService ? ` of ${subject.session.dateOfService}` : '');

/** A rule as the registry lists it: checks that turn a context into findings, and how to say them in one line. */
export interface Rule extends RuleInfo {
  session?(context: SessionContext): Finding[];
  order?(context: OrderContext): Finding[];
  phase?(context: PhaseContext): Finding[];
  record?(context: RecordContext): Finding[];
  /** One line (under 140 characters) for a card that shows this rule's findings; else the first message. */
  headline?(findings: readonly Finding[], subject: HeadlineSubject): string;
}

/** A finding that names its rule and source, with what to do about it when something can be done. */
export function finding(
  rule: RuleInfo,
  severity: Severity,
  message: string,
  evidence: readonly Ref[] = [],
  actions: readonly SuggestedAction[] = [],
): Finding {
  return {
    rule: rule.id,
    severity,
    message,
    source: citeSources(rule.sources),
    evidence: [...new Set(evidence)],
    ...(actions.length > 0 ? { actions } : {}),
  };
}

/** Findings that say something could not be checked (unread evidence), as opposed to a problem found. */
export const couldNotBeChecked = (findings: readonly Finding[]): boolean =>
  findings.length > 0 && findings.every((f) => f.couldNotBeChecked === true);

/** A finding about what can no longer be changed (the deadline passed): billing follows it, nobody can prevent it. */
export function settledFinding(rule: RuleInfo, severity: Severity, message: string, evidence: readonly Ref[] = []): Finding {
  return { ...finding(rule, severity, message, evidence), settled: true };
}

/** A finding whose evidence could not be read: `warning`, never a problem found. */
export function uncheckedFinding(rule: RuleInfo, message: string, evidence: readonly Ref[] = []): Finding {
  return { ...finding(rule, 'warning', message, evidence), couldNotBeChecked: true };
}

/** Whether a group of findings has a critical one (a card's headline says the worst). */
export const anyCritical = (findings: readonly Finding[]): boolean => findings.some((f) => f.severity === 'critical');

export const fractionRefs = (context: SessionContext): Ref[] => context.fractions.map((f) => f.ref);

/** The prescriptions behind a session's AMM fractions, once each. */
export function ammOrders(context: SessionContext): Prescription[] {
  return [...new Map(context.amm.flatMap((amm) => (amm.prescription ? [[amm.prescription.ref, amm.prescription] as const] : []))).values()];
}

/**
 * Items in time order (by `at`, then `tie`), each instant computed once: a comparator that parses dates runs
 * n·log n times, and over a department (100,000 sessions) that was a measurable share of the engine.
 */
export function sortedByInstant<T>(items: readonly T[], at: (item: T) => string | null, tie: (item: T) => string, missing = Infinity): T[] {
  return items
    .map((item) => ({ item, ms: instant(at(item)) ?? missing, tie: tie(item) }))
    .sort((a, b) => a.ms - b.ms || a.tie.localeCompare(b.tie))
    .map((decorated) => decorated.item);
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
