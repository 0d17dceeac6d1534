import { policyName } from '../policy.js';
import { DELIVERY_CODE_SET, IGRT } from '../tables/cpt.js';
import { MODIFIERS } from '../tables/charges.js';
import type { SessionDetermination } from '../types.js';
import {
  chargeFinding,
  dollars,
  sessionEvidence,
  sessionName,
  type ChargeRule,
  type ChargeVerdict,
  type ClassifiedCharge,
  type PatientCharges,
} from './charge-rule.js';
import type { RuleInfo } from './rule.js';

const WHY_NOT: Record<string, string> = {
  'not-supportable': 'the guidance was not signed by the physician before the next fraction (see I-SIGN, A-SIGN)',
  none: 'no guidance for localization is recorded, or 77387 is bundled with the treatment (I-PC, I-PORT, I-BUNDLED)',
};

const isPortImages = (charge: ClassifiedCharge) => charge.kind === 'port-images';

/** A session charged with (or coded by) a 2026 delivery code: the technical imaging is bundled in it. */
const withDeliveryCode = (session: SessionDetermination, delivery: readonly ClassifiedCharge[]) =>
  (session.deliveryCode !== null && DELIVERY_CODE_SET.has(session.deliveryCode)) || delivery.some((c) => c.kind === 'delivery');

function verdict(
  rule: RuleInfo,
  charge: ClassifiedCharge,
  session: SessionDetermination,
  severity: 'critical' | 'warning' | 'info',
  message: string,
  amount: number | null,
): ChargeVerdict {
  return {
    scope: 'session',
    at: session,
    // An info names a payer that still pays the charge: the charge stands.
    status: severity === 'info' ? null : 'not-supported',
    charges: [{ charge, amountAtRisk: amount }],
    finding: chargeFinding(rule, severity, message, [charge.ref, ...sessionEvidence(session)], amount),
  };
}

/**
 * 77417 port images under a payer policy with port-image edits (P-PORT; 003, 004): at most one unit per N fractions,
 * none in the last K fractions of the course (when the record says which those are), quantity 1, and not on the date
 * of a 77387 charge. A policy that bundles 77417 (Medicare, status B) is said per session.
 */
function portImageEdits(rule: RuleInfo, context: PatientCharges): ChargeVerdict[] {
  const policy = context.policy.rules;
  const edits = policy.port;
  if (edits.kind !== 'edits') return [];
  const position = new Map(context.sessions.map((session, index) => [session, index + 1]));
  const guidanceDays = new Set(
    context.charges.filter(({ charge, session }) => charge.kind === 'guidance' && session !== null).map(({ session }) => session!),
  );
  const verdicts: ChargeVerdict[] = [];
  let previous: { at: number; session: SessionDetermination } | null = null;
  const ports = context.charges.filter(({ charge, session }) => isPortImages(charge) && session !== null && position.has(session));
  for (const { charge, session } of [...ports].sort((a, b) => position.get(a.session!)! - position.get(b.session!)!)) {
    const at = position.get(session!)!;
    const problems: string[] = [];
    if (charge.charge.units > edits.unitsPerCharge)
      problems.push(`it is charged ${charge.charge.units} units, and 77417 is billed as 1 unit whatever the number of images`);
    if (previous !== null && at - previous.at < edits.everyFractions)
      problems.push(
        `77417 was already charged ${at - previous.at} fraction${at - previous.at === 1 ? '' : 's'} earlier (${sessionName(previous.session)}): once per ${edits.everyFractions} fractions`,
      );
    const fraction = session!.facts.fraction;
    if (fraction && fraction.number > fraction.of - edits.notInLastFractions)
      problems.push(`it falls in the last ${edits.notInLastFractions} fractions of the course (fraction ${fraction.number} of ${fraction.of})`);
    if (edits.notWithIgrt && guidanceDays.has(session!))
      problems.push('77387 is charged for the same session: port images and IGRT are not billable on the same date for the same site');
    if (problems.length > 0)
      verdicts.push(
        verdict(
          rule,
          charge,
          session!,
          'warning',
          `${charge.ref} charges ${charge.label} for ${sessionName(session!)}, but ${problems.join('; ')} (the port-image edits of ${policyName(policy)}: ${policy.source}).`,
          null,
        ),
      );
    previous = { at, session: session! };
  }
  return verdicts;
}

