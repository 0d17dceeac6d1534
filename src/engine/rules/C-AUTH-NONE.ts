import { policyName } from '../policy.js';
import { IGRT } from '../tables/cpt.js';
import { finding, fractionRefs, type Rule } from './rule.js';

/**
 * C-AUTH-NONE (P-AUTH): the payer's policy requires an authorization for a code the order (or session) needs, and none
 * applies to its date (C-AUTH-APPLIES). At order-sign a warning, with the request to make; on sessions an info.
 */
export const C_AUTH_NONE: Rule = {
  id: 'C-AUTH-NONE',
  title: 'No authorization for a code the payer requires one for',
  sources: ['002'],
  order(context) {
    const policy = context.payer.policy;
    if (!policy || !context.inScope || context.unread.has('authorizations') || context.authorizations.applying.length > 0) return [];
    const needed = [...(context.clinical.code ? [context.clinical.code] : []), ...(context.igrtExpected ? [IGRT.professional] : [])].filter((code) =>
      policy.authorization.codes.includes(code),
    );
    if (needed.length === 0) return [];
    return [
      finding(
        this,
        'warning',
        `${policyName(policy)} requires an authorization for ${needed.join(' and ')} (${policy.source}), and none on file applies to ${context.serviceDate}. Request it before treatment starts.`,
        [context.order.ref],
        [{ kind: 'preauthorization', order: context.order.ref, patient: context.order.patient, codes: needed }],
      ),
    ];
  },
  session(context) {
    const policy = context.payer.policy;
    if (!policy || !context.inScope || context.unread.has('authorizations') || context.authorizations.applying.length > 0) return [];
    const needed = [
      ...(context.supported.code ? [context.supported.code] : []),
      ...(context.igrt.status === 'billable' || context.igrt.status === 'pending' ? [IGRT.professional] : []),
    ].filter((code) => policy.authorization.codes.includes(code));
    if (needed.length === 0) return [];
    return [
      finding(
        this,
        'info',
        `${policyName(policy)} requires an authorization for ${needed.join(' and ')}, and none on file applies to ${context.dateOfService ?? 'this date'}: the claim may be denied (CARC 197).`,
        fractionRefs(context),
      ),
    ];
  },
  headline: () => 'The payer requires an authorization, and none on file applies: request it before treatment',
};
