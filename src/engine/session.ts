import { authorizationsFor } from './authorizations.js';
import { estimatePayment, sessionMoney } from './estimate.js';
import { coveragesOf, matchPolicy } from './policy.js';
import { sortFindings } from './findings.js';
import { deriveLevel } from './level.js';
import { ammOrderCheck } from './rules/A-ORDER.js';
import { ammState, carriesMotionManagement, fractionQualifies } from './rules/A-QUAL.js';
import { ammRecordCheck, recordCovers } from './rules/A-RECORD.js';
import { RULES } from './rules/index.js';
import { guidancePerformed } from './rules/I-PC.js';
import { guidanceRecords, igrtSignStatus, type GuidanceRecord } from './rules/I-SIGN.js';
import { signerText, type LaterDelivered, type SignatureTiming } from './signatures.js';
import { instant, type FractionAmm, type IgrtAssessment, type LevelFacts, type LevelResult, type SessionContext } from './rules/rule.js';
import { sessionDating, type SessionDating } from './sessions.js';
import type { StereotacticPlace } from './stereotactic.js';
import { IGRT, PRE_2026, RULES_EFFECTIVE_FROM } from './tables/cpt.js';
import type {
  BillingLine,
  EngineInput,
  Fraction,
  GuidanceMethod,
  Modality,
  Prescription,
  RecordKind,
  Ref,
  SessionDetermination,
  Signoff,
  Technique,
  TreatmentLevel,
  TreatmentSummary,
} from './types.js';

/**
 * A later fraction delivered without its record (spec v3): a phase, plan or course summary of the same treatment that
 * ends after the session's last beam-off (the next beam-on was no later than its end), or whose fractions delivered
 * count beyond the session's fraction number in that phase or plan.
 */
function laterDeliveredBySummary(session: readonly Fraction[], summaries: ReadonlyMap<Ref, TreatmentSummary>): LaterDelivered | null {
  // The end test needs the session's real beam-off (a fraction recorded by one instant has none), a summary that is
  // final (an in-progress snapshot may carry a planned end), and a margin: a next fraction is hours later, never
  // seconds, and the summary's end may be the session's own beam-off written another way.
  const beamOffs = session.map((f) => (f.end !== null && f.end !== f.start ? instant(f.end) : null));
  const lastBeamOff = beamOffs.every((ms) => ms !== null) ? Math.max(...(beamOffs as number[])) : null;
  let proof: LaterDelivered | null = null;
  for (const fraction of session) {
    for (const ref of fraction.summaries) {
      const summary = summaries.get(ref);
      if (!summary) continue;
      const end = FINAL_SUMMARY.has(summary.status) ? instant(summary.end) : null;
      if (
        end !== null &&
        lastBeamOff !== null &&
        end > lastBeamOff + LATER_FRACTION_MARGIN_MS &&
        (proof?.noLaterThan == null || end < instant(proof.noLaterThan)!)
      )
        proof = { summary: summary.ref, noLaterThan: summary.end };
      const number = numberIn(fraction, summary.level);
      if (proof === null && number !== null && summary.fractionsDelivered !== null && summary.fractionsDelivered > number)
        proof = { summary: summary.ref, noLaterThan: null };
    }
  }
  return proof;
}

/** Summaries whose period is what was delivered (an in-progress snapshot's may not be). */
const FINAL_SUMMARY: ReadonlySet<string> = new Set(['completed', 'stopped']);
/** A summary must end this long after the session's beam-off to prove a later fraction. */
const LATER_FRACTION_MARGIN_MS = 60 * 60 * 1000;

/** A fraction's number in the phase or plan a summary or prescription is about (a course has no fraction numbers). */
const numberIn = (fraction: Fraction, level: TreatmentLevel | null): number | null =>
  level === 'phase' ? fraction.numberInPhase : level === 'plan' ? fraction.numberInPlan : null;

/** A fraction's number in its phase or plan, against the fractions its phase or plan prescription prescribes. */
function fractionOfPrescription(
  fraction: Fraction | undefined,
  prescriptions: ReadonlyMap<Ref, Prescription>,
): { number: number; of: number } | null {
  const prescription = fraction?.prescription ? prescriptions.get(fraction.prescription) : undefined;
  if (!fraction || !prescription || prescription.plannedFractions === null) return null;
  const number = numberIn(fraction, prescription.level);
  return number === null ? null : { number, of: prescription.plannedFractions };
}

