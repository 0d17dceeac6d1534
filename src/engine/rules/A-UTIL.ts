import { EXPECTED_LEVEL3_SHARE } from '../tables/cpt.js';
import type { Finding } from '../types.js';
import type { UtilizationGroup, UtilizationScope } from '../utilization.js';
import { finding, type RuleInfo } from './rule.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** How a finding names the sessions it counts. */
export function scopeName(scope: UtilizationScope): string {
  const month = scope.month ? `${MONTHS[Number(scope.month.slice(5, 7)) - 1] ?? scope.month} ${scope.month.slice(0, 4)}` : null;
  const location = scope.location ? `at ${scope.locationName ? `${scope.locationName} (${scope.location})` : scope.location}` : null;
  if (!month && !location) return 'all sessions';
  return ['sessions', month ? `in ${month}` : null, location].filter(Boolean).join(' ');
}

/**
 * A-UTIL: CMS expects about 35% of delivery sessions at 77412; a population whose share is above that draws payer
 * scrutiny. Only a population counts: at least 20 sessions of more than one patient (one patient's course is not
 * one). Checked over all sessions, per month, and per location when known.
 */
export const A_UTIL: RuleInfo & { population(groups: readonly UtilizationGroup[]): Finding[] } = {
  id: 'A-UTIL',
  title: '77412 share against the CMS expectation',
  sources: ['001', '000'],
  population(groups) {
    return (
      groups
        // Over all sessions, each month, each location; a location in one month is too small a slice to flag.
        .filter((group) => !(group.scope.month && group.scope.location))
        .filter((group) => group.population && group.share !== null && group.share > EXPECTED_LEVEL3_SHARE)
        .map((group) =>
          finding(
            this,
            'info',
            `${scopeName(group.scope)}: ${group.level3} of ${group.sessions} sessions (${Math.round((group.share ?? 0) * 100)}%) are 77412; CMS expects about ${Math.round(EXPECTED_LEVEL3_SHARE * 100)}%. A share well above that draws payer scrutiny: make sure each has documented, necessary AMM or a second isocenter.`,
          ),
        )
    );
  },
};
