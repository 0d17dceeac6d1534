import { finding, fractionRefs, type Rule } from './rule.js';

/** I-BUNDLED: with SRS/SBRT both 77387 components are bundled; with superficial/orthovoltage guidance is not reportable. */
export const I_BUNDLED: Rule = {
  id: 'I-BUNDLED',
  title: '77387 bundled with SRS/SBRT, not reportable with superficial',
  sources: ['000', '001', '004'],
  session(context) {
    if (context.igrt.treatment !== 'bundled' || !context.igrt.performed) return [];
    const family = context.clinical.outOfFamily?.family ?? 'this treatment';
    return [
      finding(this, 'info', `Image guidance is not separately reported with ${family}: both 77387 components are bundled.`, fractionRefs(context)),
    ];
  },
};
