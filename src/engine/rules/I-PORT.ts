import { finding, fractionRefs, type Rule } from './rule.js';

/** I-PORT: port images only give no IGRT professional charge; 77417 is bundled in 2026. */
export const I_PORT: Rule = {
  id: 'I-PORT',
  title: 'Port images only: no 77387-26, 77417 bundled',
  sources: ['001'],
  session(context) {
    const portImages = context.fractions.some((fraction) => fraction.delivered.portImages);
    if (!portImages || context.igrt.performed) return [];
    return [
      finding(
        this,
        'info',
        'Port images only: no guidance for localization, so no 77387-26; 77417 is bundled into the delivery code in 2026.',
        fractionRefs(context),
      ),
    ];
  },
};
