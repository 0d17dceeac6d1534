import type { Finding, Fraction } from '../types.js';
import { finding, type RuleInfo } from './rule.js';

/** D-NOT-DELIVERED: a fraction that is not `completed` is not billed and forms no session. */
export const D_NOT_DELIVERED: RuleInfo & { population(fractions: readonly Fraction[]): Finding[] } = {
  id: 'D-NOT-DELIVERED',
  title: 'Fraction not delivered',
  sources: ['001'],
  population(fractions) {
    return fractions
      .filter((fraction) => fraction.status !== 'completed')
      .map((fraction) => finding(this, 'info', `${fraction.ref} has status "${fraction.status}": not delivered, not billed.`, [fraction.ref]));
  },
};
