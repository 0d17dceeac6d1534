import { writtenDate, type AuthorizationCheck } from '../authorizations.js';
import { DELETED_CODES, IGRT, RULES_EFFECTIVE_FROM } from '../tables/cpt.js';
import type { Authorization, Finding, Ref, SuggestedAction } from '../types.js';
import { finding, fractionRefs, type Rule, type RuleInfo } from './rule.js';

/**
 * Why an authorization that applies to a 2026 date of service is a 2025 one carried forward: its period begins before
 * 2026, it names a deleted code, or it gives no period and was issued in 2025. The issue date alone is not a reason:
 * an authorization issued in December 2025 for 2026 dates with 2026 codes is a 2026 authorization.
 */
function carriedForwardReasons(auth: Authorization): string[] {
  const reasons: string[] = [];
  const start = auth.period.start === null ? null : writtenDate(auth.period.start);
  if (start !== null && start < RULES_EFFECTIVE_FROM) reasons.push(`its period begins ${start}`);
  const oldCodes = auth.cptCodes.filter((code) => DELETED_CODES.has(code));
  if (oldCodes.length > 0) reasons.push(`it lists deleted codes ${[...new Set(oldCodes)].join(', ')}`);
  const created = auth.created === null ? null : writtenDate(auth.created);
  if (auth.period.start === null && auth.period.end === null && created !== null && created < RULES_EFFECTIVE_FROM)
    reasons.push(`it gives no period and was issued on ${created}`);
  return reasons;
}

const evidenceOf = (auth: Authorization): Ref[] => [auth.claim, ...(auth.response ? [auth.response] : [])];

function carriedForward(
  rule: RuleInfo,
  check: AuthorizationCheck,
  subject: readonly Ref[],
  order: Ref | null,
  actions: readonly SuggestedAction[] = [],
): Finding[] {
  const carried = check.applying.map((auth) => ({ auth, reasons: carriedForwardReasons(auth) })).filter((c) => c.reasons.length > 0);
  const findings = carried.map(({ auth, reasons }) => {
    const deletedCodes = auth.cptCodes.some((code) => DELETED_CODES.has(code));
    return finding(
      rule,
      'warning',
      `Authorization ${auth.claim} is a 2025 authorization carried into 2026 (${reasons.join('; ')}); payers deny 2026 claims under carried-forward 2025 authorizations. ${deletedCodes ? 'Obtain a new one with 2026 codes.' : 'Obtain a new one for the 2026 dates of service.'}`,
      [...subject, ...evidenceOf(auth)],
      actions,
    );
  });
  // A 2026 request for this order denied while the 2025 authorization is carried forward (002: payers deny 2026
  // claims and 2026 requests on the strength of the 2025 authorization): appeal it.
  const denials =
    carried.length === 0
      ? []
      : check.denied.filter(
          (auth) => !carried.some((c) => c.auth === auth) && (order === null || auth.orders.length === 0 || auth.orders.includes(order)),
        );
  for (const denial of denials) {
    const because = carried.map(({ auth }) => auth.claim).join(', ');
    const deniedCodes = denial.denied ? [] : [...new Set(denial.items.filter((item) => item.denied).map((item) => item.code))];
    const how = deniedCodes.length > 0 ? `was denied in part (${deniedCodes.join(', ')})` : 'was denied';
    findings.push(
      finding(
        rule,
        'warning',
        `The 2026 request ${denial.claim} ${how} while the 2025 authorization ${because} is carried forward${denial.disposition ? ` (payer: "${denial.disposition}")` : ''}: payers are denying 2026 requests and claims on the strength of 2025 authorizations. Appeal the denial or request a peer-to-peer, citing the 2026 code set.`,
        [...subject, ...evidenceOf(denial), ...carried.flatMap(({ auth }) => evidenceOf(auth))],
        actions,
      ),
    );
  }
  return findings;
}

/**
 * C-AUTH-2025: an authorization that applies to a 2026 date of service (C-AUTH-APPLIES) but is a 2025 one carried
 * forward — by its period or its codes, not its issue date — and a 2026 request denied while it applies. An expired
 * 2025 authorization from an earlier course does not apply and draws nothing.
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
    return carriedForward(this, context.authorizations, [context.order.ref], context.order.ref, actions);
  },
  session(context) {
    return context.inScope ? carriedForward(this, context.authorizations, fractionRefs(context), null) : [];
  },
  headline: () => '2025 authorization carried into 2026: payers deny it, request a new one',
};
