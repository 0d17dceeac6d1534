import { DELETED_CODES } from '../tables/cpt.js';
import type { Authorization, Finding, Ref } from '../types.js';
import { finding, fractionRefs, type Rule, type RuleInfo } from './rule.js';

function deletedCodeFindings(rule: RuleInfo, subject: readonly Ref[], uses: readonly { code: string; where: Ref }[]): Finding[] {
  return uses
    .filter((use) => DELETED_CODES.has(use.code))
    .map((use) =>
      finding(
        rule,
        'critical',
        `${use.code} on ${use.where} was deleted on ${DELETED_CODES.get(use.code)!.deleted} and cannot be billed for a 2026 date of service: ${DELETED_CODES.get(use.code)!.replacement}.`,
        [...subject, use.where],
      ),
    );
}

const authorizationUses = (authorizations: readonly Authorization[]) =>
  authorizations.flatMap((auth) => auth.cptCodes.map((code) => ({ code, where: auth.claim })));

/**
 * C-DELETED: codes deleted on 2026-01-01, or delivery codes deleted in 2015 that some systems still carry, used on an
 * order or an authorization for a 2026 date of service.
 */
export const C_DELETED: Rule = {
  id: 'C-DELETED',
  title: 'Deleted codes (2026, and pre-2015 delivery codes)',
  sources: ['001'],
  order(context) {
    if (!context.inScope) return [];
    return deletedCodeFindings(
      this,
      [context.order.ref],
      [...context.order.cptCodes.map((code) => ({ code, where: context.order.ref })), ...authorizationUses(context.authorizations.applying)],
    );
  },
  session(context) {
    if (!context.inScope) return [];
    return deletedCodeFindings(this, fractionRefs(context), authorizationUses(context.authorizations.applying));
  },
  headline: (findings) =>
    `Deleted code in use (${[...new Set(findings.map((f) => f.message.split(' ')[0]))].join(', ')}): not billable for 2026 dates`,
};
