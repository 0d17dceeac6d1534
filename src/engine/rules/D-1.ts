import { DELIVERY_CODES } from '../tables/cpt.js';
import { missingPhotonTechnique, type LevelRule, type Rule } from './rule.js';

/** D-1: photon 2D at one isocenter without AMM, or electron fields only (not total skin). */
export const D_1: LevelRule & Rule = {
  id: 'D-1',
  title: 'Photon 2D, or electrons only',
  sources: ['001'],
  code: DELIVERY_CODES.level1,
  test(facts) {
    const photon = facts.modalities.has('photon');
    if (!photon && facts.modalities.has('electron')) return { kind: 'match' };
    if (!photon || facts.amm) return { kind: 'no-match' };
    if (facts.techniques.has('2d')) return { kind: 'match' };
    return facts.techniques.size === 0 ? { kind: 'unknown', missing: [missingPhotonTechnique(facts)] } : { kind: 'no-match' };
  },
};
