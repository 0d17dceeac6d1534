import type { MotionFacts } from '../types.js';
import { qualifiesAsAmm } from './A-QUAL.js';
import type { Rule } from './rule.js';

/**
 * Guidance for localization: pre-treatment image guidance, intra-fraction verification (a snapshot between beams is
 * guidance too, spec v3), or tracking that monitors throughout. Port images are not guidance (I-PORT).
 */
export function guidancePerformed(delivered: MotionFacts): boolean {
  return delivered.imageGuidance.length > 0 || delivered.intrafraction.length > 0 || qualifiesAsAmm(delivered);
}

/**
 * I-PC: 77387-26 is separately reportable with 77402/77407/77412 when guidance was performed, one unit per session.
 * It produces a billing line (see session.ts), not a finding.
 */
export const I_PC: Rule = {
  id: 'I-PC',
  title: '77387-26 professional guidance, once per session',
  sources: ['001', '002', '003'],
};
