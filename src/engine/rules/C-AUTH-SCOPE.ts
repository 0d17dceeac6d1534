import { CHARGE_KINDS, MODIFIERS } from '../tables/charges.js';
import { IGRT } from '../tables/cpt.js';
import type { Authorization, AuthorizedItem, Finding } from '../types.js';
import { finding, type OrderContext, type Rule, type RuleInfo } from './rule.js';

/** A delivery code (a 2026 level, or a family outside it) asked for, whether or not the payer granted it. */
const isDelivery = (item: AuthorizedItem): boolean => {
  const kind = CHARGE_KINDS.get(item.code);
  return kind === 'delivery' || kind === 'delivery-other';
};

/** 77387-26, or 77387 global (which includes it), authorized and not denied. */
const coversProfessionalGuidance = (item: AuthorizedItem): boolean =>
  !item.denied && item.code === IGRT.global && !item.modifiers.includes(MODIFIERS.technical);

function gaps(rule: RuleInfo, auth: Authorization, context: OrderContext): Finding[] {
  const { order } = context;
  const evidence = [order.ref, auth.claim, ...(auth.response ? [auth.response] : [])];
  const findings: Finding[] = [];
  // Units granted: a denied item grants none; an item without a quantity leaves the count unknown.
  const delivery = auth.items.filter(isDelivery);
  const units = delivery.every((item) => item.denied || item.quantity !== null)
    ? delivery.reduce((sum, item) => sum + (item.denied ? 0 : item.quantity!), 0)
    : null;
  const allDenied = delivery.length > 0 && delivery.every((item) => item.denied);
  const short = units !== null && delivery.length > 0 && (order.plannedFractions !== null ? units < order.plannedFractions : allDenied);
  if (short) {
    const planned = order.plannedFractions;
    const denied = delivery.filter((item) => item.denied).map((item) => item.code);
    findings.push(
      finding(
        rule,
        'warning',
        `Authorization ${auth.claim} grants ${units} delivery unit${units === 1 ? '' : 's'} (${[...new Set(delivery.map((i) => i.code))].join(', ')}${denied.length > 0 ? `; the payer denied ${[...new Set(denied)].join(', ')}` : ''})${planned !== null ? `, but this order plans ${planned} fractions: payers apply fraction limits globally. Ask the payer to extend it before the last ${planned - units!} fraction${planned - units! === 1 ? '' : 's'}.` : ': ask the payer to reconsider before treatment.'}`,
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
