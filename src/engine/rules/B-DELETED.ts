import { DELETED_CODES, IGRT, RULES_EFFECTIVE_FROM } from '../tables/cpt.js';
import { chargeFinding, dollars, sessionEvidence, sessionName, type ChargeRule } from './charge-rule.js';

/**
 * B-DELETED: a charge with a code deleted on 2026-01-01 (or a delivery code deleted in 2015, such as 77413) for a
 * 2026 date of service. It is the session's delivery (or guidance) charge all the same: never dropped, and no B-MISSED
 * or B-UNMATCHED beside it.
 */
export const B_DELETED: ChargeRule = {
  id: 'B-DELETED',
  title: 'Charge with a deleted code (2026, or a pre-2015 delivery code)',
  sources: ['001'],
  patient(context) {
    return context.charges
      .filter(({ charge, session }) => charge.kind.endsWith('-deleted') && (charge.date ?? session?.dateOfService ?? '') >= RULES_EFFECTIVE_FROM)
      .map(({ charge, session }) => {
        const replacement =
          charge.kind === 'delivery-deleted' ? session?.supportedDeliveryCode : session?.igrtStatus === 'billable' ? IGRT.professional : null;
        const amount = replacement ? context.rate(replacement, charge.date, session ?? null) : null;
        const forSession = session
          ? ` for ${sessionName(session)}${replacement ? `: charge ${replacement} instead (${dollars(amount)} at risk)` : ''}`
          : '';
        return {
          scope: 'top' as const,
          status: 'deleted' as const,
          charges: [{ charge, amountAtRisk: amount }],
          finding: chargeFinding(
            this,
            'critical',
            `${charge.ref} charges ${charge.label}, deleted on ${DELETED_CODES.get(charge.charge.code ?? '')?.deleted ?? '2026-01-01'} (${DELETED_CODES.get(charge.charge.code ?? '')?.replacement ?? 'no replacement listed'})${forSession}.`,
            [charge.ref, ...(session ? sessionEvidence(session) : [])],
            amount,
          ),
        };
      });
  },
};
