import { sortFindings } from './findings.js';
import { CHARGE_RULES } from './rules/index.js';
import type { ChargeVerdict, ClassifiedCharge, PatientCharges, SessionCharges } from './rules/charge-rule.js';
import { CHARGE_KINDS, MODIFIERS } from './tables/charges.js';
import { RULES_EFFECTIVE_FROM } from './tables/cpt.js';
import { localDate } from './calendar.js';
import { sortedByInstant } from './rules/rule.js';
import { wasDelivered } from './sessions.js';
import { coveragesOf, matchPolicy, policyRate, type PolicyMatch } from './policy.js';
import type {
  Charge,
  ChargeDetermination,
  ChargeStatus,
  Determination,
  EngineInput,
  Finding,
  PayerKind,
  RecordKind,
  Ref,
  SessionDetermination,
} from './types.js';

/** When several B rules name one charge, the status the charge shows (most serious first). */
const STATUS_PRECEDENCE: readonly ChargeStatus[] = ['deleted', 'duplicate', 'not-supported', 'level', 'unmatched', 'matches'];

/**
 * Reconciles the charges on file with the sessions (spec B): matches each charge to its session, runs the B rules,
 * and returns the determination with the `charges` list and the B findings (on their sessions, or at the top).
 * Charges that were not read (`input.charges` absent) and a focused evaluation (one session at discharge, when
 * charges are not posted yet) leave the determination as it is.
 */
export function withCharges(input: EngineInput, determination: Determination): Determination {
  if (input.charges === undefined || input.focusEncounters !== undefined) return determination;

  const onFile = new Map<Ref | null, number>();
  for (const charge of input.charges) onFile.set(charge.patient, (onFile.get(charge.patient) ?? 0) + 1);
  const zones = patientZones(determination.sessions, input.clinicTimeZone ?? null);
  const unread = new Set(input.unread?.map((u) => u.kind));
  const classified = input.charges.flatMap((charge) => classify(charge, zones(charge.patient)));
  const matches = matchCharges(classified, determination.sessions, input, zones);

  const policyOn = (patient: Ref | null, date: string | null): PolicyMatch => matchPolicy(input.policies, coveragesOf(input, patient), date);
  const rate = (code: string, date: string | null, session: SessionDetermination | null, patient: Ref | null): number | null => {
    const when = date ?? session?.dateOfService ?? null;
    if (!when) return null;
    const setting = (session?.encounter ? input.siteOfService[session.encounter] : undefined) ?? 'non-facility';
    return policyRate(policyOn(patient, when).policy, code, setting, when)?.amount ?? null;
  };

  const verdicts: { verdict: ChargeVerdict; session: SessionDetermination | null }[] = [];
  const sessionsOf = groupBy(determination.sessions, (s) => s.patient);
  const chargesOf = groupBy(classified, (c) => c.charge.patient);
  const chargesAt = groupBy(classified, (c) => matches.get(c) ?? null);
  const patients = new Set<Ref | null>([...sessionsOf.keys(), ...input.charges.map((c) => c.patient)]);
  for (const patient of patients) {
    const sessions = sessionsOf.get(patient) ?? [];
    if ((onFile.get(patient) ?? 0) > 0) {
      for (const session of sessions) {
        const context = sessionCharges(
          session,
          chargesAt.get(session) ?? [],
          input.payers[patient ?? '']?.kind ?? null,
          policyOn(patient, session.dateOfService),
          (code) => rate(code, null, session, patient),
          unread,
        );
        for (const rule of CHARGE_RULES) for (const verdict of rule.session?.(context) ?? []) verdicts.push({ verdict, session });
      }
    }
    const context: PatientCharges = {
      patient,
      sessions,
      charges: (chargesOf.get(patient) ?? []).map((charge) => ({ charge, session: matches.get(charge) ?? null })),
      onFile: onFile.get(patient) ?? 0,
      onFileInInput: Math.max(input.charges.length, input.chargesInInput ?? 0),
      payer: input.payers[patient ?? '']?.kind ?? null,
      policy: policyOn(patient, sessions[0]?.dateOfService ?? null),
      unread,
      rate: (code, date, session) => rate(code, date, session, patient),
    };
    for (const rule of CHARGE_RULES) for (const verdict of rule.patient?.(context) ?? []) verdicts.push({ verdict, session: verdict.at ?? null });
  }
  const verdictsOf = new Map<ClassifiedCharge, ChargeVerdict[]>();
  for (const { verdict } of verdicts) for (const { charge } of verdict.charges) verdictsOf.set(charge, [...(verdictsOf.get(charge) ?? []), verdict]);

  const sessionFindings = new Map<SessionDetermination, Finding[]>();
  const topFindings: Finding[] = [];
  for (const { verdict, session } of verdicts) {
    if (verdict.scope === 'session' && session) sessionFindings.set(session, [...(sessionFindings.get(session) ?? []), verdict.finding]);
    else topFindings.push(verdict.finding);
  }

  return {
    ...determination,
    sessions: determination.sessions.map((session) => {
      const added = sessionFindings.get(session);
      return added ? { ...session, findings: sortFindings([...session.findings, ...added]) } : session;
    }),
    findings: sortFindings([...determination.findings, ...topFindings]),
    // The list is there when charges are on file (fhir-input.md §3); B-NONE says when none are.
    ...(input.charges.length > 0
      ? {
          charges: classified
            .filter((charge) => charge.kind !== 'unreadable')
            .map((charge) => chargeEntry(charge, matches.get(charge) ?? null, verdictsOf.get(charge) ?? []))
            .sort(byDateThenRef),
        }
      : {}),
  };
}

