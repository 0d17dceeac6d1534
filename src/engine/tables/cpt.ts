import type { DeliveryCode, Modality, Technique } from '../types.js';
import type { SourceKey } from './sources.js';

/** The 2026 delivery-level family (001). */
export const DELIVERY_CODES = {
  level1: '77402',
  level2: '77407',
  level3: '77412',
} as const satisfies Record<string, DeliveryCode>;

export const DELIVERY_CODE_SET: ReadonlySet<string> = new Set(Object.values(DELIVERY_CODES));

/** The delivery levels in order: 77402 (1) < 77407 (2) < 77412 (3). */
export const DELIVERY_LEVEL_RANK: Readonly<Record<DeliveryCode, number>> = {
  [DELIVERY_CODES.level1]: 1,
  [DELIVERY_CODES.level2]: 2,
  [DELIVERY_CODES.level3]: 3,
};

export const IGRT = {
  global: '77387',
  professional: '77387-26',
  portImages: '77417',
} as const;

/** Dates of service from which the 2026 code set applies. */
export const RULES_EFFECTIVE_FROM = '2026-01-01';

/** Codes deleted on 2026-01-01 and what replaces them (001). */
export const DELETED_CODES: ReadonlyMap<string, string> = new Map([
  ['77385', 'IMRT delivery is now 77407 (Level 2) or 77412 (Level 3)'],
  ['77386', 'IMRT delivery is now 77407 (Level 2) or 77412 (Level 3)'],
  ['77014', 'CT guidance is now 77387 (technical bundled, 77387-26 professional)'],
  ['G6001', 'ultrasound guidance is now 77387 (technical bundled, 77387-26 professional)'],
  ['G6002', 'stereoscopic x-ray guidance is now 77387 (technical bundled, 77387-26 professional)'],
  ['G6017', 'intrafraction tracking is now part of 77387 and, as AMM, of 77412'],
  ...['G6003', 'G6004', 'G6005', 'G6006', 'G6007', 'G6008', 'G6009', 'G6010', 'G6011', 'G6012', 'G6013', 'G6014', 'G6015', 'G6016'].map(
    (code) => [code, 'treatment delivery G-codes are replaced by 77402, 77407 and 77412'] as [string, string],
  ),
]);

/** A code family outside the 2026 delivery levels (D-OUT), and what it means for 77387 (I-BUNDLED, I-PROTON). */
export interface OutOfFamily {
  readonly family: string;
  /**
   * `bundled`: both 77387 components are bundled or not reportable (I-BUNDLED); `separate`: 77387-26 per
   * I-PC/I-SIGN; `not-applicable`: 77387 is external-beam guidance, the family codes its own imaging.
   */
  readonly igrt: 'bundled' | 'separate' | 'not-applicable';
  readonly igrtRule: string;
  readonly sources: readonly SourceKey[];
}

/** Techniques first: an SBRT photon plan is SBRT, not photons. Order decides when several apply. */
export const OUT_OF_FAMILY_TECHNIQUES: ReadonlyMap<Technique, OutOfFamily> = new Map([
  ['srs', { family: 'SRS 77371/77372, G0339/G0340', igrt: 'bundled', igrtRule: 'I-BUNDLED', sources: ['000', '001'] }],
  ['sbrt', { family: 'SBRT 77373', igrt: 'bundled', igrtRule: 'I-BUNDLED', sources: ['000', '001'] }],
  ['superficial', { family: 'superficial 77401', igrt: 'bundled', igrtRule: 'I-BUNDLED', sources: ['004'] }],
  ['orthovoltage', { family: 'orthovoltage: superficial 77401', igrt: 'bundled', igrtRule: 'I-BUNDLED', sources: ['004'] }],
]);

export const OUT_OF_FAMILY_MODALITIES: ReadonlyMap<Modality, OutOfFamily> = new Map([
  ['proton', { family: 'proton 77520–77525 (77520, 77522, 77523, 77525)', igrt: 'separate', igrtRule: 'I-PROTON', sources: ['001', '003'] }],
  ['neutron', { family: 'neutron 77423', igrt: 'separate', igrtRule: 'I-PC', sources: ['001'] }],
  ['carbon-ion', { family: 'heavy ion (no 2026 delivery-level code; report per payer)', igrt: 'separate', igrtRule: 'I-PC', sources: ['001'] }],
  ['brachytherapy', { family: 'brachytherapy 77750–77799', igrt: 'not-applicable', igrtRule: 'D-OUT', sources: ['001'] }],
  // A radiopharmaceutical is an unsealed source: nuclear-medicine therapy codes, not external beam (001: outside the family).
  ['radiopharmaceutical', { family: 'radiopharmaceutical therapy 79005–79999', igrt: 'not-applicable', igrtRule: 'D-OUT', sources: ['001'] }],
]);

/** CMS utilization assumption for 77412 among delivery sessions (A-UTIL; 000, 001). */
export const EXPECTED_LEVEL3_SHARE = 0.35;

/** Sessions dated before the 2026 code set: outside this engine (the 2025 codes applied then). */
export const PRE_2026: OutOfFamily = {
  family: 'the codes in force before 2026 (date of service before 2026-01-01)',
  igrt: 'not-applicable',
  igrtRule: 'D-OUT',
  sources: ['001'],
};
