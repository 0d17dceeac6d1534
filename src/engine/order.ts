import { authorizationsFor } from './authorizations.js';
import { inputFindings, sortFindings } from './findings.js';
import { deriveLevel } from './level.js';
import { qualifiesAsAmm } from './rules/A-QUAL.js';
import { RULES } from './rules/index.js';
import type { LevelFacts, LevelResult, OrderContext } from './rules/rule.js';
import { PRE_2026, RULES_EFFECTIVE_FROM } from './tables/cpt.js';
import type { Authorization, OrderDetermination, Prescription, Ref } from './types.js';

/** The facts an order describes. A prescription is one plan: a missing isocenter count is 1. */
export function orderFacts(order: Prescription): LevelFacts {
  return {
    modalities: new Set(order.plan.modalities),
    techniques: new Set(order.plan.techniques),
    photonIsocenters: order.plan.isocenters ?? 1,
    amm: qualifiesAsAmm(order.ordered),
  };
}

function expectedLevel(facts: LevelFacts, serviceDate: string | null): LevelResult {
  if (serviceDate !== null && serviceDate.slice(0, 10) < RULES_EFFECTIVE_FROM)
    return { rule: 'D-OUT', code: null, outOfFamily: PRE_2026, missing: [] };
  return deriveLevel(facts);
}

/** Evaluates a prescription: the delivery level to expect and what to fix before treatment starts. */
export function evaluateOrder(order: Prescription, authorizations: readonly Authorization[], drafts: ReadonlySet<Ref>): OrderDetermination {
  const facts = orderFacts(order);
  const clinical = expectedLevel(facts, order.serviceDate);
  const context: OrderContext = {
    order,
    facts,
    clinical,
    isDraft: drafts.has(order.ref) || order.status === 'draft',
    authorizations: authorizationsFor(authorizations, order.patient, null),
    inScope: order.serviceDate === null || order.serviceDate.slice(0, 10) >= RULES_EFFECTIVE_FROM,
  };
  const findings = [...RULES.flatMap((rule) => rule.order?.(context) ?? []), ...inputFindings(order.missing)];
  const guidance = order.ordered.imageGuidance.length > 0 || facts.amm;
  return {
    order: order.ref,
    patient: order.patient,
    serviceDate: order.serviceDate,
    expectedDeliveryCode: clinical.code,
    deliveryRule: clinical.rule,
    ...(clinical.outOfFamily ? { outOfFamily: clinical.outOfFamily.family } : {}),
    igrtProfessionalExpected: guidance && (clinical.outOfFamily ? clinical.outOfFamily.igrt === 'separate' : clinical.code !== null),
    findings: sortFindings(findings),
  };
}
