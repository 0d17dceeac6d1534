import type { Rule } from './rule.js';

/** I-TC: the 77387 technical component is bundled into 77402/77407/77412 in 2026; shown as a bundled line. */
export const I_TC: Rule = {
  id: 'I-TC',
  title: '77387 technical component bundled',
  sources: ['001', '000'],
};