/**
 * B-26: 77387-26 (or 77387 global, which includes it) charged for a session whose 77387-26 is not supportable or not
 * performed (critical); 77387 global or 77387-TC beside a 2026 delivery code, for any payer — CPT 2026 includes the
 * technical imaging guidance in 77402–77412 (warning); 77417 beside a 2026 delivery code: bundled for Medicare (status B),
 * the port-image edits for other payers (warning).
 */
export const B_26: ChargeRule = {
  id: 'B-26',
  title: '77387-26 or bundled imaging charged without support',
  sources: ['000', '001', '003', '004'],
  session(context) {
    const { session } = context;
    const name = sessionName(session);
    const verdicts: ChargeVerdict[] = [];
    const unsupported = session.igrtStatus === 'not-supportable' || session.igrtStatus === 'none';
    for (const charged of context.professional) {
      if (unsupported) {
        const amount = context.rate(IGRT.professional);
        verdicts.push(
          verdict(
            this,
            charged,
            session,
            'critical',
            `${charged.ref} charges ${charged.label} for ${name}, but ${WHY_NOT[session.igrtStatus]}: 77387-26 is not supportable. Refund risk ${dollars(amount)}.`,
            amount,
          ),
        );
      }
    }
    if (!withDeliveryCode(session, context.delivery)) return verdicts;
    const global = unsupported ? [] : context.professional.filter((c) => !c.charge.modifiers.includes(MODIFIERS.professional));
    const technical = context.technical.filter((c) => !isPortImages(c));
    const policy = context.policy.rules;
    const bundledPorts = policy.port.kind === 'bundled' ? context.technical.filter(isPortImages) : [];
    for (const charged of [...global, ...technical]) {
      // P-IGRT: a payer whose policy still pays this component (Texas Medicaid 77387 global/TC, 000; NIA -TC with 3D, 003).
      const component = charged.charge.modifiers.includes(MODIFIERS.technical) ? 'TC' : 'global';
      const withTechnique = policy.igrt.technicalWith.length === 0 || session.facts.techniques.some((t) => policy.igrt.technicalWith.includes(t));
      if (context.policy.policy !== null && policy.igrt.paid.includes(component) && withTechnique) {
        verdicts.push(
          verdict(
            this,
            charged,
            session,
            'info',
            `${charged.ref} charges ${charged.label} beside ${session.deliveryCode ?? 'a 2026 delivery code'} for ${name}: CPT 2026 bundles it, but ${policyName(policy)} still pays 77387 ${component} (${policy.source}). Keep it for this payer.`,
            null,
          ),
        );
        continue;
      }
      const instead = charged.charge.modifiers.includes(MODIFIERS.technical) ? ' Remove it.' : ` Charge ${IGRT.professional} instead.`;
      verdicts.push(
        verdict(
          this,
          charged,
          session,
          'warning',
          `${charged.ref} charges ${charged.label} beside ${session.deliveryCode ?? 'a 2026 delivery code'} for ${name}: CPT 2026 includes the technical imaging guidance in 77402, 77407 and 77412 (77387-TC is bundled, for every payer unless its policy says otherwise).${instead}`,
          null,
        ),
      );
    }
    for (const charged of bundledPorts)
      verdicts.push(
        verdict(
          this,
          charged,
          session,
          'warning',
          `${charged.ref} charges ${charged.label} beside ${session.deliveryCode ?? 'a 2026 delivery code'} for ${name}: for ${policyName(policy)}, port images are bundled with the 2026 delivery codes (status B, ${policy.source}). Remove it.`,
          null,
        ),
      );
    return verdicts;
  },
  patient(context) {
    return portImageEdits(this, context);
  },
};
