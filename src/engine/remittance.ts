import { authorizationsFor } from './authorizations.js';
import { sortFindings } from './findings.js';
import { coveragesOf, matchPolicy, policyRate } from './policy.js';
import type { RemittanceClaim, RemittanceLine, RemittanceLineDetermination } from './remittance-types.js';
import { REMITTANCE_RULES } from './rules/index.js';
import type { RemittanceContext, RemittanceVerdict } from './rules/remittance-rule.js';
import { carcText, rarcText } from './tables/carc.js';
import type { ChargeDetermination, Determination, EngineInput, Finding, Ref, SessionDetermination } from './types.js';

/** CLP02 22: a reversal of a previously paid claim. */
const REVERSAL = '22';

/**
 * A payer's later word on a claim replaces its earlier one: a reversal (CLP02 22) cancels the claims before it with
 * the same claim id (and payer claim number, when both give one) and is itself no payment; a corrected claim after
 * it stands.
 */
export function effectiveClaims(claims: readonly RemittanceClaim[]): RemittanceClaim[] {
  const kept: RemittanceClaim[] = [];
  for (const claim of claims) {
    if (claim.status === REVERSAL) {
      const same = (other: RemittanceClaim) =>
        other.claimId === claim.claimId &&
        (other.payerClaimNumber === null || claim.payerClaimNumber === null || other.payerClaimNumber === claim.payerClaimNumber);
      for (let i = kept.length - 1; i >= 0; i--) if (same(kept[i]!)) kept.splice(i, 1);
      continue;
    }
    kept.push(claim);
  }
  return kept;
}

