import { LEVEL_RANK } from '../tables/charges.js';
import { chargeFinding, dollars, sessionEvidence, sessionName, type ChargeRule, type ChargeVerdict } from './charge-rule.js';

/**
 * B-LEVEL: a delivery charge whose code is not the session's supportedDeliveryCode. Higher than supported is
 * overbilling (critical, refund risk); lower is undercharging (warning). A session the record gives no level
 * (D-UNKNOWN) cannot be checked; one outside the level family (D-OUT) supports no 77402/77407/77412.
 */
export const B_LEVEL: ChargeRule = {
  id: 'B-LEVEL',
  title: 'Delivery charged at another level than the record supports',
  sources: ['001', '002'],
  session(context) {
    const { session } = context;
    const charged = context.delivery[0];
    if (!charged) return [];
    const code = charged.charge.code ?? '';
    const supported = session.supportedDeliveryCode;
    if (supported === code) return [];
    const name = sessionName(session);
    const evidence = [charged.ref, ...sessionEvidence(session)];
    const verdict = (severity: 'critical' | 'warning', message: string, amount: number | null): ChargeVerdict[] => [
      {
        scope: 'session',
        status: 'level',
        charges: [{ charge: charged, amountAtRisk: amount }],
        finding: chargeFinding(this, severity, message, evidence, amount),
      },
    ];

    if (charged.kind === 'delivery-other') {
      if (supported === null) return [];
      const amount = context.rate(supported);
      return verdict(
        'critical',
        `${charged.ref} charges ${charged.label}, outside the 2026 delivery levels, but the record supports ${supported} (${session.supportedDeliveryRule}) for ${name}: correct the charge.`,
        amount,
      );
    }
    if (supported === null) {
      if (session.outOfFamily) {
        const amount = context.rate(code);
        return verdict(
          'critical',
          `${charged.ref} charges ${code} for ${name}, which is outside the 2026 delivery-level family (${session.outOfFamily}): no 77402/77407/77412 is supportable. Refund risk ${dollars(amount)}.`,
          amount,
        );
      }
      return verdict(
        'warning',
        `${charged.ref} charges ${code} for ${name}, but the level could not be checked: the record does not give the facts for one (${session.deliveryRule}). Supply them before the claim goes out.`,
        null,
      );
    }
    const chargedRate = context.rate(code);
    const supportedRate = context.rate(supported);
    const amount = chargedRate === null || supportedRate === null ? null : Math.round(Math.abs(chargedRate - supportedRate) * 100) / 100;
    const higher = (LEVEL_RANK.get(code) ?? 0) > (LEVEL_RANK.get(supported) ?? 0);
    const because =
      session.deliveryCode === code && session.deliveryRule !== session.supportedDeliveryRule
        ? ` The facts describe ${code} (${session.deliveryRule}) but its documentation is incomplete (see the A findings): complete it before the claim goes out, or correct the charge.`
        : ' Correct the charge.';
    return higher
      ? verdict(
          'critical',
          `Overbilled: ${charged.ref} charges ${code} for ${name}; the record supports ${supported} (${session.supportedDeliveryRule}).${because} Refund risk ${dollars(amount)}.`,
          amount,
        )
      : verdict(
          'warning',
          `Undercharged: ${charged.ref} charges ${code} for ${name}; the record supports ${supported} (${session.supportedDeliveryRule}). Correct the charge: ${dollars(amount)} not billed.`,
          amount,
        );
  },
};
