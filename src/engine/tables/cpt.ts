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

/** A code no longer valid for 2026 dates of service: when it was deleted, what replaces it, and what it coded. */
export interface DeletedCode {
  readonly deleted: '2015-01-01' | '2026-01-01';
  readonly replacement: string;
  /** Treatment delivery or image guidance: the session charge it stands for (B-DELETED). */
  readonly kind: 'delivery' | 'guidance';
}

const DELIVERY_LEVELS_2026 = 'treatment delivery is now 77402, 77407 or 77412';
const deleted = (codes: readonly string[], when: DeletedCode['deleted'], kind: DeletedCode['kind'], replacement: string): [string, DeletedCode][] =>
  codes.map((code) => [code, { deleted: when, replacement, kind }]);

/**
 * Codes deleted on 2026-01-01 (001), and the delivery codes deleted on 2015-01-01 that some systems still carry (001:15:
 * "the 2015 changes deleted 77403–77416 and 77418"): neither can be billed for a 2026 date of service.
 */
export const DELETED_CODES: ReadonlyMap<string, DeletedCode> = new Map([
  ...deleted(['77385', '77386'], '2026-01-01', 'delivery', 'IMRT delivery is now 77407 (Level 2) or 77412 (Level 3)'),
  ...deleted(['77014'], '2026-01-01', 'guidance', 'CT guidance is now 77387 (technical bundled, 77387-26 professional)'),
  ...deleted(['G6001'], '2026-01-01', 'guidance', 'ultrasound guidance is now 77387 (technical bundled, 77387-26 professional)'),
  ...deleted(['G6002'], '2026-01-01', 'guidance', 'stereoscopic x-ray guidance is now 77387 (technical bundled, 77387-26 professional)'),
  ...deleted(['G6017'], '2026-01-01', 'guidance', 'intrafraction tracking is now part of 77387 and, as AMM, of 77412'),
  ...deleted(
    ['G6003', 'G6004', 'G6005', 'G6006', 'G6007', 'G6008', 'G6009', 'G6010', 'G6011', 'G6012', 'G6013', 'G6014', 'G6015', 'G6016'],
    '2026-01-01',
    'delivery',
    'treatment delivery G-codes are replaced by 77402, 77407 and 77412',
  ),
  ...deleted(
    ['77403', '77404', '77406', '77408', '77409', '77411', '77413', '77414', '77416', '77418'],
    '2015-01-01',
    'delivery',
    `a delivery code deleted in 2015; ${DELIVERY_LEVELS_2026}`,
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

/** The stereotactic limits of CPT (D-OUT-LIMITS): how many sessions a course may have, and what lies beyond. */
export interface StereotacticLimit {
  readonly name: string;
  readonly maxSessions: number;
  /** Sessions beyond the limit: coded by the 2026 delivery levels (SBRT), or another stereotactic family (SRS). */
  readonly beyond: { readonly kind: 'delivery-levels' } | { readonly kind: 'family'; readonly family: OutOfFamily };
  /** The codes that pay once per day, whatever the number of sessions or lesions (004). */
  readonly oncePerDay: string;
  readonly sources: readonly SourceKey[];
}

const FRACTIONATED_CRANIAL: OutOfFamily = {
  family: 'SBRT 77373 (fractionated stereotactic; Medicare G0339 first session, G0340 each further session)',
  igrt: 'bundled',
  igrtRule: 'I-BUNDLED',
  sources: ['004', '000'],
};

/**
 * SBRT (77373, G0563 with PET-guided adjustment; 77435 management): "entire course not to exceed 5 fractions" (004).
 * SRS (77371/77372, G0339): one session; "if more than one session is required, SBRT codes must be used" (004).
 */
export const STEREOTACTIC_LIMITS: ReadonlyMap<Technique, StereotacticLimit> = new Map<Technique, StereotacticLimit>([
  ['sbrt', { name: 'SBRT', maxSessions: 5, beyond: { kind: 'delivery-levels' }, oncePerDay: '77373, G0563 and G0340', sources: ['004'] }],
  [
    'srs',
    { name: 'SRS', maxSessions: 1, beyond: { kind: 'family', family: FRACTIONATED_CRANIAL }, oncePerDay: '77371, 77372 and G0339', sources: ['004'] },
  ],
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
