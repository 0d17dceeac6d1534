import { DELIVERY_CODES } from '../tables/cpt.js';
import type { LevelRule, Rule } from './rule.js';

/** D-3-MIX: electron and photon fields delivered in the same session. */
export const D_3_MIX: LevelRule & Rule = {
  id: 'D-3-MIX',
  title: 'Mixed electron and photon fields',
  sources: ['001'],
  code: DELIVERY_CODES.level3,
  test: (facts) => (facts.modalities.has('photon') && facts.modalities.has('electron') ? { kind: 'match' } : { kind: 'no-match' }),
};
