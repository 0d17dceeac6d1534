import type { GuidanceMethod, Modality, MotionTechnique, Technique } from '../types.js';

/**
 * Terminology tables: FHIR codings (system + code, never display) to engine facts.
 * Codes from CodeX Radiation Therapy STU2 and mCODE, plus the project's own `rtb` code system
 * for facts those IGs do not model (spec/fhir-input.md §2).
 */
export const SCT = 'http://snomed.info/sct';
export const RTB = 'https://rt-billing-cds.example/fhir/';
export const RTB_TECHNIQUE_SYSTEM = `${RTB}CodeSystem/rt-technique`;

/** `system|code` → value. */
export type CodeTable<T> = ReadonlyMap<string, T>;

const sct = <T>(rows: Record<string, T>): CodeTable<T> => new Map(Object.entries(rows).map(([code, value]) => [`${SCT}|${code}`, value]));

export const MODALITY_CODES: CodeTable<Modality> = sct({
  '1156506007': 'photon',
  '45643008': 'electron',
  '10611004': 'proton',
  '80347004': 'neutron',
  '1156505006': 'carbon-ion',
  '1156708005': 'brachytherapy',
  '169359004': 'brachytherapy',
  '1156384006': 'brachytherapy',
  '394902000': 'brachytherapy',
  '438629002': 'brachytherapy',
});

export const TECHNIQUE_CODES: CodeTable<Technique> = new Map<string, Technique>([
  [`${SCT}|1156526006`, '2d'],
  [`${SCT}|1162782007`, '3d-crt'],
  [`${SCT}|441799006`, 'imrt'],
  [`${SCT}|1156530009`, 'imrt'], // VMAT counts as IMRT for billing
  [`${RTB_TECHNIQUE_SYSTEM}|srs`, 'srs'],
  [`${RTB_TECHNIQUE_SYSTEM}|sbrt`, 'sbrt'],
  [`${RTB_TECHNIQUE_SYSTEM}|total-skin-electron`, 'total-skin-electron'],
  [`${RTB_TECHNIQUE_SYSTEM}|superficial`, 'superficial'],
  [`${RTB_TECHNIQUE_SYSTEM}|orthovoltage`, 'orthovoltage'],
]);

/** Image-guidance modalities (codexrt-image-guided-radiotherapy-modality) and intra-fraction verification procedures. */
export const GUIDANCE_CODES: CodeTable<GuidanceMethod> = sct({
  '168537006': 'x-ray',
  '44491008': 'fluoroscopy',
  '77477000': 'ct',
  '717193008': 'cbct',
  '113091000': 'mr',
  '16310003': 'ultrasound',
  '1297350006': 'surface',
  '1335864002': 'fiducial-tracking',
  '1332089004': 'electromagnetic-tracking',
});

export const MOTION_CODES: CodeTable<MotionTechnique> = sct({
  '721061000124106': 'gating',
  '1286801002': 'real-time-tracking',
  '721051000124109': 'breath-hold',
  '721081000124101': 'abdominal-compression',
  '1286802009': 'itv',
  '721071000124104': 'free-breathing',
  '721031000124102': 'none',
});

/** Respiratory techniques that monitor during beam-on by themselves (A-QUAL). */
export const SELF_MONITORING_MOTION: ReadonlySet<MotionTechnique> = new Set(['gating', 'real-time-tracking']);

/** Techniques labelled "motion management" that do not monitor during beam-on (A-QUAL warns about them). */
export const LABELLED_NOT_MONITORING_MOTION: ReadonlySet<MotionTechnique> = new Set(['breath-hold', 'abdominal-compression', 'itv']);

/** Respiratory codes that say no motion management is used. */
export const NOT_MOTION_MANAGEMENT: ReadonlySet<MotionTechnique> = new Set(['free-breathing', 'none']);
