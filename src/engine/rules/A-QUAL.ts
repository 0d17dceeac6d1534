import { LABELLED_NOT_MONITORING_MOTION, NOT_MOTION_MANAGEMENT, SELF_MONITORING_MOTION } from '../tables/motion.js';
import type { MotionFacts, MotionTechnique } from '../types.js';
import { finding, type Rule } from './rule.js';

/**
 * Qualifying AMM: motion is monitored during beam-on — any intra-fraction verification, or gating /
 * real-time tracking. Breath hold qualifies only with intra-fraction verification (already counted).
 */
export function qualifiesAsAmm(motion: MotionFacts): boolean {
  return motion.intrafraction.length > 0 || motion.respiratory.some((technique) => SELF_MONITORING_MOTION.has(technique));
}

/**
 * Whether qualifying AMM was performed (or ordered) across several records: `true` when one qualifies, `null` when
 * none does but one states motion management in a code not understood (it might qualify), else `false`.
 */
export function ammState(motions: readonly MotionFacts[]): boolean | null {
  if (motions.some(qualifiesAsAmm)) return true;
  return motions.some((motion) => motion.unknown.length > 0) ? null : false;
}

/**
 * The order carries motion management (A-ORDER, A-NEED): intra-fraction verification, or a respiratory
 * technique other than free breathing or none — whether or not it qualifies as AMM by itself (A-QUAL says that).
 */
export function carriesMotionManagement(motion: MotionFacts): boolean {
  return motion.intrafraction.length > 0 || motion.respiratory.some((technique) => !NOT_MOTION_MANAGEMENT.has(technique));
}

/** Techniques labelled motion management that, without monitoring, do not qualify. */
function labelledOnly(motion: MotionFacts): MotionTechnique[] {
  return qualifiesAsAmm(motion) ? [] : motion.respiratory.filter((technique) => LABELLED_NOT_MONITORING_MOTION.has(technique));
}

/** A-QUAL: only intra-fraction monitoring is active motion management; setup-only techniques are not. */
export const A_QUAL: Rule = {
  id: 'A-QUAL',
  title: 'Active motion management must monitor during beam-on',
  sources: ['001', '002'],
  session(context) {
    return context.fractions.flatMap((fraction) => {
      const labels = labelledOnly(fraction.delivered);
      if (labels.length === 0) return [];
      return [
        finding(
          this,
          'warning',
          `${fraction.ref} documents ${labels.join(', ')} but nothing monitoring motion during beam-on: this is not active motion management and does not support 77412.`,
          [fraction.ref],
        ),
      ];
    });
  },
  order(context) {
    const labels = labelledOnly(context.order.ordered);
    if (labels.length === 0) return [];
    return [
      finding(
        this,
        'warning',
        `The order names ${labels.join(', ')} without monitoring during beam-on (gating, tracking, surface guidance or intra-fraction imaging): it will not support 77412.`,
        [context.order.ref],
      ),
    ];
  },
  headline: () => 'Motion management without monitoring during beam-on does not support 77412',
};
