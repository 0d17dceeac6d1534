import { DELIVERY_CODES } from '../tables/cpt.js';
import type { LevelRule, Rule } from './rule.js';

/** D-3-ISO: photon fields at two or more separate isocenters in the session. Electron reference points do not count. */
export const D_3_ISO: LevelRule & Rule = {
  id: 'D-3-ISO',
  title: 'Photon therapy to two or more separate isocenters',
  sources: ['001'],
  code: DELIVERY_CODES.level3,
  test(facts) {
    if (!facts.modalities.has('photon')) return { kind: 'no-match' };
    if (facts.photonIsocenters === null) return { kind: 'unknown', missing: ['isocenter count'] };
    return facts.photonIsocenters >= 2 ? { kind: 'match' } : { kind: 'no-match' };
  },
};
