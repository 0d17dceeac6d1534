import type { Prescription } from '../types.js';
import { carriesMotionManagement } from './A-QUAL.js';
import { ammOrders, finding, type Rule } from './rule.js';

const hasStatement = (order: Prescription): boolean => (order.ammNecessity ?? '').trim().length > 0;

/** A-NEED: a patient-specific medical-necessity statement for AMM should be on the AMM order. */
export const A_NEED: Rule = {
  id: 'A-NEED',
  title: 'AMM medical necessity statement',
  sources: ['002'],
  session(context) {
    // The statement belongs on the AMM order; an order that does not order motion management is A-ORDER's finding.
    return ammOrders(context)
      .filter((order) => carriesMotionManagement(order.ordered) && !hasStatement(order))
      .map((order) =>
        finding(
          this,
          'warning',
          `Missing AMM medical necessity: ${order.ref} has no patient-specific statement. 77412 claims without one are a denial risk.`,
          [order.ref],
        ),
      );
  },
  order(context) {
    if (!carriesMotionManagement(context.order.ordered) || hasStatement(context.order)) return [];
    return [
      finding(
        this,
        'warning',
        'Missing AMM medical necessity: add a patient-specific paragraph explaining why active motion management is needed (best practice: in the treatment planning note). Without it 77412 is a denial risk.',
        [context.order.ref],
      ),
    ];
  },
  headline: () => 'Missing AMM medical necessity statement: 77412 is a denial risk',
};
