import type { Rule } from './rule.js';

/** I-PROTON: proton delivery codes are outside this engine, but 77387-26 follows I-PC and I-SIGN. */
export const I_PROTON: Rule = {
  id: 'I-PROTON',
  title: 'Proton sessions: 77387-26 as I-PC',
  sources: ['003'],
};
