import type { AmmRecord, Authorization, EngineInput, Fraction, MotionFacts, PlanFacts, Prescription, Signature } from '../../src/engine/types.js';
import { loadPolicies } from '../../src/policies/load.js';

/** The shipped payer policies (policies/), as the service loads them. */
export const SHIPPED_POLICIES = loadPolicies();

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
  const practitioner = overrides.byPractitioner === undefined || overrides.byPractitioner === true;
  return {
    provenance: `Provenance/sig-${at ?? 'none'}`,
    at,
    by: 'Practitioner/dr',
    byPractitioner: true,
    role: practitioner ? 'not-recorded' : null,
    roleName: null,
    ...overrides,
  };
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
    timeZone: null,
    end: start === null ? null : new Date(Date.parse(start) + 12 * 60_000).toISOString(),
    bodySites: [],
    basedOn: ['ServiceRequest/plan'],
    prescription: 'ServiceRequest/rx',
    ammRecords: [],
    imageApprovals: [],
    summaries: [],
    numberInPhase: null,
    numberInPlan: null,
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
    timeZone: null,
    plannedFractions: null,
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
    policies: SHIPPED_POLICIES,
    asOf: AS_OF,
    ...spec,
  };
}

/** Qualifying AMM as delivered: surface guidance monitoring a breath hold. */
export const MONITORED_BREATH_HOLD: Partial<MotionFacts> = { intrafraction: ['surface'], respiratory: ['breath-hold'] };

/**
 * A preauthorization on file: decided (`complete`) for 2026-01-01 to 2026-06-30 unless overridden. Its items follow its
 * codes (`77387-26` is 77387 with modifier 26), each without a quantity, unless given.
 */
export function authorization(overrides: Partial<Authorization> & { cptCodes?: readonly string[] } = {}): Authorization {
  const cptCodes = overrides.cptCodes ?? ['77407'];
  return {
    claim: 'Claim/pa',
    response: 'ClaimResponse/pa-r',
    patient: 'Patient/p1',
    created: null,
    period: { start: '2026-01-01', end: '2026-06-30' },
    outcome: 'complete',
    denied: false,
    disposition: null,
    names: ['pa'],
    orders: [],
    ...overrides,
    cptCodes: cptCodes.map((code) => code.split('-')[0]!),
    items:
      overrides.items ??
      cptCodes.map((code) => {
        const [base = code, ...modifiers] = code.split('-');
        return { code: base, modifiers, quantity: null, denied: false };
      }),
  };
}
