import { CHARGE_KINDS } from '../tables/charges.js';
import { decided, denialWording, lineName, type RemittanceRule } from './remittance-rule.js';
import { finding } from './rule.js';

/** E-UNMATCHED: a remittance line for a radiotherapy code that matches no charge and no session. */
export const E_UNMATCHED: RemittanceRule = {
  id: 'E-UNMATCHED',
  title: 'Remittance line that matches no charge or session',
  sources: ['002'],
  line(context) {
    if (context.charge !== null || context.session !== null) return null;
    if (!CHARGE_KINDS.has(context.billedCode)) return decided(null);
    const who = context.patient === null ? 'a patient not in the record' : `${context.patient}, on a date with no session and no charge on file`;
    return decided(
      finding(
        this,
        'warning',
        `The payer remitted ${lineName(context)} for ${who}: no charge or session matches it (${denialWording(context)}). Check the claim was billed for this clinic's patient and date.`,
        context.patient ? [context.patient] : [],
      ),
    );
  },
};
