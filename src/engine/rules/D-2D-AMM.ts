import { finding, fractionRefs, type LevelFacts, type Rule } from './rule.js';

const twoDimensionalWithAmm = (facts: LevelFacts): boolean =>
  facts.amm === true &&
  facts.modalities.has('photon') &&
  facts.techniques.has('2d') &&
  !facts.techniques.has('3d-crt') &&
  !facts.techniques.has('imrt');

/** D-2D-AMM: 2D photons with AMM are Level 3 by the ACRO wording, but unusual: necessity must be clear. */
export const D_2D_AMM: Rule = {
  id: 'D-2D-AMM',
  title: '2D photons with active motion management',
  sources: ['001'],
  session(context) {
    if (context.clinical.rule !== 'D-3-AMM' || !twoDimensionalWithAmm(context.facts)) return [];
    return [
      finding(
        this,
        'info',
        'Active motion management with 2D photons is unusual; 77412 applies ("any photon therapy with active motion management") but the medical necessity should be clear.',
        fractionRefs(context),
      ),
    ];
  },
  order(context) {
    if (context.clinical.rule !== 'D-3-AMM' || !twoDimensionalWithAmm(context.facts)) return [];
    return [
      finding(this, 'info', 'Active motion management ordered with 2D photons is unusual; make its medical necessity clear.', [context.order.ref]),
    ];
  },
};
