import { DENIAL_REASONS } from '../tables/carc.js';
import { DELIVERY_CODES } from '../tables/cpt.js';
import { sessionEvidence } from './charge-rule.js';
import { decided, denialWording, lineName, type RemittanceRule } from './remittance-rule.js';
import { finding } from './rule.js';

/**
 * E-DOWNCODE: 77412 billed, adjudicated as 77407 (835 SVC06 names the billed code) or reduced with CARC 150, for a
 * session whose supportable code is 77412. The finding gives the record's evidence: isocenters (CPT: multiple
 * isocenters, not multiple sites, 002) or AMM (records signed in time, patient-specific necessity).
 */
export const E_DOWNCODE: RemittanceRule = {
  id: 'E-DOWNCODE',
  title: '77412 downcoded by the payer',
  sources: ['001', '002'],
  line(context) {
    if (context.billedCode !== DELIVERY_CODES.level3) return null;
    const adjudicatedLower = context.line.billedCode !== null && context.line.code !== context.billedCode;
    if (!adjudicatedLower && !context.reasons.some((r) => (DENIAL_REASONS.downcode as readonly string[]).includes(r))) return null;
    const session = context.session;
    if (session === null || session.supportedDeliveryCode !== DELIVERY_CODES.level3) return decided(null);
    const evidence =
      session.supportedDeliveryRule === 'D-3-ISO'
        ? `${session.facts.photonIsocenters ?? 'several'} separate photon isocenters (D-3-ISO): CPT 2026 Level 3 is multiple isocenters, not multiple anatomic sites (002)`
        : session.supportedDeliveryRule === 'D-3-AMM'
          ? `active motion management monitored from beam-on to beam-off (${session.facts.intrafraction.join(', ') || 'recorded'}), ordered with a necessity statement, its AMM records signed before the next beam-on (${session.signoffs.filter((s) => s.status === 'in-time').length} in time)`
          : `the session is Level 3 by ${session.supportedDeliveryRule}`;
    return decided(
      finding(
        this,
        'warning',
        `${lineName(context)} was adjudicated as ${context.line.code} (${denialWording(context)}), but the record supports ${DELIVERY_CODES.level3}: ${evidence}. Appeal with the session's evidence.`,
        [...(context.charge ? [context.charge.charge] : []), ...sessionEvidence(session)],
      ),
      true,
    );
  },
};
