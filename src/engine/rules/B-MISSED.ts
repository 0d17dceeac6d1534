import { IGRT } from '../tables/cpt.js';
import { chargeFinding, dollars, sessionEvidence, sessionName, type ChargeRule, type ChargeVerdict } from './charge-rule.js';

/**
 * B-MISSED: a session whose delivery code is supportable, or whose 77387-26 is billable, with no charge for it.
 * A delivery charge of another level (B-LEVEL) or a deleted code (B-DELETED) is the session's charge, not a miss.
 */
export const B_MISSED: ChargeRule = {
  id: 'B-MISSED',
  title: 'Supportable code not charged',
  sources: ['001', '000'],
  session(context) {
    const { session } = context;
    const verdicts: ChargeVerdict[] = [];
    // Charges that could not all be read (a cut file): "not charged" would be a guess.
    if (context.unread.has('charges')) return verdicts;
    const expected: string[] = [
      ...(session.supportedDeliveryCode !== null ? [session.supportedDeliveryCode] : []),
      ...(session.igrtStatus === 'billable' ? [IGRT.professional] : []),
    ];
    if (context.unreadable.length > 0 && expected.length > 0) {
      // A charge on file whose code cannot be read may be the one: "not charged" would be a guess.
      const refs = [...new Set(context.unreadable.map((c) => c.ref))];
      return [
        {
          scope: 'session',
          status: null,
          charges: [],
          finding: chargeFinding(
            this,
            'warning',
            `Could not be checked: ${expected.join(' and ')} ${expected.length === 1 ? 'is' : 'are'} supportable for ${sessionName(session)}, and ${refs.join(', ')} on file for it ${refs.length === 1 ? 'carries' : 'carry'} no CPT or HCPCS code. Add the code to the charge to reconcile it.`,
            [...refs, ...sessionEvidence(session)],
            null,
          ),
        },
      ];
    }
    const deliveryCharged = context.delivery.length > 0 || context.deleted.some((c) => c.kind === 'delivery-deleted');
    if (session.supportedDeliveryCode !== null && !deliveryCharged) {
      const amount = context.rate(session.supportedDeliveryCode);
      verdicts.push(missed(this, context.session, session.supportedDeliveryCode, session.supportedDeliveryRule, amount));
    }
    const professionalCharged = context.professional.length > 0 || context.deleted.some((c) => c.kind === 'guidance-deleted');
    if (session.igrtStatus === 'billable' && !professionalCharged) {
      verdicts.push(missed(this, context.session, IGRT.professional, 'I-PC, I-SIGN', context.rate(IGRT.professional)));
    }
    return verdicts;
  },
};

function missed(rule: ChargeRule, session: Parameters<typeof sessionName>[0], code: string, why: string, amount: number | null): ChargeVerdict {
  return {
    scope: 'session',
    status: null,
    charges: [],
    finding: chargeFinding(
      rule,
      'warning',
      `Not charged: ${code} is supportable for ${sessionName(session)} (${why}) and no charge for it is on file: ${dollars(amount)} not billed.`,
      sessionEvidence(session),
      amount,
    ),
  };
}
