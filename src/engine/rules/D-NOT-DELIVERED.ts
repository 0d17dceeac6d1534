import { wasDelivered } from '../sessions.js';
import { finding, type Rule } from './rule.js';

/** D-NOT-DELIVERED: a fraction that is neither `completed` nor `stopped` (D-PARTIAL) is not billed and forms no session. */
export const D_NOT_DELIVERED: Rule = {
  id: 'D-NOT-DELIVERED',
  title: 'Fraction not delivered',
  sources: ['001'],
  record(context) {
    return context.input.fractions
      .filter((fraction) => !wasDelivered(fraction))
      .filter((fraction) => context.focus === null || (fraction.encounter !== null && context.focus.has(fraction.encounter)))
      .map((fraction) => finding(this, 'info', `${fraction.ref} has status "${fraction.status}": not delivered, not billed.`, [fraction.ref]));
  },
  headline: (findings) => `${findings.length} fraction(s) not delivered in this encounter: not billed`,
};
