import { DELETED_CODES, DELIVERY_CODES, IGRT } from './cpt.js';

/**
 * What a charged code is, for reconciling charges with sessions (spec B). Data, not `if` chains: a code not
 * listed here (planning 77295, physics 77336, management 77427 …) is not a per-session charge and is not
 * reconciled, though it still shows that charges are on file for the patient.
 */
export type ChargeKind =
  /** 77402, 77407, 77412. */
  | 'delivery'
  /** A delivery code outside the 2026 level family (SRS, SBRT, superficial, protons, neutrons, brachytherapy). */
  | 'delivery-other'
  /** A delivery code deleted on 2026-01-01 (77385, 77386, G6003–G6016) or on 2015-01-01 (77403–77418). */
  | 'delivery-deleted'
  /** 77387 (global, -26 or -TC). */
  | 'guidance'
  /** A guidance code deleted on 2026-01-01 (77014, G6001, G6002, G6017). */
  | 'guidance-deleted'
  /** 77417 port images. */
  | 'port-images'
  /** A charge whose code could not be read (no CPT or HCPCS coding, e.g. only a local chargemaster code). */
  | 'unreadable';

/** Delivery codes of the families outside the 2026 levels (D-OUT): reconciled as a session's delivery charge. */
const OTHER_DELIVERY = [
  '77371',
  '77372',
  '77373',
  'G0339',
  'G0340',
  '77401',
  '77423',
  '77424',
  '77425',
  '77520',
  '77522',
  '77523',
  '77525',
  ...Array.from({ length: 50 }, (_, i) => String(77750 + i)),
];

export const CHARGE_KINDS: ReadonlyMap<string, ChargeKind> = new Map<string, ChargeKind>([
  ...Object.values(DELIVERY_CODES).map((code) => [code, 'delivery'] as [string, ChargeKind]),
  ...OTHER_DELIVERY.map((code) => [code, 'delivery-other'] as [string, ChargeKind]),
  ...[...DELETED_CODES].map(([code, { kind }]) => [code, kind === 'guidance' ? 'guidance-deleted' : 'delivery-deleted'] as [string, ChargeKind]),
  [IGRT.global, 'guidance'],
  [IGRT.portImages, 'port-images'],
]);

/** The professional-component modifier, and the technical one. */
export const MODIFIERS = { professional: '26', technical: 'TC' } as const;

/** Delivery levels from lowest to highest, to tell overbilling (critical) from undercharging (B-LEVEL). */
export const LEVEL_RANK: ReadonlyMap<string, number> = new Map([
  [DELIVERY_CODES.level1, 1],
  [DELIVERY_CODES.level2, 2],
  [DELIVERY_CODES.level3, 3],
]);
