import { DELIVERY_CODE_SET } from '../tables/cpt.js';
import { finding, type Rule } from './rule.js';

/** C-AUTH-MISMATCH: the authorization names a 2026 delivery code other than the one the order's facts give. */
export const C_AUTH_MISMATCH: Rule = {
  id: 'C-AUTH-MISMATCH',
  title: 'Authorized delivery level differs from the derived level',
  sources: ['002'],
  order(context) {
    const expected = context.clinical.code;
    if (expected === null) return [];
    return context.authorizations.flatMap((auth) => {
      const authorized = auth.cptCodes.filter((code) => DELIVERY_CODE_SET.has(code));
      if (authorized.length === 0 || authorized.includes(expected)) return [];
      const evidence = [context.order.ref, auth.claim, ...(auth.response ? [auth.response] : [])];
      return [finding(this, 'warning', `The authorization on file (${auth.claim}) is for ${authorized.join(', ')}, but this order describes ${expected} (${context.clinical.rule}). Request a corrected authorization or a peer-to-peer before treatment starts.`, evidence)];
    });
  },
};
