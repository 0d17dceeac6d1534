import { finding, fractionRefs, type Rule } from './rule.js';

/** I-PORT-SAME: port images and IGRT on the same date for the same site: one imaging type only. */
export const I_PORT_SAME: Rule = {
  id: 'I-PORT-SAME',
  title: 'Port images and IGRT in the same session',
  sources: ['003', '004'],
  session(context) {
    const portImages = context.fractions.some((fraction) => fraction.delivered.portImages);
    if (!portImages || !context.igrt.performed) return [];
    return [
      finding(
        this,
        'info',
        'Port images and image guidance in the same session: only one imaging type is reportable for the same site and date. 77417 is bundled in 2026; report 77387-26 only.',
        fractionRefs(context),
      ),
    ];
  },
};
