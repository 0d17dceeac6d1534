import { finding, fractionRefs, uncheckedFinding, type Rule } from './rule.js';

/** D-UNKNOWN: the facts needed to decide the level are missing. Never default to a level. */
export const D_UNKNOWN: Rule = {
  id: 'D-UNKNOWN',
  title: 'Facts needed for the delivery level are missing',
  sources: ['001'],
  session(context) {
    if (context.clinical.rule !== this.id) return [];
    const missing = context.clinical.missing.join(', ');
    // A fact the fraction leaves to its plan, when the plans could not be read, is unread, not missing.
    const planUnread =
      context.unread.has('orders') && context.fractions.some((fraction) => fraction.plannedBy !== null && fraction.basedOn.length === 0);
    if (planUnread) {
      return [
        uncheckedFinding(
          this,
          `The delivery code could not be derived: ${missing} is not on the fraction, and the plans and prescriptions it is based on could not be read. Supply them, or a FHIR server the service can read them from.`,
          fractionRefs(context),
        ),
      ];
    }
    return [
      finding(
        this,
        'critical',
        `No delivery code can be derived: missing ${missing}. Document it on the fraction or its plan; no level is assumed.`,
        fractionRefs(context),
      ),
    ];
  },
  phase(context) {
    if (context.clinical.rule !== this.id) return [];
    const missing = context.clinical.missing.join(', ');
    return [finding(this, 'critical', `What the fractions of this summary describe cannot be derived: missing ${missing}.`, [context.summary.ref])];
  },
  order(context) {
    if (context.clinical.rule !== this.id) return [];
    const missing = context.clinical.missing.join(', ');
    return [finding(this, 'critical', `The expected delivery level cannot be derived from this order: missing ${missing}.`, [context.order.ref])];
  },
};
