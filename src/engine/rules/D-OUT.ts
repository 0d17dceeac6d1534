import { OUT_OF_FAMILY_MODALITIES, OUT_OF_FAMILY_TECHNIQUES } from '../tables/cpt.js';
import { describeUnknown, finding, fractionRefs, type LevelFacts, type LevelMatch, type LevelRule, type Rule } from './rule.js';

/** External beam modalities within the 2026 family: with them, an unreadable technique could still be SRS or SBRT. */
const IN_FAMILY_MODALITIES = new Set(['photon', 'electron']);

/** D-OUT: proton, neutron, brachytherapy, SRS, SBRT, superficial/orthovoltage are outside the 2026 delivery-level family. */
export const D_OUT: LevelRule & Rule = {
  id: 'D-OUT',
  title: 'Outside the 2026 delivery-level family',
  sources: ['001', '000'],
  code: null,
  test(facts: LevelFacts): LevelMatch {
    for (const technique of facts.techniques) {
      const family = OUT_OF_FAMILY_TECHNIQUES.get(technique);
      if (family) return { kind: 'match', outOfFamily: family };
    }
    for (const modality of facts.modalities) {
      const family = OUT_OF_FAMILY_MODALITIES.get(modality);
      if (family) return { kind: 'match', outOfFamily: family };
    }
    // An unreadable modality could be any; an unreadable technique of photons or electrons could be stereotactic.
    const unreadable = facts.unknown.filter(
      (fact) => fact.fact === 'modality' || (fact.fact === 'technique' && [...facts.modalities].some((m) => IN_FAMILY_MODALITIES.has(m))),
    );
    if (unreadable.length > 0) return { kind: 'unknown', missing: unreadable.map(describeUnknown) };
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
  phase(context) {
    const family = context.clinical.outOfFamily;
    if (context.clinical.rule !== this.id || !family) return [];
    return [finding(this, 'info', `Outside the 2026 delivery-level family (77402/77407/77412): report ${family.family}.`, [context.summary.ref])];
  },
};
