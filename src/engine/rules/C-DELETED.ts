import { DELETED_CODES } from '../tables/cpt.js';
import { finding, type Rule } from './rule.js';

/** C-DELETED: codes deleted on 2026-01-01 used on an order or an authorization for a 2026 date of service. */
export const C_DELETED: Rule = {
  id: 'C-DELETED',
  title: 'Codes deleted in 2026',
  sources: ['001'],
  order(context) {
    if (!context.inScope) return [];
    const uses = [
      ...context.order.cptCodes.map((code) => ({ code, where: context.order.ref })),
      ...context.authorizations.flatMap((auth) => auth.cptCodes.map((code) => ({ code, where: auth.claim }))),
    ];
    return uses
      .filter((use) => DELETED_CODES.has(use.code))
      .map((use) => finding(this, 'critical', `${use.code} on ${use.where} was deleted on 2026-01-01 and cannot be billed for a 2026 date of service: ${DELETED_CODES.get(use.code)}.`, [context.order.ref, use.where]));
  },
};
