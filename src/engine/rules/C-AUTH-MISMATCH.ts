import { DELIVERY_CODE_SET, DELIVERY_LEVEL_RANK, IGRT } from '../tables/cpt.js';
import type { Authorization, DeliveryCode, Finding, Ref, SuggestedAction } from '../types.js';
import { finding, fractionRefs, type Rule, type RuleInfo } from './rule.js';

/** The highest 2026 delivery level an authorization names (0 when none). */
const authorizedLevel = (auth: Authorization): number =>
  Math.max(0, ...auth.cptCodes.filter((code): code is DeliveryCode => DELIVERY_CODE_SET.has(code)).map((code) => DELIVERY_LEVEL_RANK[code]));

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
    // Before treatment the order can still be fixed with the payer. Authorized below what the order describes: a
    // peer-to-peer on the authorization on file (002: request P2P calls when payers downcode 77412), or a new request.
    // Authorized above it: nothing to argue with the payer; the order lacks what the higher level needs, or the
    // authorization is to be corrected down.
    const above = (auth: Authorization) => expected !== null && authorizedLevel(auth) > DELIVERY_LEVEL_RANK[expected];
    const actions = (auth: Authorization): SuggestedAction[] =>
      expected === null
        ? []
        : [
            ...(above(auth)
              ? []
              : [{ kind: 'peer-to-peer', order: order.ref, patient: order.patient, authorization: auth.claim, expected } as const]),
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
        above(auth)
          ? `The authorization on file (${auth.claim}) is for ${authorized}, but this order describes ${expected} (${context.clinical.rule}). If ${authorized} is intended, document on the order what it needs (motion management, isocenters); otherwise have the authorization corrected to ${expected} before treatment starts.`
          : `The authorization on file (${auth.claim}) is for ${authorized}, but this order describes ${expected} (${context.clinical.rule}). Request a corrected authorization or a peer-to-peer before treatment starts.`,
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
