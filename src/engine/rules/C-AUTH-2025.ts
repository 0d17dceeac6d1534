import { DELETED_CODES, IGRT, RULES_EFFECTIVE_FROM } from '../tables/cpt.js';
import type { Authorization, Finding, Ref, SuggestedAction } from '../types.js';
import { finding, fractionRefs, type Rule, type RuleInfo } from './rule.js';

function carriedForward(
  rule: RuleInfo,
  authorizations: readonly Authorization[],
  subject: readonly Ref[],
  actions: readonly SuggestedAction[] = [],
): Finding[] {
  return authorizations.flatMap((auth) => {
    const reasons: string[] = [];
    const issued = auth.issued?.slice(0, 10) ?? null;
    const start = auth.period.start?.slice(0, 10) ?? null;
    if (issued !== null && issued < RULES_EFFECTIVE_FROM) reasons.push(`it was issued on ${issued}`);
    if (start !== null && start < RULES_EFFECTIVE_FROM && start !== issued) reasons.push(`its period begins ${start}`);
    const oldCodes = auth.cptCodes.filter((code) => DELETED_CODES.has(code));
    if (oldCodes.length > 0) reasons.push(`it lists 2025 codes ${oldCodes.join(', ')}`);
    if (reasons.length === 0) return [];
    const evidence = [...subject, auth.claim, ...(auth.response ? [auth.response] : [])];
    return [
      finding(
        rule,
        'warning',
        `Authorization ${auth.claim} is a 2025 authorization carried into 2026 (${reasons.join('; ')}); payers deny 2026 claims under carried-forward 2025 authorizations. ${oldCodes.length > 0 ? 'Obtain a new one with 2026 codes.' : 'Obtain a new one for the 2026 dates of service.'}`,
        evidence,
        actions,
      ),
    ];
  });
}

/**
 * C-AUTH-2025: an authorization that applies to a 2026 date of service (C-AUTH-APPLIES) but was issued in 2025, began in
 * 2025 or names 2025 codes. An expired 2025 authorization from an earlier course does not apply and draws nothing.
 */
export const C_AUTH_2025: Rule = {
  id: 'C-AUTH-2025',
  title: '2025 authorization used for 2026 dates of service',
  sources: ['002'],
  order(context) {
    if (!context.inScope) return [];
    const expected = context.clinical.code;
    // A new request with the 2026 codes the order describes: the carried-forward one will be denied (002).
    const actions: SuggestedAction[] = expected
      ? [
          {
            kind: 'preauthorization',
            order: context.order.ref,
            patient: context.order.patient,
            codes: [expected, ...(context.igrtExpected ? [IGRT.professional] : [])],
          },
        ]
      : [];
    return carriedForward(this, context.authorizations.applying, [context.order.ref], actions);
  },
  session(context) {
    return context.inScope ? carriedForward(this, context.authorizations.applying, fractionRefs(context)) : [];
  },
  headline: () => '2025 authorization carried into 2026: payers deny it, request a new one',
};
