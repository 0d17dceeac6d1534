import { finding, fractionRefs, type Rule } from './rule.js';

/** D-3-PAYER: payers limit 77412 to "multiple anatomic sites"; warn when 77412 rests on isocenters at one site. */
export const D_3_PAYER: Rule = {
  id: 'D-3-PAYER',
  title: 'Payers may downcode 77412 for multiple isocenters at one site',
  sources: ['002'],
  session(context) {
    if (context.supported.rule !== 'D-3-ISO') return [];
    const sites = new Set(context.fractions.flatMap((fraction) => fraction.bodySites));
    if (sites.size > 1) return [];
    return [
      finding(
        this,
        'info',
        '77412 rests on multiple isocenters at one (or an unnamed) body site. CPT supports it, but payers are downcoding to 77407 and limiting 77412 to multiple anatomic sites: keep the isocenter shift documented in the plan.',
        fractionRefs(context),
      ),
    ];
  },
};
