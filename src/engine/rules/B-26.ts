import { DELIVERY_CODE_SET, IGRT } from '../tables/cpt.js';
import { MODIFIERS } from '../tables/charges.js';
import { chargeFinding, dollars, sessionEvidence, sessionName, type ChargeRule, type ChargeVerdict } from './charge-rule.js';

const WHY_NOT: Record<string, string> = {
  'not-supportable': 'the guidance was not signed by the physician before the next fraction (see I-SIGN, A-SIGN)',
  none: 'no guidance for localization is recorded, or 77387 is bundled with the treatment (I-PC, I-PORT, I-BUNDLED)',
};

/**
 * B-26: 77387-26 (or 77387 global, which includes it) charged for a session whose 77387-26 is not supportable or
 * not performed (critical); 77387 global, 77387-TC or 77417 charged beside a 2026 delivery code for Medicare, where
 * they are bundled (status B, warning).
 */
export const B_26: ChargeRule = {
  id: 'B-26',
  title: '77387-26 or bundled imaging charged without support',
  sources: ['000', '001'],
  session(context) {
    const { session } = context;
    const name = sessionName(session);
    const verdicts: ChargeVerdict[] = [];
    const unsupported = session.igrtStatus === 'not-supportable' || session.igrtStatus === 'none';
    for (const charged of context.professional) {
      if (unsupported) {
        const amount = context.rate(IGRT.professional);
        verdicts.push({
          scope: 'session',
          status: 'not-supported',
          charges: [{ charge: charged, amountAtRisk: amount }],
          finding: chargeFinding(
            this,
            'critical',
            `${charged.ref} charges ${charged.label} for ${name}, but ${WHY_NOT[session.igrtStatus]}: 77387-26 is not supportable. Refund risk ${dollars(amount)}.`,
            [charged.ref, ...sessionEvidence(session)],
            amount,
          ),
        });
      }
    }
    // Beside a 2026 delivery code: the one the session's facts give, or one charged for it.
    const withDeliveryCode =
      (session.deliveryCode !== null && DELIVERY_CODE_SET.has(session.deliveryCode)) || context.delivery.some((c) => c.kind === 'delivery');
    if (!context.medicare || !withDeliveryCode) return verdicts;
    const global = unsupported ? [] : context.professional.filter((c) => !c.charge.modifiers.includes(MODIFIERS.professional));
    for (const charged of [...global, ...context.technical]) {
      const instead =
        charged.kind === 'guidance' && !charged.charge.modifiers.includes(MODIFIERS.technical)
          ? ` Charge ${IGRT.professional} instead.`
          : ' Remove it.';
      verdicts.push({
        scope: 'session',
        status: 'not-supported',
        charges: [{ charge: charged, amountAtRisk: null }],
        finding: chargeFinding(
          this,
          'warning',
          `${charged.ref} charges ${charged.label} beside ${session.deliveryCode} for ${name}: for Medicare its technical part is bundled with the 2026 delivery codes (status B).${instead}`,
          [charged.ref, ...sessionEvidence(session)],
          null,
        ),
      });
    }
    return verdicts;
  },
};
