import { sortFindings } from './findings.js';
import { evaluateOrder } from './order.js';
import { withCharges } from './reconcile.js';
import { POPULATION_RULES } from './rules/index.js';
import { instant } from './rules/rule.js';
import { evaluateSession } from './session.js';
import { groupSessions, nextBeamOnIndex } from './sessions.js';
import { DELIVERY_CODES, DELIVERY_CODE_SET, EXPECTED_LEVEL3_SHARE } from './tables/cpt.js';
import { utilizationGroups } from './utilization.js';
import type { Determination, EngineInput, SessionDetermination, Utilization } from './types.js';

/**
 * The billing determination for everything in the input: one entry per treatment session, one per
 * prescription, and population findings. Pure and deterministic: no I/O, no clock, stable order.
 */
export function evaluate(input: EngineInput): Determination {
  const focus = input.focusEncounters ? new Set(input.focusEncounters) : null;
  const completed = input.fractions.filter((fraction) => fraction.status === 'completed');
  const environment = {
    prescriptions: new Map(input.prescriptions.map((p) => [p.ref, p])),
    drafts: new Set(input.draftOrders ?? []),
    nextBeamOn: nextBeamOnIndex(completed),
    input,
  };

  const sessions = groupSessions(completed)
    .filter((group) => focus === null || group.some((fraction) => fraction.encounter !== null && focus.has(fraction.encounter)))
    .map((group) => evaluateSession(group, environment))
    .sort((a, b) => (instant(a.start) ?? Infinity) - (instant(b.start) ?? Infinity) || (a.fractions[0] ?? '').localeCompare(b.fractions[0] ?? ''));

  // A focused evaluation (encounter-discharge) is about its sessions; orders are evaluated at order-sign.
  const orders =
    focus !== null
      ? []
      : input.prescriptions
          .map((order) => evaluateOrder(order, input.authorizations, environment.drafts))
          .sort((a, b) => a.order.localeCompare(b.order));

  const inFocus = input.fractions.filter((f) => focus === null || (f.encounter !== null && focus.has(f.encounter)));
  const utilization = utilizationOf(sessions);
  // A-UTIL is about a population (a course, a department); one focused session is not one.
  const population = focus === null ? POPULATION_RULES.utilization.population(utilizationGroups(sessions)) : [];
  const findings = [...POPULATION_RULES.notDelivered.population(inFocus), ...population];
  return withCharges(input, { sessions, orders, findings: sortFindings(findings), utilization });
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
