import { DELIVERY_CODES } from '../tables/cpt.js';
import { describeUnknown, type LevelRule, type Rule } from './rule.js';

/** D-3-AMM: any photon therapy with qualifying active motion management is Level 3. */
export const D_3_AMM: LevelRule & Rule = {
  id: 'D-3-AMM',
  title: 'Photon therapy with active motion management',
  sources: ['001'],
  code: DELIVERY_CODES.level3,
  test(facts) {
    if (!facts.modalities.has('photon') || facts.amm === false) return { kind: 'no-match' };
    if (facts.amm === true) return { kind: 'match' };
    const unreadable = facts.unknown.filter((fact) => fact.fact === 'motion management');
    return {
      kind: 'unknown',
      missing:
        unreadable.length > 0
          ? unreadable.map(describeUnknown)
          : ['motion management: the intra-fraction verification method (a snapshot, or monitoring from beam-on to beam-off)'],
    };
  },
};
