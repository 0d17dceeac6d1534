import { policyName, type PolicyMatch } from '../policy.js';
import type { LevelFacts } from './rule.js';
import { finding, fractionRefs, type Rule } from './rule.js';

/**
 * P-IGRT: the payer's stance on IGRT with 2D, from its policy: `covered` says nothing, `not-medically-necessary` names
 * the payer's policy (NIA, 003), `unspecified` (no source says) warns that payers such as NIA deny it.
 */
function stance(payer: PolicyMatch): { readonly warn: boolean; readonly who: string } {
  const policy = payer.policy;
  if (policy?.igrt.with2d === 'covered') return { warn: false, who: '' };
  if (policy?.igrt.with2d === 'not-medically-necessary') return { warn: true, who: `${policyName(policy)} considers` };
  return { warn: true, who: 'payers (e.g. NIA) consider' };
}

const isTwoDimensional = (facts: LevelFacts): boolean =>
  facts.modalities.has('photon') && facts.techniques.has('2d') && !facts.techniques.has('3d-crt') && !facts.techniques.has('imrt');

/** I-2D: IGRT with 2D photon delivery is considered not medically necessary by payers such as NIA. */
export const I_2D: Rule = {
  id: 'I-2D',
  title: 'IGRT with 2D delivery likely denied',
  sources: ['003'],
  session(context) {
    if (!context.igrt.performed || context.igrt.treatment !== 'separate' || !isTwoDimensional(context.facts)) return [];
    const { warn, who } = stance(context.payer);
    if (!warn) return [];
    return [
      finding(
        this,
        'warning',
        `77387-26 with 2D photon delivery: ${who} IGRT not medically necessary for 2D; the charge is likely denied.`,
        fractionRefs(context),
      ),
    ];
  },
  order(context) {
    const ordered = context.order.ordered;
    if ((ordered.imageGuidance.length === 0 && ordered.intrafraction.length === 0) || !isTwoDimensional(context.facts)) return [];
    const { warn, who } = stance(context.payer);
    if (!warn) return [];
    return [
      finding(this, 'warning', `Image guidance ordered with 2D photons: ${who} IGRT not medically necessary for 2D; 77387-26 is likely denied.`, [
        context.order.ref,
      ]),
    ];
  },
  headline: () => '77387-26 with 2D delivery is likely denied as not medically necessary',
};
