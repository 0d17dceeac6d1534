import { finding, type Rule } from './rule.js';

/** D-DATE: an order with neither occurrence[x] nor authoredOn is evaluated as of the caller's date, and says so. */
export const D_DATE: Rule = {
  id: 'D-DATE',
  title: 'Undated order evaluated as of a given date',
  sources: ['spec'],
  order(context) {
    if (!context.serviceDateAssumed) return [];
    return [
      finding(
        this,
        'info',
        `This order has no date of service (neither occurrence nor authoredOn): it was evaluated as of ${context.serviceDate.slice(0, 10)}. Date the order so that the right year's codes apply.`,
        [context.order.ref],
      ),
    ];
  },
};
