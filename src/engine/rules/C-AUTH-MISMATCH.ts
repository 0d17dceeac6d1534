import { DELIVERY_CODE_SET } from '../tables/cpt.js';
import type { Authorization, DeliveryCode, Finding, Ref } from '../types.js';
import { finding, fractionRefs, type Rule, type RuleInfo } from './rule.js';

function mismatches(
  rule: RuleInfo,
  derived: DeliveryCode | null,
  authorizations: readonly Authorization[],
  subject: readonly Ref[],
  explain: (authorized: string, auth: Authorization) => string,
): Finding[] {
  if (derived === null) return [];
  return authorizations.flatMap((auth) => {
    const authorized = auth.cptCodes.filter((code) => DELIVERY_CODE_SET.has(code));
    if (authorized.length === 0 || authorized.includes(derived)) return [];
    return [finding(rule, 'warning', explain(authorized.join(', '), auth), [...subject, auth.claim, ...(auth.response ? [auth.response] : [])])];
  });
}

/** C-AUTH-MISMATCH: the authorization names a 2026 delivery code other than the one the order's facts give. */
export const C_AUTH_MISMATCH: Rule = {
  id: 'C-AUTH-MISMATCH',
  title: 'Authorized delivery level differs from the derived level',
  sources: ['002'],
  order(context) {
    const expected = context.clinical.code;
    return mismatches(
      this,
      expected,
      context.authorizations.applying,
      [context.order.ref],
      (authorized, auth) =>
        `The authorization on file (${auth.claim}) is for ${authorized}, but this order describes ${expected} (${context.clinical.rule}). Request a corrected authorization or a peer-to-peer before treatment starts.`,
    );
  },
  session(context) {
    const billed = context.supported.code;
    return mismatches(
      this,
      billed,
      context.authorizations.applying,
      fractionRefs(context),
      (authorized, auth) =>
        `The authorization on file (${auth.claim}) is for ${authorized}, but this session supports ${billed} (${context.supported.rule}). Expect a denial or downcoding: correct the authorization before the claim goes out.`,
    );
  },
};
