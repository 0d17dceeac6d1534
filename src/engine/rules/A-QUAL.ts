import { LABELLED_NOT_MONITORING_MOTION, MONITORING_METHODS, NOT_MOTION_MANAGEMENT, SELF_MONITORING_MOTION } from '../tables/motion.js';
import { GUIDANCE_NAMES, MOTION_NAMES } from '../tables/wording.js';
import type { Fraction, GuidanceMethod, MotionFacts, MotionTechnique, RecordKind } from '../types.js';
import { recordCovers } from './A-RECORD.js';
import { finding, uncheckedFinding, type Rule } from './rule.js';

/** A snapshot: an intra-fraction method that verifies position between beams rather than monitoring throughout. */
const isSnapshot = (method: GuidanceMethod): boolean => !MONITORING_METHODS.has(method);

/** The snapshots among intra-fraction methods recorded (x-ray, fluoroscopy, CT, CBCT, a method not named). */
export const snapshots = (motion: MotionFacts): GuidanceMethod[] => motion.intrafraction.filter(isSnapshot);

/** Motion monitored from beam-on to beam-off by the method itself: a monitoring method, gating or real-time tracking. */
const monitoredThroughout = (motion: MotionFacts): boolean =>
  motion.intrafraction.some((method) => !isSnapshot(method)) || motion.respiratory.some((technique) => SELF_MONITORING_MOTION.has(technique));

/**
 * Qualifying AMM (A-QUAL, spec v3): motion monitored from beam-on to beam-off — a monitoring method, gating or real-time
 * tracking — or a snapshot whose fraction has an AMM record covering beam-on to beam-off (`recorded`). Breath hold
 * qualifies only with that monitoring (already counted). An order has no record yet: its snapshots never qualify.
 */
export function qualifiesAsAmm(motion: MotionFacts, recorded = false): boolean {
  return monitoredThroughout(motion) || (recorded && snapshots(motion).length > 0);
}

/** A fraction's motion management as A-QUAL reads it: its delivered facts, and whether an AMM record covers it. */
export const fractionQualifies = (fraction: Fraction): boolean => qualifiesAsAmm(fraction.delivered, recordCovers(fraction));

/**
 * Whether qualifying AMM was performed (or ordered) across several records: `true` when one qualifies, `null` when
 * none does but one states motion management in a code not understood (it might qualify), else `false`. A snapshot
 * whose AMM records could not be read is not counted: the code goes down and A-QUAL says it could not be checked.
 */
export function ammState(items: readonly { readonly motion: MotionFacts; readonly recorded?: boolean }[]): boolean | null {
  if (items.some((item) => qualifiesAsAmm(item.motion, item.recorded))) return true;
  // A method not named (or in a code not understood) may be monitoring: unknown, never guessed either way.
  const undetermined = (motion: MotionFacts) => motion.unknown.length > 0 || motion.intrafraction.includes('unspecified');
  return items.some((item) => undetermined(item.motion)) ? null : false;
}

/**
 * The order carries motion management (A-ORDER, A-NEED): intra-fraction verification, or a respiratory
 * technique other than free breathing or none — whether or not it qualifies as AMM by itself (A-QUAL says that).
 */
export function carriesMotionManagement(motion: MotionFacts): boolean {
  return motion.intrafraction.length > 0 || motion.respiratory.some((technique) => !NOT_MOTION_MANAGEMENT.has(technique));
}

/** Techniques labelled motion management that, without monitoring, do not qualify. */
function labelledOnly(motion: MotionFacts, recorded: boolean): MotionTechnique[] {
  return qualifiesAsAmm(motion, recorded) ? [] : motion.respiratory.filter((technique) => LABELLED_NOT_MONITORING_MOTION.has(technique));
}

const named = (methods: readonly GuidanceMethod[]): string => [...new Set(methods.map((m) => GUIDANCE_NAMES[m]))].join(', ');
const labels = (techniques: readonly MotionTechnique[]): string => techniques.map((t) => MOTION_NAMES[t]).join(', ');