/** A guidance record's signature as the reviewer reads it. */
function signoff(record: GuidanceRecord): Signoff {
  const { verdict } = record;
  const base = { record: record.ref, kind: record.kind, status: verdict.kind };
  // A late signature is kept (who signed, when): signature timeliness per physician in the report.
  if (verdict.kind === 'late' && verdict.signature) {
    const { signature } = verdict;
    return { ...base, signedBy: signature.by, signedAt: signature.at, signerRole: signature.role, note: verdict.reason };
  }
  if (verdict.kind !== 'in-time') return { ...base, signedBy: null, signedAt: null, signerRole: null, note: verdict.reason };
  const { signature } = verdict;
  const what = record.kind === 'images' ? 'images approved' : 'AMM record signed';
  return {
    ...base,
    signedBy: signature.by,
    signedAt: signature.at,
    signerRole: signature.role,
    note: `${what} by ${signerText(signature)} at ${signature.at ?? 'an unrecorded time'}, before the next beam-on.`,
  };
}

export interface SessionEnvironment {
  /** Each session's start, zone and date of service, computed once per session group. */
  readonly dating: ReadonlyMap<readonly Fraction[], SessionDating>;
  /** Phase, plan and course summaries by reference (a later fraction proven by them, spec v3). */
  readonly summaries: ReadonlyMap<Ref, TreatmentSummary>;
  /** Where each stereotactic session stands in its course and day (D-OUT-LIMITS), by session group. */
  readonly stereotactic: ReadonlyMap<readonly Fraction[], StereotacticPlace>;
  readonly prescriptions: ReadonlyMap<Ref, Prescription>;
  readonly drafts: ReadonlySet<Ref>;
  readonly nextBeamOn: (session: readonly Fraction[]) => string | null;
  /** The patient's next booked treatment after a session (the deadline shown for what is pending). */
  readonly nextTreatment: (session: readonly Fraction[]) => string | null;
  readonly input: EngineInput;
  /** Kinds of record the caller could not obtain. */
  readonly unread: ReadonlySet<RecordKind>;
}

/**
 * Photon isocenters of a session: the isocenters of the distinct plans treated add up, while several fraction records
 * of one plan share that plan's isocenters. A missing count is 1 only when exactly one plan is treated (fhir-input.md
 * §2) and that plan was read (a plan that could not be read may state another count); a fraction with neither a
 * count nor a plan leaves the count unknown.
 */
function photonIsocenters(fractions: readonly Fraction[]): number | null {
  const photon = fractions.filter((f) => f.plan.modalities.includes('photon'));
  const plans = new Set(fractions.map((f) => f.plannedBy));
  const byPlan = new Map<string, number | null>();
  for (const fraction of photon) {
    const plan = fraction.plannedBy;
    const planRead = plan !== null && !fraction.unresolvedPlans.includes(plan);
    const count = fraction.plan.isocenters ?? (planRead && plans.size === 1 ? 1 : null);
    const key = plan ?? fraction.ref;
    byPlan.set(key, byPlan.has(key) ? (byPlan.get(key) ?? count) : count);
  }
  let total = 0;
  for (const count of byPlan.values()) {
    if (count === null) return null;
    total += count;
  }
  return total;
}

/** The facts of a session: the fields of its fractions added up. */
export function sessionFacts(fractions: readonly Fraction[]): LevelFacts {
  return {
    modalities: new Set<Modality>(fractions.flatMap((f) => f.plan.modalities)),
    techniques: new Set<Technique>(fractions.flatMap((f) => f.plan.techniques)),
    photonIsocenters: photonIsocenters(fractions),
    amm: ammState(fractions.map((f) => ({ motion: f.delivered, recorded: recordCovers(f) }))),
    unknown: fractions.flatMap((f) => [...f.plan.unknown, ...f.delivered.unknown]),
    otherTechniques: [...new Set(fractions.flatMap((f) => f.plan.otherTechniques))],
  };
}

function clinicalLevel(facts: LevelFacts, dateOfService: string | null, place: StereotacticPlace | null): LevelResult {
  if (dateOfService === null) return { rule: 'D-UNKNOWN', code: null, missing: ['date of service (performedPeriod.start)'] };
  if (dateOfService < RULES_EFFECTIVE_FROM) return { rule: 'D-OUT', code: null, outOfFamily: PRE_2026, missing: [] };
  return beyondStereotacticLimit(deriveLevel(facts), facts, place);
}

