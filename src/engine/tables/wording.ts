import type { GuidanceMethod, Modality, MotionTechnique, Technique } from '../types.js';

/**
 * Words that only name an AMM technique (A-NEED-SPECIFIC, spec/fhir-input.md §2). A necessity statement
 * with fewer than {@link MIN_SPECIFIC_WORDS} words besides these names the technique, not the patient's reason.
 */
export const TECHNIQUE_WORDS: ReadonlySet<string> = new Set([
  'dibh',
  'deep',
  'inspiration',
  'inspiratory',
  'breath',
  'hold',
  'breath-hold',
  'gating',
  'gated',
  'gate',
  'sgrt',
  'surface',
  'guided',
  'guidance',
  'alignrt',
  'amm',
  'active',
  'motion',
  'management',
  'tracking',
  'respiratory',
  'monitoring',
  'used',
  'with',
  'for',
  'the',
  'a',
  'and',
  'of',
  'to',
]);

export const MIN_SPECIFIC_WORDS = 5;

/** How findings name modalities and techniques. */
export const MODALITY_NAMES: Readonly<Record<Modality, string>> = {
  photon: 'photons',
  electron: 'electrons',
  proton: 'protons',
  neutron: 'neutrons',
  'carbon-ion': 'carbon ions',
  brachytherapy: 'brachytherapy',
  radiopharmaceutical: 'radiopharmaceutical',
};

export const TECHNIQUE_NAMES: Readonly<Record<Technique, string>> = {
  '2d': '2D',
  '3d-crt': '3D-CRT',
  imrt: 'IMRT/VMAT',
  srs: 'SRS',
  sbrt: 'SBRT',
  'total-skin-electron': 'total skin electrons',
  superficial: 'superficial',
  orthovoltage: 'orthovoltage',
};

/** How findings name guidance and monitoring methods. */
export const GUIDANCE_NAMES: Readonly<Record<GuidanceMethod, string>> = {
  'x-ray': 'x-ray (kV/MV pair)',
  fluoroscopy: 'fluoroscopy',
  ct: 'CT',
  cbct: 'CBCT',
  mr: 'MR',
  ultrasound: 'ultrasound',
  surface: 'surface guidance',
  'fiducial-tracking': 'fiducial tracking',
  'electromagnetic-tracking': 'electromagnetic tracking',
  unspecified: 'imaging (method not named)',
};

/** How findings name respiratory motion-management techniques. */
export const MOTION_NAMES: Readonly<Record<MotionTechnique, string>> = {
  gating: 'gating',
  'real-time-tracking': 'real-time tracking',
  'breath-hold': 'breath-hold',
  'abdominal-compression': 'abdominal-compression',
  itv: 'itv',
  'free-breathing': 'free breathing',
  none: 'no motion management',
};
