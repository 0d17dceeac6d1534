import type { MotionTechnique } from '../types.js';

/** What each respiratory motion-management technique means for A-QUAL (spec/fhir-input.md §2). */

/** Techniques that monitor motion during beam-on by themselves. */
export const SELF_MONITORING_MOTION: ReadonlySet<MotionTechnique> = new Set(['gating', 'real-time-tracking']);

/** Techniques labelled "motion management" that do not monitor during beam-on (A-QUAL warns about them). */
export const LABELLED_NOT_MONITORING_MOTION: ReadonlySet<MotionTechnique> = new Set(['breath-hold', 'abdominal-compression', 'itv']);

/** Techniques that say no motion management is used. */
export const NOT_MOTION_MANAGEMENT: ReadonlySet<MotionTechnique> = new Set(['free-breathing', 'none']);
