import { authorizationsFor } from './authorizations.js';
import { clinicZone, localDate } from './calendar.js';
import { sortFindings } from './findings.js';
import { deriveLevel } from './level.js';
import { ammState } from './rules/A-QUAL.js';
import { courseCombinations, listsSeveralTreatments } from './rules/D-COURSE.js';
import { guidancePerformed } from './rules/I-PC.js';
import { RULES } from './rules/index.js';
import type { CombinationLevel, LevelFacts, LevelResult, OrderContext } from './rules/rule.js';
import { PRE_2026, RULES_EFFECTIVE_FROM } from './tables/cpt.js';
import { matchPolicy, type PayerPolicy } from './policy.js';
import type { Authorization, OrderDetermination, Payer, Prescription, RecordKind, Ref } from './types.js';

/** The facts an order describes. A prescription is one plan: a missing isocenter count is 1. */
export function orderFacts(order: Prescription): LevelFacts {
  return {
    modalities: new Set(order.plan.modalities),
    techniques: new Set(order.plan.techniques),
    photonIsocenters: order.plan.isocenters ?? 1,
    amm: ammState([{ motion: order.ordered }]),
    unknown: [...order.plan.unknown, ...order.ordered.unknown],
    otherTechniques: order.plan.otherTechniques,
  };
}

const COURSE_LIST: LevelResult = { rule: 'D-COURSE', code: null, missing: [] };

function expectedLevel(facts: LevelFacts, dateOfService: string, combinations: readonly CombinationLevel[]): LevelResult {
  if (dateOfService < RULES_EFFECTIVE_FROM) return { rule: 'D-OUT', code: null, outOfFamily: PRE_2026, missing: [] };
  return combinations.length > 0 ? COURSE_LIST : deriveLevel(facts);
}

export interface OrderEnvironment {
  readonly authorizations: readonly Authorization[];
  readonly drafts: ReadonlySet<Ref>;
  /** The as-of date for orders without a date of service (D-DATE). */
  readonly asOf: string;
  /** The clinic's configured time zone, for orders whose Location gives none. */
  readonly clinicTimeZone: string | null;
  readonly unread: ReadonlySet<RecordKind>;
  readonly policies?: readonly PayerPolicy[] | undefined;
  /** The patient's coverages (P-MATCH). */
  coverages(patient: Ref | null): readonly Payer[];
}

/**
 * Evaluates the prescriptions: the delivery level each describes and what to fix before treatment starts. A course
 * prescription that lists several modalities or techniques names the codes of its phase prescriptions, so those are
 * evaluated first.
 */
export function evaluateOrders(orders: readonly Prescription[], env: OrderEnvironment): OrderDetermination[] {
  const lists = (order: Prescription) => order.level === 'course' && listsSeveralTreatments(order.plan);
  const results = new Map<Ref, OrderDetermination>();
  const childrenOf = new Map<Ref, Ref[]>();
  for (const order of orders)
    for (const parent of order.basedOn) {
      const children = childrenOf.get(parent);
      if (children) children.push(order.ref);
      else childrenOf.set(parent, [order.ref]);
    }
  for (const order of orders.filter((o) => !lists(o))) results.set(order.ref, evaluateOrder(order, env, []));
  for (const order of orders.filter(lists)) {
    const children = (childrenOf.get(order.ref) ?? []).flatMap((child) => results.get(child) ?? []);
    results.set(order.ref, evaluateOrder(order, env, children));
  }
  return [...results.values()].sort((a, b) => a.order.localeCompare(b.order));
}

function evaluateOrder(order: Prescription, env: OrderEnvironment, children: readonly OrderDetermination[]): OrderDetermination {
  const facts = orderFacts(order);
  const { zone } = clinicZone(order.timeZone, env.clinicTimeZone);
  const dateOfService = order.serviceDate === null ? env.asOf : localDate(order.serviceDate, zone);
  const combinations = order.level === 'course' && listsSeveralTreatments(order.plan) ? courseCombinations(order.plan, facts) : [];
  const clinical = expectedLevel(facts, dateOfService, combinations);
  // Guidance ordered: images, an intra-fraction snapshot or monitoring (I-PC reads an order as it reads a fraction).
  const guidanceOrdered = guidancePerformed(order.ordered);
  const inFamily =
    combinations.length > 0
      ? combinations.some((combination) => combination.result.code !== null)
      : clinical.outOfFamily
        ? clinical.outOfFamily.igrt === 'separate'
        : clinical.code !== null;
  const context: OrderContext = {
    order,
    facts,
    clinical,
    serviceDate: dateOfService,
    serviceDateAssumed: order.serviceDate === null,
    combinations,
    igrtExpected: guidanceOrdered && inFamily,
    children: children.map((child) => ({
      order: child.order,
      code: child.expectedDeliveryCode,
      rule: child.deliveryRule,
      ...(child.outOfFamily ? { outOfFamily: child.outOfFamily } : {}),
    })),
    isDraft: env.drafts.has(order.ref) || order.status === 'draft',
    authorizations: authorizationsFor(env.authorizations, order.patient, dateOfService),
    inScope: dateOfService >= RULES_EFFECTIVE_FROM,
    unread: env.unread,
    payer: matchPolicy(env.policies, env.coverages(order.patient), dateOfService),
  };
  const findings = RULES.flatMap((rule) => rule.order?.(context) ?? []);
  return {
    order: order.ref,
    patient: order.patient,
    serviceDate: order.serviceDate,
    dateOfService,
    timeZone: order.serviceDate === null ? null : zone,
    ...(order.serviceDate === null ? { assumedServiceDate: env.asOf } : {}),
    expectedDeliveryCode: clinical.code,
    deliveryRule: clinical.rule,
    ...(clinical.outOfFamily ? { outOfFamily: clinical.outOfFamily.family } : {}),
    igrtProfessionalExpected: context.igrtExpected,
    findings: sortFindings(findings),
  };
}
