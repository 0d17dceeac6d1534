import type { AuthorizationCheck } from '../authorizations.js';
import type { Finding, Ref } from '../types.js';
import { couldNotBeChecked, finding, uncheckedFinding, type Rule, type RuleInfo } from './rule.js';

function skippedOnly(rule: RuleInfo, check: AuthorizationCheck, subject: readonly Ref[], what: string): Finding[] {
  if (check.applying.length > 0 || check.skipped.length === 0) return [];
  const list = check.skipped.map(({ authorization, reason }) => `${authorization.claim}: ${reason}`).join('; ');
  return [
    finding(rule, 'info', `No authorization on file applies to this ${what}: ${list}.`, [
      ...subject,
      ...check.skipped.flatMap(({ authorization }) => [authorization.claim, ...(authorization.response ? [authorization.response] : [])]),
    ]),
  ];
}

const UNREAD =
  'Authorizations could not be checked: the preauthorizations on file (Claim and ClaimResponse, use preauthorization) were not available to the service. Supply them, or a FHIR server it can read them from.';

/**
 * C-AUTH-APPLIES: which authorizations are this order's or session's (a decided response whose period covers the date
 * of service). Those that are not draw no C-AUTH-MISMATCH or C-DELETED; when none applies to an order, the skipped ones
 * are listed. On sessions the same choice filters what C-AUTH-MISMATCH, C-AUTH-2025 and C-DELETED look at.
 */
export const C_AUTH_APPLIES: Rule = {
  id: 'C-AUTH-APPLIES',
  title: 'Which authorization on file applies',
  sources: ['002'],
  order(context) {
    if (context.unread.has('authorizations')) return [uncheckedFinding(this, UNREAD, [context.order.ref])];
    return skippedOnly(this, context.authorizations, [context.order.ref], 'order');
  },
  headline: (findings) =>
    couldNotBeChecked(findings)
      ? 'Authorizations could not be checked: supply the preauthorizations on file'
      : 'No authorization on file applies to this order',
};
