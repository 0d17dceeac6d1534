import type { Fraction, Prescription, Ref } from '../types.js';
import { carriesMotionManagement } from './A-QUAL.js';
import { finding, type Rule } from './rule.js';

const ORDER_STATUSES: ReadonlySet<string> = new Set(['active', 'completed']);

/** Why the AMM of a fraction is not ordered by a physician for this patient; empty when it is. */
export function ammOrderProblems(fraction: Fraction, prescription: Prescription | null, drafts: ReadonlySet<Ref>): string[] {
  if (!prescription) return [`no prescription is linked to ${fraction.ref} (Procedure.basedOn → plan → prescription)`];
  const problems: string[] = [];
  if (!ORDER_STATUSES.has(prescription.status) && !drafts.has(prescription.ref))
    problems.push(`${prescription.ref} has status "${prescription.status}"`);
  if (!prescription.requesterIsPractitioner) problems.push(`${prescription.ref} has no Practitioner as requester`);
  if (!carriesMotionManagement(prescription.ordered)) problems.push(`${prescription.ref} does not order motion management`);
  return problems;
}

/** A-ORDER: AMM must be ordered by the physician for this patient. */
export const A_ORDER: Rule = {
  id: 'A-ORDER',
  title: 'Active motion management must be ordered by the physician',
  sources: ['002'],
  session(context) {
    const severity = context.dependsOnAmmAlone ? 'critical' : 'warning';
    return context.amm
      .filter((amm) => amm.orderProblems.length > 0)
      .map((amm) => {
        const consequence = context.dependsOnAmmAlone
          ? ` 77412 is not supported; bill ${context.supported.code ?? 'no code'} until the order is in place.`
          : '';
        return finding(
          this,
          severity,
          `Active motion management was delivered but not properly ordered: ${amm.orderProblems.join('; ')}.${consequence}`,
          [amm.fraction.ref, ...(amm.prescription ? [amm.prescription.ref] : [])],
        );
      });
  },
  order(context) {
    if (!carriesMotionManagement(context.order.ordered) || context.order.requesterIsPractitioner) return [];
    return [
      finding(this, 'warning', 'Active motion management must be ordered by the treating physician: the order has no Practitioner as requester.', [
        context.order.ref,
      ]),
    ];
  },
};
