import { DELIVERY_CODES } from '../tables/cpt.js';
import type { LevelRule, Rule } from './rule.js';

/** D-3-TSE: total skin electron therapy is Level 3. */
export const D_3_TSE: LevelRule & Rule = {
  id: 'D-3-TSE',
  title: 'Total skin electron therapy',
  sources: ['001'],
  code: DELIVERY_CODES.level3,
  test: (facts) => (facts.techniques.has('total-skin-electron') ? { kind: 'match' } : { kind: 'no-match' }),
};
