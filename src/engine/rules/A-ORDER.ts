import type { Fraction, Prescription, Ref } from '../types.js';
import { carriesMotionManagement } from './A-QUAL.js';
import { anyCritical, couldNotBeChecked, finding, uncheckedFinding, type Rule } from './rule.js';

const ORDER_STATUSES: ReadonlySet<string> = new Set(['active', 'completed']);

/** Whether the AMM of a fraction is ordered by a physician for this patient. */
export interface OrderCheck {
  readonly problems: readonly string[];
  /** What could not be checked (the orders were not read, or the requester's role); empty when everything was. */
  readonly unverified: readonly string[];
}

/**
 * The A-ORDER check of one fraction; `ordersRead` false when the prescriptions and plans could not be obtained. When no
 * prescription read orders motion management but the chain names one that could not be read, that one may be the AMM
 * order: the check is unverified, not failed.
 */
export function ammOrderCheck(fraction: Fraction, prescription: Prescription | null, drafts: ReadonlySet<Ref>, ordersRead: boolean): OrderCheck {
  const unreadOrders =
    fraction.unresolvedPlans.length > 0 ? `${fraction.unresolvedPlans.join(', ')} (behind ${fraction.ref}) could not be read` : null;
  if (!prescription) {
    if (unreadOrders || !ordersRead)
      return { problems: [], unverified: [unreadOrders ?? `the prescription behind ${fraction.ref} could not be read`] };
    return { problems: [`no prescription is linked to ${fraction.ref} (Procedure.basedOn → plan → prescription)`], unverified: [] };
  }
  if (!carriesMotionManagement(prescription.ordered) && unreadOrders) return { problems: [], unverified: [unreadOrders] };
  const problems: string[] = [];
  const unverified: string[] = [];
  if (!ORDER_STATUSES.has(prescription.status) && !drafts.has(prescription.ref))
    problems.push(`${prescription.ref} has status "${prescription.status}"`);
  if (prescription.requesterIsPractitioner === false) problems.push(`${prescription.ref} has no Practitioner as requester`);
  if (prescription.requesterIsPractitioner === null)
    unverified.push(`the requester of ${prescription.ref} is a PractitionerRole that could not be read`);
  if (!carriesMotionManagement(prescription.ordered)) problems.push(`${prescription.ref} does not order motion management`);
  return { problems, unverified };
}

const SUPPLY_ORDERS =
  "Supply the patient's radiotherapy prescriptions and plans (and the requester's PractitionerRole), or a FHIR server the service can read them from.";

/** A-ORDER: AMM must be ordered by the physician for this patient. */
export const A_ORDER: Rule = {
  id: 'A-ORDER',
  title: 'Active motion management must be ordered by the physician',
  sources: ['002'],
  session(context) {
    const severity = context.dependsOnAmmAlone ? 'critical' : 'warning';
    return context.amm.flatMap((amm) => {
      const evidence = [amm.fraction.ref, ...(amm.prescription ? [amm.prescription.ref] : [])];
      if (amm.order.problems.length > 0) {
        const consequence = context.dependsOnAmmAlone
          ? ` 77412 is not supported; bill ${context.supported.code ?? 'no code'} until the order is in place.`
          : '';
        return [
          finding(
            this,
            severity,
            `Active motion management was delivered but not properly ordered: ${amm.order.problems.join('; ')}.${consequence}`,
            evidence,
          ),
        ];
      }
      if (amm.order.unverified.length > 0) {
        return [
          uncheckedFinding(this, `The AMM order could not be checked: ${amm.order.unverified.join('; ')}. ${SUPPLY_ORDERS}`, [
            ...evidence,
            ...amm.fraction.unresolvedPlans,
          ]),
        ];
      }
      return [];
    });
  },
  order(context) {
    const { order } = context;
    if (!carriesMotionManagement(order.ordered) || order.requesterIsPractitioner === true) return [];
    if (order.requesterIsPractitioner === null) {
      return [
        uncheckedFinding(
          this,
          `The requester ${order.requester ?? ''} is a PractitionerRole that could not be read: whether a physician orders this motion management could not be checked.`,
          [order.ref],
        ),
      ];
    }
    return [
      finding(this, 'warning', 'Active motion management must be ordered by the treating physician: the order has no Practitioner as requester.', [
        order.ref,
      ]),
    ];
  },
  headline(findings) {
    if (couldNotBeChecked(findings)) return 'The AMM order could not be checked: supply the prescriptions and plans';
    return anyCritical(findings)
      ? 'AMM not properly ordered by the physician: 77412 not supported'
      : 'Active motion management is not properly ordered by the physician';
  },
};
