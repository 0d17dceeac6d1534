import { DENIAL_REASONS } from '../tables/carc.js';
import { IGRT } from '../tables/cpt.js';
import { sessionEvidence } from './charge-rule.js';
import { decided, denialWording, lineName, type RemittanceRule } from './remittance-rule.js';
import { finding } from './rule.js';

/**
 * E-DENIED-26: 77387-26 denied or paid $0 (CARC 97 "included in another service", 4, 236…) for a session whose 77387-26
 * is billable. A session whose guidance was not signed in time has no billable 77387-26: the denial is correct (B-26).
 */
export const E_DENIED_26: RemittanceRule = {
  id: 'E-DENIED-26',
  title: '77387-26 inappropriately denied',
  sources: ['001', '002'],
  line(context) {
    if (context.billedLabel !== IGRT.professional) return null;
    const denied = context.line.paid === 0 || context.reasons.some((r) => (DENIAL_REASONS.bundled26 as readonly string[]).includes(r));
    if (!denied) return null;
    const session = context.session;
    if (session === null || session.igrtStatus !== 'billable') return decided(null);
    const approvals = session.signoffs.filter((s) => s.status === 'in-time').map((s) => s.note);
    return decided(
      finding(
        this,
        'warning',
        `Inappropriate denial: ${lineName(context)} (${denialWording(context)}). 77387-26 is separately payable with 77402-77412 in 2026 (001, 002), and the record shows the guidance reviewed by the physician before the next fraction${approvals.length > 0 ? ` (${approvals.join('; ')})` : ''}. Appeal.`,
        [...(context.charge ? [context.charge.charge] : []), ...sessionEvidence(session), ...session.signoffs.map((s) => s.record)],
      ),
      true,
    );
  },
};