/** What A-QUAL says about one delivered fraction. */
function fractionFindings(rule: Rule, fraction: Fraction, unread: ReadonlySet<RecordKind>): ReturnType<typeof finding>[] {
  const motion = fraction.delivered;
  const recorded = recordCovers(fraction);
  if (qualifiesAsAmm(motion, recorded)) return [];
  const shots = snapshots(motion);
  const labelled = labelledOnly(motion, recorded);
  const snapshotNote =
    shots.length > 0
      ? ` The ${named(shots)} taken during the fraction is a snapshot that verifies position: guidance (77387-26), not monitoring.`
      : '';
  if (shots.length > 0 && fraction.ammRecords.length === 0 && unread.has('amm-records')) {
    return [
      uncheckedFinding(
        rule,
        `Whether ${fraction.ref} had active motion management could not be checked: its intra-fraction ${named(shots)} is a snapshot, which counts only with an AMM record covering beam-on to beam-off, and the AMM records could not be read. It is coded without AMM until one shows the monitoring; supply the AMM records (DocumentReference, type amm-record).`,
        [fraction.ref],
      ),
    ];
  }
  if (labelled.length > 0)
    return [
      finding(
        rule,
        'warning',
        `${fraction.ref} documents ${labels(labelled)} but nothing monitoring motion during beam-on: this is not active motion management and does not support 77412.${snapshotNote}`,
        [fraction.ref],
      ),
    ];
  if (shots.length > 0)
    return [
      finding(
        rule,
        'info',
        `${fraction.ref}: the intra-fraction ${named(shots)} verifies position between beams: guidance for 77387-26, not active motion management. 77412 by AMM needs monitoring from beam-on to beam-off (surface guidance, electromagnetic or fiducial tracking, ultrasound, cine MR, gating) or an AMM record covering beam-on to beam-off.`,
        [fraction.ref, ...fraction.ammRecords.map((r) => r.ref)],
      ),
    ];
  return [];
}

/** A-QUAL: only motion monitored from beam-on to beam-off is active motion management; setup-only techniques and snapshots are not. */
export const A_QUAL: Rule = {
  id: 'A-QUAL',
  title: 'Active motion management must monitor from beam-on to beam-off',
  sources: ['001', '002'],
  session(context) {
    return context.fractions.flatMap((fraction) => fractionFindings(this, fraction, context.unread));
  },
  order(context) {
    const { ordered } = context.order;
    if (qualifiesAsAmm(ordered)) return [];
    const labelled = labelledOnly(ordered, false);
    const shots = snapshots(ordered);
    const snapshotNote =
      shots.length > 0
        ? ` The intra-fraction ${named(shots)} it orders is a snapshot: guidance (77387-26), not monitoring; it counts as AMM only when each fraction's AMM record documents monitoring from beam-on to beam-off.`
        : '';
    if (labelled.length > 0)
      return [
        finding(
          this,
          'warning',
          `The order names ${labels(labelled)} without monitoring during beam-on (gating, tracking, surface guidance): it will not support 77412.${snapshotNote}`,
          [context.order.ref],
        ),
      ];
    if (shots.length > 0)
      return [
        finding(
          this,
          'info',
          `The order asks for intra-fraction ${named(shots)}: a snapshot that verifies position (guidance, 77387-26), not active motion management, so it describes ${context.clinical.code ?? 'a level without AMM'}. For 77412 by AMM, order monitoring from beam-on to beam-off (surface guidance, tracking, gating) and document it in an AMM record each fraction.`,
          [context.order.ref],
        ),
      ];
    return [];
  },
  phase(context) {
    const { delivered } = context.summary;
    const shots = snapshots(delivered);
    if (context.clinical.outOfFamily || qualifiesAsAmm(delivered) || shots.length === 0) return [];
    return [
      finding(
        this,
        'info',
        `The intra-fraction ${named(shots)} recorded for ${context.summary.ref} is a snapshot that verifies position: guidance (77387-26), not active motion management. Each fraction is coded without AMM unless its AMM record documents monitoring from beam-on to beam-off.`,
        [context.summary.ref],
      ),
    ];
  },
  headline: () => 'Motion management without monitoring during beam-on does not support 77412',
};
