import { policyName } from '../policy.js';
import { DELIVERY_CODE_SET } from '../tables/cpt.js';
import { finding, fractionRefs, type Rule } from './rule.js';

/**
 * P-CODESET: the payer's policy says it has not adopted the 2026 delivery codes (`codeSet: legacy` until a date). The
 * 2026 codes stay the correct CPT codes (never advise the deleted ones), but the claim is likely denied or zero-paid.
 */
export const P_CODESET: Rule = {
  id: 'P-CODESET',
  title: 'Payer not on the 2026 delivery codes',
  sources: ['000', '002'],
  session(context) {
    const policy = context.payer.policy;
    const code = context.supported.code;
    const date = context.dateOfService;
    if (!policy || policy.codeSet.delivery !== 'legacy' || code === null || !DELIVERY_CODE_SET.has(code) || date === null) return [];
    if (policy.codeSet.until !== null && date >= policy.codeSet.until) return [];
    return [
      finding(
        this,
        'warning',
        `${policyName(policy)} has not adopted the 2026 delivery codes${policy.codeSet.until ? ` (until ${policy.codeSet.until})` : ''}${policy.codeSet.note ? `: ${policy.codeSet.note}` : ''}. ${code} is still the correct CPT code: bill it, expect a denial or a zero payment, appeal, and report the payer (ACRO's survey, 000).`,
        fractionRefs(context),
      ),
    ];
  },
  headline: () => 'Payer not on the 2026 delivery codes: bill them, expect a denial, appeal',
};