/**
 * The zones a patient's charges are dated in: those of the patient's sessions (a charge stamped in UTC for an evening
 * session in Los Angeles is that session's date there), else the configured zone, else the offset written (`null`).
 */
function patientZones(sessions: readonly SessionDetermination[], configured: string | null): (patient: Ref | null) => readonly (string | null)[] {
  const zones = new Map<Ref | null, Set<string | null>>();
  for (const session of sessions) {
    const set = zones.get(session.patient) ?? new Set();
    set.add(session.timeZone);
    zones.set(session.patient, set);
  }
  return (patient) => [...(zones.get(patient) ?? [configured])];
}

function classify(charge: Charge, zones: readonly (string | null)[]): ClassifiedCharge[] {
  const date = charge.date === null ? null : localDate(charge.date, zones[0] ?? null);
  // A charge without a readable code still belongs to a session: what it charges is unknown, not absent.
  if (charge.code === null)
    return date !== null && date < RULES_EFFECTIVE_FROM
      ? []
      : [{ charge, kind: 'unreadable', label: '(no CPT or HCPCS code)', ref: charge.ref, date }];
  const kind = CHARGE_KINDS.get(charge.code);
  // Charges dated before 2026 were billed under the 2025 code set: not reconciled here.
  if (!kind || (date !== null && date < RULES_EFFECTIVE_FROM)) return [];
  const label = [charge.code, ...charge.modifiers].join('-');
  return [{ charge, kind, label, ref: charge.ref, date }];
}

/** Which of a session's charge lists a charge competes in (one delivery code, one 77387-26 per session). */
function group(charge: ClassifiedCharge): 'delivery' | 'professional' | 'technical' | 'deleted' | 'unreadable' {
  if (charge.kind === 'unreadable') return 'unreadable';
  if (charge.kind === 'delivery' || charge.kind === 'delivery-other') return 'delivery';
  if (charge.kind === 'guidance') return charge.charge.modifiers.includes(MODIFIERS.technical) ? 'technical' : 'professional';
  if (charge.kind === 'port-images') return 'technical';
  return 'deleted';
}

/**
 * A charge belongs to a session through its Encounter or Procedure reference; a charge that names only fractions
 * or encounters that were not delivered belongs to none; otherwise by patient and date of service, the clinic's
 * calendar date in each session's zone. Of several sessions on one date (twice-daily treatment), the charges are taken
 * in time order, each to the first session that has no charge of its kind yet: never twice to one session while
 * another of that date lacks one.
 */
