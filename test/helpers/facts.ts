import type { AmmRecord, EngineInput, Fraction, MotionFacts, PlanFacts, Prescription, Signature } from '../../src/engine/types.js';

/** Builders of engine facts for table-driven rule tests: sensible defaults, override what the test is about. */
/** The as-of date tests evaluate undated orders on (D-DATE). */
export const AS_OF = '2026-11-25';

export const NO_MOTION: MotionFacts = { imageGuidance: [], intrafraction: [], respiratory: [], portImages: false, unknown: [] };
export const PHOTON_3D: PlanFacts = {
  modalities: ['photon'],
  techniques: ['3d-crt'],
  isocenters: 1,
  combinations: [{ modality: 'photon', techniques: ['3d-crt'] }],
  otherTechniques: [],
  unknown: [],
};

export function signature(at: string | null, overrides: Partial<Signature> = {}): Signature {
  return { provenance: `Provenance/sig-${at ?? 'none'}`, at, by: 'Practitioner/dr', byPractitioner: true, ...overrides };
}

export function ammRecord(start: string, end: string, signatures: Signature[] = [], ref = `DocumentReference/amm-${start}`): AmmRecord {
  return { ref, period: { start, end }, signatures };
}

export interface FractionSpec extends Partial<Omit<Fraction, 'plan' | 'delivered'>> {
  plan?: Partial<PlanFacts>;
  delivered?: Partial<MotionFacts>;
}

let counter = 0;
export function fraction(spec: FractionSpec = {}): Fraction {
  counter += 1;
  const start = spec.start === undefined ? '2026-03-02T09:00:00Z' : spec.start;
  return {
    ref: `Procedure/fx-${counter}`,
    status: 'completed',
    patient: 'Patient/p1',
    encounter: `Encounter/enc-${counter}`,
    end: start === null ? null : new Date(Date.parse(start) + 12 * 60_000).toISOString(),
    bodySites: [],
    basedOn: ['ServiceRequest/plan'],
    prescription: 'ServiceRequest/rx',
    ammRecords: [],
    imageApprovals: [],
    summaries: [],
    factSources: [],
    unresolvedPlans: [],
    ...spec,
    plannedBy: spec.plannedBy !== undefined ? spec.plannedBy : (spec.basedOn?.[0] ?? 'ServiceRequest/plan'),
    start,
    plan: { ...PHOTON_3D, ...spec.plan },
    delivered: { ...NO_MOTION, ...spec.delivered },
  };
}

export interface PrescriptionSpec extends Partial<Omit<Prescription, 'plan' | 'ordered'>> {
  plan?: Partial<PlanFacts>;
  ordered?: Partial<MotionFacts>;
}

export const SPECIFIC_NECESSITY =
  'Left breast cancer; the tumor bed lies over the heart and planning CT shows mean heart dose 4.1 Gy free-breathing versus 1.2 Gy in breath hold.';

export function prescription(spec: PrescriptionSpec = {}): Prescription {
  return {
    ref: 'ServiceRequest/rx',
    status: 'active',
    patient: 'Patient/p1',
    requester: 'Practitioner/dr',
    requesterIsPractitioner: true,
    serviceDate: '2026-02-01',
    level: null,
    basedOn: [],
    ammNecessity: null,
    cptCodes: [],
    ...spec,
    plan: { ...PHOTON_3D, ...spec.plan },
    ordered: { ...NO_MOTION, ...spec.ordered },
  };
}

export function engineInput(spec: Partial<EngineInput> = {}): EngineInput {
  return {
    fractions: [],
    prescriptions: [prescription()],
    summaries: [],
    unstructured: [],
    unrecognised: [],
    authorizations: [],
    siteOfService: {},
    payers: {},
    asOf: AS_OF,
    ...spec,
  };
}

/** Qualifying AMM as delivered: surface guidance monitoring a breath hold. */
export const MONITORED_BREATH_HOLD: Partial<MotionFacts> = { intrafraction: ['surface'], respiratory: ['breath-hold'] };
