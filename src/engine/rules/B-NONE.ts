import { chargeFinding, type ChargeRule } from './charge-rule.js';

/**
 * B-NONE: the input carries charges, but none for this patient with delivered sessions: reconciliation was not possible
 * for them. An input with no charges at all (a hook, a clinical export) is not one to reconcile: nothing is said per
 * patient (a department run says so once, in its summary).
 */
export const B_NONE: ChargeRule = {
  id: 'B-NONE',
  title: 'No charges for this patient in an input that carries charges',
  sources: ['001'],
  patient(context) {
    if (context.onFile > 0 || context.onFileInInput === 0 || context.sessions.length === 0 || context.unread.has('charges')) return [];
    const count = context.sessions.length;
    return [
      {
        scope: 'top',
        status: null,
        charges: [],
        finding: chargeFinding(
          this,
          'info',
          `This input holds charges for other patients but none for ${context.patient ?? 'this patient'}: its ${count} session${count === 1 ? '' : 's'} could not be reconciled with what was charged. Include its ChargeItem or Claim resources to check them.`,
          context.patient ? [context.patient] : [],
          null,
        ),
      },
    ];
  },
};
