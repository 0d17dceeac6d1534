import { DENIAL_REASONS } from '../tables/carc.js';
import { DELIVERY_CODE_SET } from '../tables/cpt.js';
import { sessionEvidence } from './charge-rule.js';
import { decided, denialWording, lineName, type RemittanceRule } from './remittance-rule.js';
import { finding } from './rule.js';

/** E-NOT-ADOPTED: a 2026 delivery code denied as invalid for the date of service (CARC 181, 182). */
export const E_NOT_ADOPTED: RemittanceRule = {
  id: 'E-NOT-ADOPTED',
  title: 'Payer has not adopted the 2026 delivery codes',
  sources: ['000', '002'],
  line(context) {
    if (!DELIVERY_CODE_SET.has(context.billedCode) || !context.reasons.some((r) => (DENIAL_REASONS.notAdopted as readonly string[]).includes(r)))
      return null;
    const payer = context.claim.payerName ?? context.payer.policy?.name ?? 'the payer';
    const supported = context.session?.supportedDeliveryCode === context.billedCode;
    return decided(
      finding(
        this,
        'warning',
        `${lineName(context)} was denied as invalid for the date of service (${denialWording(context)}): ${payer} has not adopted the 2026 delivery codes. ${context.billedCode} is the correct CPT code from 2026-01-01 (never bill the deleted codes): appeal, and report the payer to ACRO's survey of payers not on the 2026 codes (P-CODESET).`,
        [...(context.charge ? [context.charge.charge] : []), ...(context.session ? sessionEvidence(context.session) : [])],
      ),
      supported,
    );
  },
};
