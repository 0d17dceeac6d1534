import { sortFindings } from './findings.js';
import { evaluateOrders } from './order.js';
import { evaluatePhases } from './phases.js';
import { coveragesOf } from './policy.js';
import { withEdits } from './edits.js';
import { withCharges } from './reconcile.js';
import { withRemittance } from './remittance.js';
import { POPULATION_RULES, RULES } from './rules/index.js';
import { sortedByInstant, type RecordContext } from './rules/rule.js';
import { evaluateSession } from './session.js';
import { groupSessions, nextBeamOnIndex, nextTreatmentIndex, sessionDating, wasDelivered } from './sessions.js';
import { stereotacticPlaces } from './stereotactic.js';
import { DELIVERY_CODES, DELIVERY_CODE_SET, EXPECTED_LEVEL3_SHARE } from './tables/cpt.js';
import type {
  Determination,
  EngineInput,
  Fraction,
  OrderDetermination,
  PhaseDetermination,
  Ref,
  SessionDetermination,
  Utilization,
} from './types.js';
import { utilizationGroups } from './utilization.js';

/**
 * The billing determination for everything in the input: one entry per treatment session, one per
 * prescription, one per phase known only from a summary, and findings about the records as a whole.
 * Pure and deterministic: no I/O, no clock, stable order.
 */
export function evaluate(input: EngineInput): Determination {
  const focus = input.focusEncounters ? new Set(input.focusEncounters) : null;
  const completed = input.fractions.filter(wasDelivered);
  const allGroups = groupSessions(completed);
  const dating = new Map(allGroups.map((group) => [group, sessionDating(group, input.clinicTimeZone ?? null)]));
  const environment = {
    dating,
    stereotactic: stereotacticPlaces(allGroups, dating),
    summaries: new Map(input.summaries.map((summary) => [summary.ref, summary])),
    prescriptions: new Map(input.prescriptions.map((p) => [p.ref, p])),
    drafts: new Set(input.draftOrders ?? []),
    nextBeamOn: nextBeamOnIndex(completed),
    nextTreatment: nextTreatmentIndex(input.appointments ?? []),
    input,
    unread: new Set(input.unread?.map((u) => u.kind)),
  };

  const sessionGroups = allGroups.filter(
    (group) => focus === null || group.some((fraction) => fraction.encounter !== null && focus.has(fraction.encounter)),
  );
  const evaluated = sessionGroups.map((fractions) => ({ fractions, session: evaluateSession(fractions, environment) }));
  const sessions = sortedByInstant(
    evaluated.map(({ session }) => session),
    (session) => session.start,
    (session) => session.fractions[0] ?? '',
  );

  // A focused evaluation (encounter-discharge) is about its sessions, and the phases they belong to; orders are
  // evaluated at order-sign.
  const orders =
    focus !== null
      ? []
      : evaluateOrders(input.prescriptions, {
          authorizations: input.authorizations,
          drafts: environment.drafts,
          asOf: input.asOf,
          clinicTimeZone: input.clinicTimeZone ?? null,
          unread: environment.unread,
          policies: input.policies,
          coverages: (patient) => coveragesOf(input, patient),
        });
  const focusSummaries = focus === null ? undefined : new Set(sessionGroups.flat().flatMap((fraction) => fraction.summaries));
  // A window of the course's fractions cannot be counted against what its summaries report delivered.
  const phases = input.fractionWindow ? [] : evaluatePhases(input.summaries, completed, input.clinicTimeZone ?? null, focusSummaries);

  const utilization = utilizationOf(sessions);
  // A-UTIL is about a population (20+ sessions of more than one patient); one focused session is not one.
  const population = focus === null ? POPULATION_RULES.utilization.population(utilizationGroups(sessions)) : [];
  const records = recordContext(input, focus, evaluated, orders, phases);
  const findings = [...population, ...RULES.flatMap((rule) => rule.record?.(records) ?? [])];
  const reconciled = withCharges(input, {
    sessions,
    orders,
    phases,
    findings: sortFindings(findings),
    utilization,
    ...(input.unread?.length ? { unread: input.unread } : {}),
  });
  return withEdits(input, withRemittance(input, reconciled));
}

/**
 * Which resources the subjects in view read, and which only out-of-family subjects read (an unrecognised code there
 * changes no code: FHIR-INPUT stays quiet, as the spec asks).
 */
function recordContext(
  input: EngineInput,
  focus: ReadonlySet<Ref> | null,
  sessions: readonly { readonly fractions: readonly Fraction[]; readonly session: SessionDetermination }[],
  orders: readonly OrderDetermination[],
  phases: readonly PhaseDetermination[],
): RecordContext {
  const inFamily = new Set<Ref>();
  const outOfFamily = new Set<Ref>();
  const add = (refs: readonly Ref[], rule: string) => {
    for (const ref of refs) (rule === 'D-OUT' ? outOfFamily : inFamily).add(ref);
  };
  for (const { fractions, session } of sessions)
    add(
      fractions.flatMap((fraction) => fraction.factSources),
      session.deliveryRule,
    );
  for (const order of orders) add([order.order], order.deliveryRule);
  const summaries = new Map(input.summaries.map((s) => [s.ref, s]));
  for (const phase of phases)
    add(
      [phase.procedure, ...phase.snapshots].flatMap((ref) => summaries.get(ref)?.factSources ?? []),
      phase.deliveryRule,
    );
  // Without a focus every resource read is in view, summaries not coded on their own included.
  const read = focus === null ? new Set(input.unrecognised.map((fact) => fact.resource)) : new Set([...inFamily, ...outOfFamily]);
  return {
    input,
    focus,
    read,
    outOfFamilyOnly: new Set([...outOfFamily].filter((ref) => !inFamily.has(ref))),
    sessions: sessions.map(({ session }) => session),
    orders,
  };
}

/** The 77412 share among sessions billed with a delivery-level code (A-UTIL). */
export function utilizationOf(sessions: readonly SessionDetermination[]): Utilization {
  const leveled = sessions.filter((s) => s.supportedDeliveryCode !== null && DELIVERY_CODE_SET.has(s.supportedDeliveryCode));
  const level3 = leveled.filter((s) => s.supportedDeliveryCode === DELIVERY_CODES.level3).length;
  return {
    sessions: leveled.length,
    level3,
    share: leveled.length === 0 ? null : Math.round((level3 / leveled.length) * 1000) / 1000,
    expectedShare: EXPECTED_LEVEL3_SHARE,
  };
}