/**
 * D-OUT-LIMITS: a stereotactic session beyond what CPT allows its course is not stereotactic by CPT. An SBRT course's
 * sixth fraction and later are coded by the delivery levels (the D rules without the SBRT technique); SRS sessions
 * after the first are fractionated stereotactic treatment, the SBRT family (G0339 stays the first session's).
 */
function beyondStereotacticLimit(level: LevelResult, facts: LevelFacts, place: StereotacticPlace | null): LevelResult {
  if (place === null || level.rule !== 'D-OUT' || place.ordinal <= place.limit.maxSessions) return level;
  const { beyond } = place.limit;
  if (beyond.kind === 'family') return { ...level, outOfFamily: beyond.family };
  return deriveLevel({ ...facts, techniques: new Set([...facts.techniques].filter((t) => t !== place.technique)) });
}

function assessIgrt(
  fractions: readonly Fraction[],
  clinical: LevelResult,
  amm: readonly FractionAmm[],
  timing: SignatureTiming,
  unread: ReadonlySet<RecordKind>,
): IgrtAssessment {
  const imageGuidance = [...new Set<GuidanceMethod>(fractions.flatMap((f) => f.delivered.imageGuidance))];
  const performed = fractions.some((f) => guidancePerformed(f.delivered));
  const family = clinical.outOfFamily;
  // An undecided level leaves 77387 undecided too: D-UNKNOWN says what is missing.
  const treatment = family ? family.igrt : clinical.code === null ? 'not-applicable' : 'separate';
  const treatmentRule = family ? family.igrtRule : 'I-PC';
  const records = guidanceRecords(
    fractions,
    amm.map((a) => a.fraction),
    timing,
  );
  const recordsUnread = unread.has('amm-records') && amm.some((a) => a.fraction.ammRecords.length === 0);
  const status = treatment === 'separate' && performed ? igrtSignStatus(records, timing, recordsUnread) : 'none';
  return { performed, imageGuidance, treatment, treatmentRule, status, records, recordsUnread };
}

function billingLines(context: SessionContext): BillingLine[] {
  const { supported, igrt } = context;
  const lines: BillingLine[] = [];
  if (supported.code) lines.push({ code: supported.code, units: 1, status: 'bill', rule: supported.rule });
  if (igrt.performed && igrt.treatment === 'separate') {
    if (igrt.status === 'billable' || igrt.status === 'pending') {
      lines.push({ code: IGRT.professional, units: 1, status: igrt.status === 'billable' ? 'bill' : 'pending', rule: igrt.treatmentRule });
    }
    if (supported.code) lines.push({ code: `${IGRT.global}-TC`, units: 1, status: 'bundled', rule: 'I-TC' });
  }
  if (igrt.performed && igrt.treatment === 'bundled') lines.push({ code: IGRT.global, units: 1, status: 'bundled', rule: 'I-BUNDLED' });
  if (context.fractions.some((f) => f.delivered.portImages)) lines.push({ code: IGRT.portImages, units: 1, status: 'bundled', rule: 'I-PORT' });
  return lines;
}

/** The units the record no longer supports: a 77387-26 whose guidance was not signed before the next fraction. */
function lostLines(context: SessionContext): BillingLine[] {
  const { igrt } = context;
  return igrt.performed && igrt.treatment === 'separate' && igrt.status === 'not-supportable'
    ? [{ code: IGRT.professional, units: 1, status: 'bill', rule: igrt.treatmentRule }]
    : [];
}

/**
 * The AMM order of a fraction: of the prescriptions in its basedOn chain (plan → phase → course), the nearest that
 * carries motion management, else the nearest one.
 */
function ammPrescription(fraction: Fraction, prescriptions: ReadonlyMap<Ref, Prescription>): Prescription | null {
  const chain = fraction.basedOn.map((ref) => prescriptions.get(ref)).filter((p): p is Prescription => p !== undefined);
  return (
    chain.find((p) => carriesMotionManagement(p.ordered)) ??
    chain[0] ??
    (fraction.prescription ? (prescriptions.get(fraction.prescription) ?? null) : null)
  );
}

