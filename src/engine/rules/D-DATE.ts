import { finding, type Rule } from './rule.js';

/** D-DATE: an order with neither occurrence[x] nor authoredOn is evaluated as of the caller's date, and says so. */
export const D_DATE: Rule = {
  id: 'D-DATE',
  title: 'Undated order evaluated as of a given date',
  sources: ['spec'],
  order(context) {
    if (!context.serviceDateAssumed) return [];
    const day = context.serviceDate.slice(0, 10);
    // A draft being signed takes its date when it is signed; an order on file without one should be given one.
    const advice = context.isDraft
      ? ', the day it is being signed; give it an occurrence date if treatment starts in another year.'
      : '; give it an occurrence date (or authoredOn) so that the right year’s codes apply.';
    return [
      finding(this, 'info', `This order has no date of service (neither occurrence nor authoredOn): it was evaluated as of ${day}${advice}`, [
        context.order.ref,
      ]),
    ];
  },
};
