import { matchPolicy, coveragesOf, policyName } from '../policy.js';
import type { Payer } from '../types.js';
import { finding, type Rule } from './rule.js';

/**
 * P-MATCH: which payer policy applies is decided per session and order (engine/policy.ts). When a Coverage active on
 * a date matches no policy, one info per coverage says so: the CPT/CMS rules of the fallback apply, nothing is priced.
 */
export const P_MATCH: Rule = {
  id: 'P-MATCH',
  title: 'No payer policy matches the coverage',
  sources: ['spec'],
  record(context) {
    const { input } = context;
    if (!input.policies || input.policies.length === 0) return [];
    const unmatched = new Map<string, Payer>();
    let fallback = '';
    const note = (patient: string | null, date: string | null) => {
      const match = matchPolicy(input.policies, coveragesOf(input, patient), date);
      fallback = policyName(match.rules);
      for (const coverage of match.unmatched) unmatched.set(coverage.coverage, coverage);
    };
    for (const session of context.sessions) note(session.patient, session.dateOfService);
    for (const order of context.orders) note(order.patient, order.dateOfService);
    return [...unmatched.values()].map((coverage) =>
      finding(
        this,
        'info',
        `No payer policy matches ${coverage.coverage} (${[coverage.payorName, coverage.kind, coverage.state].filter(Boolean).join(', ')}): the CPT/CMS rules of ${fallback} apply, and no estimate is given. A department adds a policy file for this payer (README "Payer policies").`,
        [coverage.coverage],
      ),
    );
  },
};
