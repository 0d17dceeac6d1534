import type { GuidanceMethod, MotionTechnique } from '../types.js';

/** What each respiratory motion-management technique means for A-QUAL (spec/fhir-input.md §2). */

/** Techniques that monitor motion during beam-on by themselves. */
export const SELF_MONITORING_MOTION: ReadonlySet<MotionTechnique> = new Set(['gating', 'real-time-tracking']);

/** Techniques labelled "motion management" that do not monitor during beam-on (A-QUAL warns about them). */
export const LABELLED_NOT_MONITORING_MOTION: ReadonlySet<MotionTechnique> = new Set(['breath-hold', 'abdominal-compression', 'itv']);

/**
 * Intra-fraction methods that monitor from beam-on to beam-off and can hold the beam (A-QUAL, spec v3; 001:69
 * "localization and tracking", 002: monitoring "throughout beam on"). Every other intra-fraction method — an x-ray pair,
 * fluoroscopy, a CT or CBCT taken between beams or mid-arc, a method not named — is a snapshot: guidance for 77387-26
 * (I-PC), and AMM only when the fraction's AMM record covers beam-on to beam-off.
 */
export const MONITORING_METHODS: ReadonlySet<GuidanceMethod> = new Set([
  'fiducial-tracking',
  'electromagnetic-tracking',
  'surface',
  'ultrasound',
  'mr',
]);

/** Techniques that say no motion management is used. */
export const NOT_MOTION_MANAGEMENT: ReadonlySet<MotionTechnique> = new Set(['free-breathing', 'none']);