/** Evaluates one treatment session (its completed fractions) against every rule. */
export function evaluateSession(fractions: readonly Fraction[], env: SessionEnvironment): SessionDetermination {
  const ordered = [...fractions].sort((a, b) => (instant(a.start) ?? 0) - (instant(b.start) ?? 0) || a.ref.localeCompare(b.ref));
  const { start, zone, dateOfService } = env.dating.get(fractions) ?? sessionDating(ordered, env.input.clinicTimeZone ?? null);
  const facts = sessionFacts(ordered);
  const stereotactic = env.stereotactic.get(fractions) ?? null;
  const clinical = clinicalLevel(facts, dateOfService, stereotactic);
  const nextBeamOn = env.nextBeamOn(ordered);
  const nextTreatment = env.nextTreatment(ordered);
  const { unread } = env;
  const timing: SignatureTiming = {
    nextBeamOn,
    nextBeamOnKnown: !unread.has('later-fractions'),
    signaturesRead: !unread.has('signatures'),
    laterDelivered: nextBeamOn === null ? laterDeliveredBySummary(ordered, env.summaries) : null,
  };

  const amm: FractionAmm[] = ordered.filter(fractionQualifies).map((fraction) => {
    const prescription = ammPrescription(fraction, env.prescriptions);
    return {
      fraction,
      prescription,
      order: ammOrderCheck(fraction, prescription, env.drafts, !unread.has('orders')),
      record: ammRecordCheck(fraction, !unread.has('amm-records')),
    };
  });
  const withoutAmm = clinical.rule === 'D-3-AMM' ? deriveLevel({ ...facts, amm: false }) : clinical;
  const dependsOnAmmAlone = clinical.rule === 'D-3-AMM' && withoutAmm.code !== clinical.code;
  // Only documentation shown to be missing lowers the code: what could not be read is "could not be checked".
  const ammDocumented = amm.every((a) => a.order.problems.length === 0 && a.record.kind !== 'problem');
  const supported = clinical.rule === 'D-3-AMM' && !ammDocumented ? withoutAmm : clinical;
  const igrt = assessIgrt(ordered, clinical, amm, timing, unread);

  const context: SessionContext = {
    fractions: ordered,
    facts,
    clinical,
    supported,
    dependsOnAmmAlone,
    amm,
    igrt,
    nextBeamOn,
    nextTreatment,
    inScope: dateOfService !== null && dateOfService >= RULES_EFFECTIVE_FROM,
    dateOfService,
    stereotactic,
    authorizations: authorizationsFor(env.input.authorizations, ordered[0]?.patient ?? null, dateOfService),
    unread,
    physicianOf: (fraction) => (fraction.prescription ? (env.prescriptions.get(fraction.prescription)?.requester ?? null) : null),
    payer: matchPolicy(env.input.policies, coveragesOf(env.input, ordered[0]?.patient ?? null), dateOfService),
  };
  const findings = RULES.flatMap((rule) => rule.session?.(context) ?? []);
  const lines = billingLines(context);
  const first = ordered[0];
  const encounter = first?.encounter ?? null;
  const setting = encounter ? env.input.siteOfService[encounter] : undefined;
  // No code until the record is completed (a fact missing): not a session coded in another family, nor one before 2026.
  const noCode = supported.code === null && supported.rule === 'D-UNKNOWN';

  return {
    fractions: ordered.map((f) => f.ref),
    encounter,
    patient: first?.patient ?? null,
    start,
    dateOfService,
    timeZone: zone,
    deliveryCode: clinical.code,
    deliveryRule: clinical.rule,
    ...(clinical.outOfFamily ? { outOfFamily: clinical.outOfFamily.family } : {}),
    supportedDeliveryCode: supported.code,
    supportedDeliveryRule: supported.rule,
    igrtProfessional: igrt.status === 'billable' || igrt.status === 'pending' ? IGRT.professional : null,
    igrtStatus: igrt.status,
    lines,
    facts: {
      modalities: [...facts.modalities],
      techniques: [...facts.techniques],
      photonIsocenters: facts.modalities.has('photon') ? facts.photonIsocenters : null,
      activeMotionManagement: facts.amm === true,
      imageGuidance: igrt.imageGuidance,
      intrafraction: [...new Set(ordered.flatMap((f) => f.delivered.intrafraction))],
      portImages: ordered.some((f) => f.delivered.portImages),
      nextBeamOn,
      nextTreatment,
      fraction: fractionOfPrescription(first, env.prescriptions),
    },
    signoffs: igrt.records.map(signoff),
    estimate: estimatePayment(lines, context.payer, setting, dateOfService),
    money: sessionMoney(lines, lostLines(context), context.payer, setting, dateOfService, noCode),
    findings: sortFindings(findings),
  };
}
