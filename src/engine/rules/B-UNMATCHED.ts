import { RULES_EFFECTIVE_FROM } from '../tables/cpt.js';
import { chargeFinding, dollars, type ChargeRule } from './charge-rule.js';

/**
 * B-UNMATCHED: a delivery or guidance charge that matches no completed fraction of the patient: charged but not
 * delivered, or the fraction record is missing.
 */
export const B_UNMATCHED: ChargeRule = {
  id: 'B-UNMATCHED',
  title: 'Charge with no delivered session',
  sources: ['001'],
  patient(context) {
    // Fractions that could not all be read (a cut file): a charge may match one of them.
    if (context.unread.has('later-fractions')) return [];
    return context.charges
      .filter(
        ({ charge, session }) =>
          session === null && charge.kind !== 'unreadable' && !(charge.kind.endsWith('-deleted') && (charge.date ?? '') >= RULES_EFFECTIVE_FROM),
      )
      .map(({ charge }) => {
        const amount = context.rate(charge.label, charge.date, null);
        const when = charge.date ? ` for ${charge.date}` : ' (no date of service)';
        const named = [...charge.charge.encounters, ...charge.charge.procedures];
        const reference = named.length > 0 ? ` It names ${named.join(', ')}, which is no completed fraction or session.` : '';
        return {
          scope: 'top' as const,
          status: 'unmatched' as const,
          charges: [{ charge, amountAtRisk: amount }],
          finding: chargeFinding(
            this,
            'warning',
            `${charge.ref} charges ${charge.label}${when} but matches no completed fraction of ${context.patient ?? 'the patient'}: charged but not delivered, or the fraction record is missing.${reference} ${dollars(amount)} at risk.`,
            [charge.ref, ...named],
            amount,
          ),
        };
      });
  },
};
