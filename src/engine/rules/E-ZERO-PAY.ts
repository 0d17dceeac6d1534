import { DELIVERY_CODE_SET } from '../tables/cpt.js';
import { sessionEvidence } from './charge-rule.js';
import { decided, denialWording, lineName, type RemittanceRule } from './remittance-rule.js';
import { finding } from './rule.js';

/**
 * E-ZERO-PAY: 77402, 77407 or 77412 paid $0, whatever the CARC (002: freestanding denials "come through as a zero
 * payment" with a reason code not typically a denial code). Appealable when the record supports the code billed;
 * otherwise the charge itself is wrong (B-LEVEL) and nothing is appealed.
 */
export const E_ZERO_PAY: RemittanceRule = {
  id: 'E-ZERO-PAY',
  title: 'Delivery code paid $0',
  sources: ['002'],
  line(context) {
    if (!DELIVERY_CODE_SET.has(context.billedCode) || context.line.paid !== 0) return null;
    const session = context.session;
    if (session === null || session.supportedDeliveryCode !== context.billedCode) return decided(null);
    return decided(
      finding(
        this,
        'warning',
        `${lineName(context)}: a zero payment (${denialWording(context)}), though the record supports ${context.billedCode} (${session.supportedDeliveryRule}). Payers deny 2026 delivery codes this way without a denial code (002): appeal.`,
        [...(context.charge ? [context.charge.charge] : []), ...sessionEvidence(session)],
      ),
      true,
    );
  },
};
