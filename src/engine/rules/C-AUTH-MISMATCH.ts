import { DELIVERY_CODE_SET, IGRT } from '../tables/cpt.js';
import type { Authorization, DeliveryCode, Finding, Ref, SuggestedAction } from '../types.js';
import { finding, fractionRefs, type Rule, type RuleInfo } from './rule.js';

function mismatches(
  rule: RuleInfo,
  derived: DeliveryCode | null,
  authorizations: readonly Authorization[],
  subject: readonly Ref[],
  explain: (authorized: string, auth: Authorization) => string,
  actions: (auth: Authorization) => readonly SuggestedAction[] = () => [],
): Finding[] {
  if (derived === null) return [];
  return authorizations.flatMap((auth) => {
    const authorized = auth.cptCodes.filter((code) => DELIVERY_CODE_SET.has(code));
    if (authorized.length === 0 || authorized.includes(derived)) return [];
    return [
      finding(
        rule,
        'warning',
        explain(authorized.join(', '), auth),
        [...subject, auth.claim, ...(auth.response ? [auth.response] : [])],
        actions(auth),
      ),
    ];
  });
}

/** C-AUTH-MISMATCH: the authorization names a 2026 delivery code other than the one the order's facts give. */
export const C_AUTH_MISMATCH: Rule = {
  id: 'C-AUTH-MISMATCH',
  title: 'Authorized delivery level differs from the derived level',
  sources: ['002'],
  order(context) {
    const expected = context.clinical.code;
    const { order } = context;
    // Before treatment the order can still be fixed with the payer: a peer-to-peer on the authorization on file, or a
    // new request with the codes the order describes (002: request P2P calls when payers downcode 77412).
    const actions = (auth: Authorization): SuggestedAction[] =>
      expected === null
        ? []
        : [
            { kind: 'peer-to-peer', order: order.ref, patient: order.patient, authorization: auth.claim, expected },
            {
              kind: 'preauthorization',
              order: order.ref,
              patient: order.patient,
              codes: [expected, ...(context.igrtExpected ? [IGRT.professional] : [])],
            },
          ];
    return mismatches(
      this,
      expected,
      context.authorizations.applying,
      [order.ref],
      (authorized, auth) =>
        `The authorization on file (${auth.claim}) is for ${authorized}, but this order describes ${expected} (${context.clinical.rule}). Request a corrected authorization or a peer-to-peer before treatment starts.`,
      actions,
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
  headline(_findings, { session, order }) {
    return session
      ? `Authorization on file is not for ${session.supportedDeliveryCode ?? 'the supported code'}: correct it before the claim goes out`
      : `Authorization on file differs from the ${order?.expectedDeliveryCode ?? 'derived'} this order describes: get it corrected`;
  },
};
