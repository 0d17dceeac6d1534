import { chargeFinding, type ChargeRule } from './charge-rule.js';

/** B-NONE: no charge on file for a patient with delivered sessions: reconciliation was not possible. */
export const B_NONE: ChargeRule = {
  id: 'B-NONE',
  title: 'No charges on file to reconcile',
  sources: ['001'],
  patient(context) {
    if (context.onFile > 0 || context.sessions.length === 0) return [];
    const count = context.sessions.length;
    return [
      {
        scope: 'top',
        status: null,
        charges: [],
        finding: chargeFinding(
          this,
          'info',
          `No charges on file for ${context.patient ?? 'the patient'}: its ${count} session${count === 1 ? '' : 's'} could not be reconciled with what was charged. Include the ChargeItem or Claim resources to check them.`,
          context.patient ? [context.patient] : [],
          null,
        ),
      },
    ];
  },
};
