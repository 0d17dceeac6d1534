import { policyName } from '../policy.js';
import { UNDERPAID_TOLERANCE } from '../tables/carc.js';
import { sessionEvidence } from './charge-rule.js';
import { decided, lineName, type RemittanceRule } from './remittance-rule.js';
import { finding } from './rule.js';

/** E-UNDERPAID: paid, but below the payer policy's rate for the code and setting by more than 5 % (002). */
export const E_UNDERPAID: RemittanceRule = {
  id: 'E-UNDERPAID',
  title: 'Paid below the policy rate',
  sources: ['002', '000'],
  line(context) {
    const policy = context.payer.policy;
    if (context.line.paid <= 0 || context.rate === null || policy === null) return null;
    if (context.line.paid >= context.rate * (1 - UNDERPAID_TOLERANCE)) return null;
    const difference = Math.round((context.rate - context.line.paid) * 100) / 100;
    return decided(
      finding(
        this,
        'info',
        `${lineName(context)}: $${difference.toFixed(2)} below the rate of ${policyName(policy)} ($${context.rate.toFixed(2)}; ${policy.source}).`,
        [...(context.charge ? [context.charge.charge] : []), ...(context.session ? sessionEvidence(context.session) : [])],
      ),
      true,
    );
  },
};
