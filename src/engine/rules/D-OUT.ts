import { OUT_OF_FAMILY_MODALITIES, OUT_OF_FAMILY_TECHNIQUES } from '../tables/cpt.js';
import { finding, fractionRefs, type LevelRule, type Rule } from './rule.js';

/** D-OUT: proton, neutron, brachytherapy, SRS, SBRT, superficial/orthovoltage are outside the 2026 delivery-level family. */
export const D_OUT: LevelRule & Rule = {
  id: 'D-OUT',
  title: 'Outside the 2026 delivery-level family',
  sources: ['001', '000'],
  code: null,
  test(facts) {
    for (const technique of facts.techniques) {
      const family = OUT_OF_FAMILY_TECHNIQUES.get(technique);
      if (family) return { kind: 'match', outOfFamily: family };
    }
    for (const modality of facts.modalities) {
      const family = OUT_OF_FAMILY_MODALITIES.get(modality);
      if (family) return { kind: 'match', outOfFamily: family };
    }
    return facts.modalities.size === 0 ? { kind: 'unknown', missing: ['modality'] } : { kind: 'no-match' };
  },
  session(context) {
    const family = context.clinical.outOfFamily;
    if (context.clinical.rule !== this.id || !family) return [];
    return [
      finding(
        this,
        'info',
        `Outside the 2026 delivery-level family (77402/77407/77412): report ${family.family}. No delivery level is derived.`,
        fractionRefs(context),
      ),
    ];
  },
  order(context) {
    const family = context.clinical.outOfFamily;
    if (context.clinical.rule !== this.id || !family) return [];
    return [
      finding(this, 'info', `This order is outside the 2026 delivery-level family: expect ${family.family}, not 77402/77407/77412.`, [
        context.order.ref,
      ]),
    ];
  },
};
