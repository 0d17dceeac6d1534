import { DELIVERY_CODES } from '../tables/cpt.js';
import type { LevelRule, Rule } from './rule.js';

/** D-3-AMM: any photon therapy with qualifying active motion management is Level 3. */
export const D_3_AMM: LevelRule & Rule = {
  id: 'D-3-AMM',
  title: 'Photon therapy with active motion management',
  sources: ['001'],
  code: DELIVERY_CODES.level3,
  test: (facts) => (facts.modalities.has('photon') && facts.amm ? { kind: 'match' } : { kind: 'no-match' }),
};
