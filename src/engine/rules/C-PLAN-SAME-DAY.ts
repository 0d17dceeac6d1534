import type { Rule } from './rule.js';

/** C-PLAN-SAME-DAY: no NCCI edit between 77387 and plan codes; deliberately never produces a finding. */
export const C_PLAN_SAME_DAY: Rule = {
  id: 'C-PLAN-SAME-DAY',
  title: '77387-26 with a plan code on the same date is fine',
  sources: ['002'],
};
