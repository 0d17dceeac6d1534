import type { LevelFacts } from './rule.js';
import { finding, fractionRefs, uncheckedFinding, type Rule } from './rule.js';

/**
 * Plan facts the fractions leave open (not stated at all, rather than stated in a code not understood): a plan or
 * prescription could fill them, so when one of those could not be read they are unread, not missing.
 */
function openPlanFacts(facts: LevelFacts): string[] {
  const stated = new Set(facts.unknown.map((fact) => fact.fact));
  const photon = facts.modalities.has('photon');
  return [
    ...(facts.modalities.size === 0 && !stated.has('modality') ? ['the modality'] : []),
    ...(photon && facts.techniques.size === 0 && !stated.has('technique') ? ['the photon technique'] : []),
    ...(photon && facts.photonIsocenters === null ? ['the isocenter count'] : []),
  ];
}

const list = (items: readonly string[]): string => (items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`);

/** D-UNKNOWN: the facts needed to decide the level are missing. Never default to a level. */
export const D_UNKNOWN: Rule = {
  id: 'D-UNKNOWN',
  title: 'Facts needed for the delivery level are missing',
  sources: ['001'],
  session(context) {
    if (context.clinical.rule !== this.id) return [];
    const missing = context.clinical.missing.join('; ');
    const unread = [...new Set(context.fractions.flatMap((fraction) => fraction.unresolvedPlans))];
    const open = openPlanFacts(context.facts);
    if (unread.length > 0 && open.length > 0) {
      const them = unread.length === 1 ? 'it' : 'them';
      const server = context.unread.has('orders') ? `, or a FHIR server the service can read ${them} from` : '';
      return [
        uncheckedFinding(
          this,
          `The delivery code could not be derived: ${list(open)} ${open.length === 1 ? 'is' : 'are'} not on the fraction, and ${list(unread)}, which it is based on, could not be read. Supply ${them}${server}; no level is assumed.`,
          [...fractionRefs(context), ...unread],
        ),
      ];
    }
    return [
      finding(
        this,
        'critical',
        `No delivery code can be derived. Missing: ${missing}. Document it on the fraction or its plan; no level is assumed.`,
        fractionRefs(context),
      ),
    ];
  },
  phase(context) {
    if (context.clinical.rule !== this.id) return [];
    const missing = context.clinical.missing.join('; ');
    return [finding(this, 'critical', `What the fractions of this summary describe cannot be derived. Missing: ${missing}.`, [context.summary.ref])];
  },
  order(context) {
    if (context.clinical.rule !== this.id) return [];
    const missing = context.clinical.missing.join('; ');
    return [finding(this, 'critical', `The expected delivery level cannot be derived from this order. Missing: ${missing}.`, [context.order.ref])];
  },
};
