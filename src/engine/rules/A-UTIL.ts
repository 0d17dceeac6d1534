import { EXPECTED_LEVEL3_SHARE } from '../tables/cpt.js';
import type { Finding, Utilization } from '../types.js';
import { finding, type RuleInfo } from './rule.js';

/** A-UTIL: CMS expects about 35% of delivery sessions at 77412; a higher share draws payer scrutiny. */
export const A_UTIL: RuleInfo & { population(utilization: Utilization): Finding[] } = {
  id: 'A-UTIL',
  title: '77412 share against the CMS expectation',
  sources: ['001', '000'],
  population(utilization) {
    if (utilization.share === null || utilization.share <= EXPECTED_LEVEL3_SHARE) return [];
    const percent = Math.round(utilization.share * 100);
    return [
      finding(
        this,
        'info',
        `${utilization.level3} of ${utilization.sessions} sessions (${percent}%) are 77412; CMS expects about ${Math.round(EXPECTED_LEVEL3_SHARE * 100)}%. A share well above that draws payer scrutiny: make sure each has documented, necessary AMM or a second isocenter.`,
      ),
    ];
  },
};
