import { finding, type Rule } from './rule.js';

/** The fraction status that records a treatment begun and interrupted. */
const INTERRUPTED = 'stopped';

/**
 * D-PARTIAL: a fraction whose status is `stopped` began and was interrupted: radiation was delivered, so it is a session
 * coded by its facts like any other (sources code per session delivered, 001), with a warning to confirm what was
 * delivered before billing.
 */
export const D_PARTIAL: Rule = {
  id: 'D-PARTIAL',
  title: 'Partially delivered session',
  sources: ['001'],
  session(context) {
    return context.fractions
      .filter((fraction) => fraction.status === INTERRUPTED)
      .map((fraction) =>
        finding(
          this,
          'warning',
          `${fraction.ref} was stopped during treatment: partially delivered. It is coded by what it delivered; confirm what was delivered (fields, dose, imaging) before billing.`,
          [fraction.ref],
        ),
      );
  },
  headline: () => 'Partially delivered session: confirm what was delivered before billing',
};
