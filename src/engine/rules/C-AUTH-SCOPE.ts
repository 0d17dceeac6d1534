import { CHARGE_KINDS, MODIFIERS } from '../tables/charges.js';
import { IGRT } from '../tables/cpt.js';
import type { Authorization, AuthorizedItem, Finding } from '../types.js';
import { finding, type OrderContext, type Rule, type RuleInfo } from './rule.js';

/** A delivery code (a 2026 level, or a family outside it) authorized and not denied. */
const isDelivery = (item: AuthorizedItem): boolean => {
  const kind = CHARGE_KINDS.get(item.code);
  return !item.denied && (kind === 'delivery' || kind === 'delivery-other');
};

/** 77387-26, or 77387 global (which includes it), authorized and not denied. */
const coversProfessionalGuidance = (item: AuthorizedItem): boolean =>
  !item.denied && item.code === IGRT.global && !item.modifiers.includes(MODIFIERS.technical);

function gaps(rule: RuleInfo, auth: Authorization, context: OrderContext): Finding[] {
  const { order } = context;
  const evidence = [order.ref, auth.claim, ...(auth.response ? [auth.response] : [])];
  const findings: Finding[] = [];
  const delivery = auth.items.filter(isDelivery);
  const counted = delivery.filter((item) => item.quantity !== null);
  const units = counted.reduce((sum, item) => sum + item.quantity!, 0);
  if (order.plannedFractions !== null && counted.length > 0 && units < order.plannedFractions) {
    findings.push(
      finding(
        rule,
        'warning',
        `Authorization ${auth.claim} covers ${units} delivery unit${units === 1 ? '' : 's'} (${[...new Set(counted.map((i) => i.code))].join(', ')}), but this order plans ${order.plannedFractions} fractions: payers apply fraction limits globally. Ask the payer to extend the authorization before the last ${order.plannedFractions - units} fraction${order.plannedFractions - units === 1 ? '' : 's'}.`,
        evidence,
      ),
    );
  }
  if (context.igrtExpected && auth.items.length > 0 && !auth.items.some(coversProfessionalGuidance)) {
    findings.push(
      finding(
        rule,
        'warning',
        `Authorization ${auth.claim} does not include ${IGRT.professional}, but this order asks for image guidance or intra-fraction monitoring: ${IGRT.professional} is separately billable with ${context.clinical.code ?? 'the 2026 delivery codes'}. Amend the request to add it before treatment.`,
        evidence,
      ),
    );
  }
  return findings;
}

/**
 * C-AUTH-SCOPE: an authorization that applies but does not cover what the order needs (002: "global application of
 * fraction limits"): fewer authorized delivery units than planned fractions, or no 77387-26 while guidance is ordered.
 * Said at order-sign, so the request can be amended before treatment.
 */
export const C_AUTH_SCOPE: Rule = {
  id: 'C-AUTH-SCOPE',
  title: 'Authorization does not cover what the order needs',
  sources: ['002', '001'],
  order(context) {
    if (!context.inScope) return [];
    return context.authorizations.applying.flatMap((auth) => gaps(this, auth, context));
  },
  headline: () => 'Authorization on file does not cover the whole order: amend the request before treatment',
};