/** Which patient a claim is about: the EOB's patient, else CLP01 among identifiers, else the member id (NM1*QC). */
function patientOf(claim: RemittanceClaim, input: EngineInput, patients: ReadonlySet<Ref>): Ref | null {
  if (claim.patient && patients.has(claim.patient)) return claim.patient;
  const byId = claim.claimId ? input.patientIdentifiers?.[claim.claimId] : undefined;
  if (byId) return byId;
  if (claim.memberId) {
    const all = input.coverages ?? Object.fromEntries(Object.entries(input.payers).map(([p, payer]) => [p, [payer]]));
    for (const [patient, coverages] of Object.entries(all)) if (coverages.some((c) => (c.memberIds ?? []).includes(claim.memberId!))) return patient;
  }
  return claim.patient;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * Joins remittance to the determination (spec E): each line matched to its charge (control number, else patient +
 * date + code with modifiers) and session (the charge's, else the patient's session that date); the E rules decide
 * each line, the first that applies; findings go on the session, or the top when none matched.
 */
export function withRemittance(input: EngineInput, determination: Determination): Determination {
  if (!input.remittance || input.remittance.length === 0 || input.focusEncounters !== undefined) return determination;
  const sessions = determination.sessions;
  const charges = determination.charges ?? [];
  const patients = new Set<Ref>(sessions.flatMap((s) => (s.patient ? [s.patient] : [])));
  for (const charge of input.charges ?? []) if (charge.patient) patients.add(charge.patient);

  const chargeOf = new Map<string, ChargeDetermination>();
  const entryOf = (ref: Ref, item: number | null) => charges.find((c) => c.charge === ref && (c.item ?? null) === item);
  for (const charge of input.charges ?? []) {
    const entry = entryOf(charge.ref, charge.item);
    if (entry) for (const id of charge.identifiers ?? []) chargeOf.set(id, entry);
  }
  const sessionOfRef = new Map<Ref, SessionDetermination>();
  for (const session of sessions) {
    if (session.encounter) sessionOfRef.set(session.encounter, session);
    for (const fraction of session.fractions) sessionOfRef.set(fraction, session);
  }

  const sessionFindings = new Map<SessionDetermination, Finding[]>();
  const top: Finding[] = [];
  const lines: RemittanceLineDetermination[] = [];
  for (const claim of effectiveClaims(input.remittance)) {
    const patient = patientOf(claim, input, patients);
    if (input.remittanceForOthers && (patient === null || !patients.has(patient))) continue;
    for (const line of claim.lines) {
      const billedCode = line.billedCode ?? line.code;
      const billedModifiers = line.billedCode !== null ? line.billedModifiers : line.modifiers;
      const billedLabel = [billedCode, ...billedModifiers].join('-');
      const { charge, session, by } = match(line, claim, patient, billedCode, billedModifiers, chargeOf, charges, sessions, sessionOfRef);
      const date = session?.dateOfService ?? line.date;
      const payer = matchPolicy(input.policies, coveragesOf(input, patient), date);
      const setting = (session?.encounter ? input.siteOfService[session.encounter] : undefined) ?? 'non-facility';
      const row = date ? policyRate(payer.policy, billedLabel, setting, date) : undefined;
      const context: RemittanceContext = {
        line,
        claim,
        patient,
        billedCode,
        billedModifiers,
        billedLabel,
        charge,
        session,
        payer,
        rate: row?.amount == null ? null : Math.round(row.amount * line.units * 100) / 100,
        authorizations: authorizationsFor(input.authorizations, patient, date),
        carriedForward2025: session?.findings.some((f) => f.rule === 'C-AUTH-2025') ?? false,
        reasons: line.adjustments.map((a) => a.reason),
      };
      let verdict: RemittanceVerdict | null = null;
      let rule: string | null = null;
      for (const candidate of REMITTANCE_RULES) {
        verdict = candidate.line(context);
        if (verdict) {
          rule = verdict.finding ? candidate.id : null;
          break;
        }
      }
      if (verdict?.finding) {
        if (session) sessionFindings.set(session, [...(sessionFindings.get(session) ?? []), verdict.finding]);
        else top.push(verdict.finding);
      }
      lines.push({
        origin: line.origin,
        patient,
        code: [line.code, ...line.modifiers].join('-'),
        billedCode: billedLabel,
        date: line.date,
        paid: line.paid,
        charged: line.charged,
        charge: charge?.charge ?? null,
        session: session ? (session.encounter ?? session.fractions[0] ?? null) : null,
        matchedBy: by,
        payer: claim.payerName,
        policy: payer.policy?.id ?? null,
        status: line.paid === 0 ? 'denied' : line.adjustments.some((a) => a.group !== 'PR' && a.reason !== '45' && a.amount > 0) ? 'reduced' : 'paid',
        rule,
        appealable: verdict?.appealable === true && verdict.finding !== null,
        expected: context.rate,
        reasons: line.adjustments.map((a) => ({ group: a.group, code: a.reason, amount: a.amount, text: carcText(a.reason) })),
        remarks: line.remarks.map((code) => ({ code, text: rarcText(code) })),
      });
    }
  }
  return {
    ...determination,
    sessions: sessions.map((session) => {
      const added = sessionFindings.get(session);
      return added ? { ...session, findings: sortFindings([...session.findings, ...added]) } : session;
    }),
    findings: sortFindings([...determination.findings, ...top]),
    remittance: lines,
  };
}

function match(
  line: RemittanceLine,
  claim: RemittanceClaim,
  patient: Ref | null,
  code: string,
  modifiers: readonly string[],
  chargeOf: ReadonlyMap<string, ChargeDetermination>,
  charges: readonly ChargeDetermination[],
  sessions: readonly SessionDetermination[],
  sessionOfRef: ReadonlyMap<Ref, SessionDetermination>,
): { charge: ChargeDetermination | null; session: SessionDetermination | null; by: RemittanceLineDetermination['matchedBy'] } {
  const sessionOf = (charge: ChargeDetermination) => (charge.session ? (sessionOfRef.get(charge.session) ?? null) : null);
  const keys = line.controlNumber ? [line.controlNumber, ...(claim.claimId ? [`${claim.claimId}#${line.controlNumber}`] : [])] : [];
  for (const key of keys) {
    const charge = chargeOf.get(key);
    if (charge && (patient === null || charge.patient === null || charge.patient === patient))
      return { charge, session: sessionOf(charge), by: 'control-number' };
  }
  if (patient === null || line.date === null) return { charge: null, session: null, by: null };
  const byDate = charges.find(
    (c) => c.patient === patient && c.dateOfService === line.date && c.code.split('-')[0] === code && sameList(c.modifiers, modifiers),
  );
  if (byDate) return { charge: byDate, session: sessionOf(byDate), by: 'patient-date-code' };
  const session = sessions.find((s) => s.patient === patient && s.dateOfService === line.date) ?? null;
  return { charge: null, session, by: session ? 'session' : null };
}
