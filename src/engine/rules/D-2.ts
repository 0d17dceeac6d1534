import { DELIVERY_CODES } from '../tables/cpt.js';
import { missingPhotonTechnique, type LevelRule, type Rule } from './rule.js';

/** D-2: photon 3D-CRT or IMRT (VMAT is IMRT) to one isocenter, without qualifying AMM. */
export const D_2: LevelRule & Rule = {
  id: 'D-2',
  title: 'Photon 3D-CRT or IMRT, single isocenter',
  sources: ['001'],
  code: DELIVERY_CODES.level2,
  test(facts) {
    if (!facts.modalities.has('photon') || facts.amm) return { kind: 'no-match' };
    if (facts.techniques.has('3d-crt') || facts.techniques.has('imrt')) return { kind: 'match' };
    return facts.techniques.size === 0 ? { kind: 'unknown', missing: [missingPhotonTechnique(facts)] } : { kind: 'no-match' };
  },
};
