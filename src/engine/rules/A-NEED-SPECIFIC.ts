import { MIN_SPECIFIC_WORDS, TECHNIQUE_WORDS } from '../tables/wording.js';
import type { Prescription } from '../types.js';
import { carriesMotionManagement } from './A-QUAL.js';
import { ammOrders, finding, type Rule } from './rule.js';

/** Words of a statement besides those that only name the technique. */
export function ownWords(statement: string): string[] {
  const words = statement.toLowerCase().match(/[a-z0-9]+(?:-[a-z0-9]+)*/g) ?? [];
  return words.filter((word) => !TECHNIQUE_WORDS.has(word));
}

const isNonSpecific = (order: Prescription): boolean => {
  const statement = (order.ammNecessity ?? '').trim();
  return statement.length > 0 && ownWords(statement).length < MIN_SPECIFIC_WORDS;
};

/** A-NEED-SPECIFIC: a statement that only names the technique ("DIBH") is not patient-specific. */
export const A_NEED_SPECIFIC: Rule = {
  id: 'A-NEED-SPECIFIC',
  title: 'AMM medical necessity must be patient-specific',
  sources: ['002'],
  session(context) {
    return ammOrders(context)
      .filter(isNonSpecific)
      .map((order) =>
        finding(
          this,
          'warning',
          `Non-specific AMM necessity on ${order.ref}: it names the technique but not this patient's reason. Payers deny statements like "DIBH" alone.`,
          [order.ref],
        ),
      );
  },
  order(context) {
    if (!carriesMotionManagement(context.order.ordered) || !isNonSpecific(context.order)) return [];
    return [
      finding(
        this,
        'warning',
        'Non-specific AMM necessity: the statement names the technique but not why this patient needs it (e.g. target or heart position, motion measured on 4D CT). Payers deny statements like "DIBH" alone.',
        [context.order.ref],
      ),
    ];
  },
  headline: () => 'AMM necessity is not patient-specific (e.g. "DIBH" alone): denial risk',
};