function matchCharges(
  charges: readonly ClassifiedCharge[],
  sessions: readonly SessionDetermination[],
  input: EngineInput,
  zones: (patient: Ref | null) => readonly (string | null)[],
): Map<ClassifiedCharge, SessionDetermination> {
  const byReference = new Map<Ref, SessionDetermination>();
  const byPatientDay = new Map<string, SessionDetermination[]>();
  const dayKey = (patient: Ref | null, zone: string | null, date: string) => `${patient ?? ''}|${zone ?? ''}|${date}`;
  for (const session of sessions) {
    if (session.encounter) byReference.set(session.encounter, session);
    for (const fraction of session.fractions) byReference.set(fraction, session);
    const key = dayKey(session.patient, session.timeZone, session.dateOfService ?? '');
    const list = byPatientDay.get(key);
    if (list) list.push(session);
    else byPatientDay.set(key, [session]);
  }
  const notDelivered = new Set<Ref>();
  for (const fraction of input.fractions) {
    if (wasDelivered(fraction)) continue;
    notDelivered.add(fraction.ref);
    if (fraction.encounter && !byReference.has(fraction.encounter)) notDelivered.add(fraction.encounter);
  }

  const matched = new Map<ClassifiedCharge, SessionDetermination>();
  const byDate: ClassifiedCharge[] = [];
  for (const charge of charges) {
    const named = [...charge.charge.encounters, ...charge.charge.procedures];
    const session = named.map((ref) => byReference.get(ref)).find((s) => s !== undefined);
    if (session) matched.set(charge, session);
    else if (!named.some((ref) => notDelivered.has(ref))) byDate.push(charge);
  }
  const kindsAt = new Map<SessionDetermination, Set<string>>();
  const take = (charge: ClassifiedCharge, session: SessionDetermination) => {
    matched.set(charge, session);
    kindsAt.set(session, (kindsAt.get(session) ?? new Set()).add(group(charge)));
  };
  for (const [charge, session] of matched) take(charge, session);
  const inTimeOrder = sortedByInstant(
    byDate,
    (charge) => charge.charge.date,
    (charge) => `${charge.ref}#${charge.charge.item ?? 0}`,
  );
  for (const charge of inTimeOrder) {
    const { patient, date } = charge.charge;
    const candidates = date === null ? [] : zones(patient).flatMap((zone) => byPatientDay.get(dayKey(patient, zone, localDate(date, zone))) ?? []);
    const open = candidates.filter((s) => !kindsAt.get(s)?.has(group(charge)));
    // A charge dated without a time cannot be put in time order: among that date's sessions it goes first to one whose
    // supportable code it is (two date-only charges, 77407 and 77412, for a 77412 morning and a 77407 afternoon).
    const byCode =
      date !== null && date.length <= 10 && group(charge) === 'delivery'
        ? open.find((s) => s.supportedDeliveryCode === charge.charge.code)
        : undefined;
    const session = byCode ?? open[0] ?? candidates[0];
    if (session) take(charge, session);
  }
  return matched;
}

function sessionCharges(
  session: SessionDetermination,
  charges: readonly ClassifiedCharge[],
  payer: PayerKind | null,
  policy: PolicyMatch,
  rate: (code: string) => number | null,
  unread: ReadonlySet<RecordKind>,
): SessionCharges {
  const of = (wanted: ReturnType<typeof group>) => charges.filter((c) => group(c) === wanted);
  // The best-matching charge first: it is the one judged; the others are the duplicates.
  const delivery = of('delivery').sort(
    (a, b) =>
      Number(b.charge.code === session.supportedDeliveryCode) - Number(a.charge.code === session.supportedDeliveryCode) ||
      Number(b.kind === 'delivery') - Number(a.kind === 'delivery') ||
      a.ref.localeCompare(b.ref),
  );
  const professional = of('professional').sort(
    (a, b) =>
      Number(b.charge.modifiers.includes(MODIFIERS.professional)) - Number(a.charge.modifiers.includes(MODIFIERS.professional)) ||
      a.ref.localeCompare(b.ref),
  );
  return {
    session,
    delivery,
    professional,
    technical: of('technical'),
    deleted: of('deleted'),
    unreadable: of('unreadable'),
    payer,
    policy,
    rate,
    unread,
  };
}

function chargeEntry(charge: ClassifiedCharge, session: SessionDetermination | null, verdicts: readonly ChargeVerdict[]): ChargeDetermination {
  const naming = verdicts
    .flatMap((verdict) =>
      verdict.status === null
        ? []
        : verdict.charges
            .filter((c) => c.charge === charge)
            .map((c) => ({ status: verdict.status!, rule: verdict.finding.rule, amount: c.amountAtRisk })),
    )
    .sort((a, b) => STATUS_PRECEDENCE.indexOf(a.status) - STATUS_PRECEDENCE.indexOf(b.status));
  const decided = naming[0];
  return {
    charge: charge.ref,
    ...(charge.charge.item !== null ? { item: charge.charge.item } : {}),
    patient: charge.charge.patient,
    code: charge.label,
    modifiers: charge.charge.modifiers,
    date: charge.charge.date,
    dateOfService: charge.date,
    session: session ? (session.encounter ?? session.fractions[0] ?? null) : null,
    status: decided?.status ?? (session ? 'matches' : 'unmatched'),
    ...(decided ? { rule: decided.rule, amountAtRisk: decided.amount } : {}),
  };
}

const byDateThenRef = (a: ChargeDetermination, b: ChargeDetermination) =>
  (a.date ?? '').localeCompare(b.date ?? '') || a.charge.localeCompare(b.charge) || (a.item ?? 0) - (b.item ?? 0);

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
