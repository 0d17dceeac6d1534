import {
  chargeFinding,
  dollars,
  sessionEvidence,
  sessionName,
  total,
  type ChargeRule,
  type ChargeVerdict,
  type ClassifiedCharge,
  type SessionCharges,
} from './charge-rule.js';

/** B-DUPLICATE: more than one delivery charge, or more than one 77387-26, for one session. */
export const B_DUPLICATE: ChargeRule = {
  id: 'B-DUPLICATE',
  title: 'Charged twice for one session',
  sources: ['001', '003'],
  session(context) {
    return [
      ...duplicates(this, context, context.delivery, 'delivery charges', 'one delivery code'),
      ...duplicates(this, context, context.professional, '77387-26 charges', 'at most one 77387-26 (I-PC)'),
    ];
  },
};

function duplicates(rule: ChargeRule, context: SessionCharges, charges: readonly ClassifiedCharge[], what: string, allowed: string): ChargeVerdict[] {
  const units = charges.reduce((sum, c) => sum + c.charge.units, 0);
  if (units <= 1) return [];
  // The first (best-matching) charge stands for one unit; every other unit is the duplicate.
  const extras = charges
    .map((c, index) => ({ charge: c, extraUnits: index === 0 ? c.charge.units - 1 : c.charge.units }))
    .filter((e) => e.extraUnits > 0)
    .map((e) => ({ charge: e.charge, amountAtRisk: scaled(context.rate(e.charge.label), e.extraUnits) }));
  const amount = total(extras.map((e) => e.amountAtRisk));
  const listed = charges.map((c) => `${c.label} ${c.ref}${c.charge.units > 1 ? ` ×${c.charge.units}` : ''}`).join(', ');
  return [
    {
      scope: 'session',
      status: 'duplicate',
      charges: extras,
      finding: chargeFinding(
        rule,
        'critical',
        `${units} ${what} for ${sessionName(context.session)} (${listed}); a session is billed ${allowed}: void the extra charge. Refund risk ${dollars(amount)}.`,
        [...charges.map((c) => c.ref), ...sessionEvidence(context.session)],
        amount,
      ),
    },
  ];
}

const scaled = (rate: number | null, units: number) => (rate === null ? null : Math.round(rate * units * 100) / 100);
