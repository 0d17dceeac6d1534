/**
 * Domain types of the billing engine. The engine sees facts, never FHIR: `src/fhir/extract.ts`
 * turns a Bundle into an {@link EngineInput}; `evaluate()` turns that into a {@link Determination}
 * (the JSON shape of `spec/fhir-input.md` §3).
 */

/** CDS Hooks card indicators, reused as finding severities. */
export type Severity = 'info' | 'warning' | 'critical';

export type Modality = 'photon' | 'electron' | 'proton' | 'neutron' | 'carbon-ion' | 'brachytherapy';

export type Technique =
  | '2d'
  | '3d-crt'
  | 'imrt' // VMAT is mapped to IMRT when read: it is IMRT for billing.
  | 'srs'
  | 'sbrt'
  | 'total-skin-electron'
  | 'superficial'
  | 'orthovoltage';

/** Localization imaging or monitoring methods (pre-treatment guidance or intra-fraction tracking). */
export type GuidanceMethod =
  | 'x-ray'
  | 'fluoroscopy'
  | 'ct'
  | 'cbct'
  | 'mr'
  | 'ultrasound'
  | 'surface'
  | 'fiducial-tracking'
  | 'electromagnetic-tracking'
  /** An intra-fraction verification code the reader does not name: still monitoring during beam-on. */
  | 'unspecified';

/** Respiratory motion-management techniques (CodeX RT value sets). */
export type MotionTechnique = 'gating' | 'real-time-tracking' | 'breath-hold' | 'abdominal-compression' | 'itv' | 'free-breathing' | 'none';

/** A reference in `Type/id` form (or the `urn:uuid:` fullUrl of a resource without id). */
export type Ref = string;

/** An ISO 8601 instant or date, as written in the FHIR resource. */
export type DateTimeText = string;

/** Plan facts: what was planned. Read from the fraction, gaps filled from its plan and prescription. */
export interface PlanFacts {
  readonly modalities: readonly Modality[];
  readonly techniques: readonly Technique[];
  /** Isocenters of this fraction/order; `null` when unknown. */
  readonly isocenters: number | null;
}

/** Motion-management facts: on a fraction what was done, on an order what was ordered. */
export interface MotionFacts {
  /** Pre-treatment localization imaging. */
  readonly imageGuidance: readonly GuidanceMethod[];
  /** Intra-fraction verification (monitoring during beam-on). */
  readonly intrafraction: readonly GuidanceMethod[];
  readonly respiratory: readonly MotionTechnique[];
  /** MV port films only, for verification. */
  readonly portImages: boolean;
}

/** A signature: an image approval, or the signing of an AMM record. */
export interface Signature {
  /** The Provenance that records it. */
  readonly provenance: Ref;
  /** When signed; `null` when the Provenance gives no time. */
  readonly at: DateTimeText | null;
  /** The signer's reference, if any. */
  readonly by: Ref | null;
  readonly byPractitioner: boolean;
}

/** A per-fraction active-motion-management record (DocumentReference). */
export interface AmmRecord {
  readonly ref: Ref;
  readonly period: { readonly start: DateTimeText | null; readonly end: DateTimeText | null };
  readonly signatures: readonly Signature[];
}

/** A fact the reader needed and could not find, or found in a form it does not understand. */
export interface MissingFact {
  readonly fact: string;
  readonly detail: string;
  readonly evidence: readonly Ref[];
}

/** A delivered (or attempted) fraction: `Procedure` of the CodeX RT treated-fraction profile. */
export interface Fraction {
  readonly ref: Ref;
  readonly status: string;
  readonly patient: Ref | null;
  readonly encounter: Ref | null;
  readonly start: DateTimeText | null;
  readonly end: DateTimeText | null;
  readonly bodySites: readonly string[];
  readonly plan: PlanFacts;
  /** Delivered facts: from the fraction only. */
  readonly delivered: MotionFacts;
  /** The plan(s)/prescription(s) the fraction is based on, nearest first (for evidence). */
  readonly basedOn: readonly Ref[];
  /** The prescription reached through the basedOn chain, if any. */
  readonly prescription: Ref | null;
  readonly ammRecords: readonly AmmRecord[];
  readonly imageApprovals: readonly Signature[];
  readonly missing: readonly MissingFact[];
}

/** A physician's radiotherapy prescription (`ServiceRequest`, intent original-order). */
export interface Prescription {
  readonly ref: Ref;
  readonly status: string;
  readonly patient: Ref | null;
  readonly requester: Ref | null;
  readonly requesterIsPractitioner: boolean;
  /** Date of service: occurrence start, else authoredOn. */
  readonly serviceDate: DateTimeText | null;
  readonly plan: PlanFacts;
  readonly ordered: MotionFacts;
  /** The patient-specific AMM medical-necessity statement (markdown), if any. */
  readonly ammNecessity: string | null;
  /** CPT codes written on the order itself (e.g. a proposed charge), if any. */
  readonly cptCodes: readonly string[];
  readonly missing: readonly MissingFact[];
}

/** A preauthorization on file: `Claim` (use preauthorization) with its `ClaimResponse`. */
export interface Authorization {
  readonly claim: Ref;
  readonly response: Ref | null;
  readonly patient: Ref | null;
  readonly cptCodes: readonly string[];
  readonly created: DateTimeText | null;
  /** Authorized service period: preAuthPeriod, else item servicedPeriod, else billablePeriod. */
  readonly period: { readonly start: DateTimeText | null; readonly end: DateTimeText | null };
  readonly outcome: string | null;
}

export type PayerKind = 'medicare' | 'medicaid' | 'commercial' | 'other';
export type SiteOfService = 'non-facility' | 'facility';

export interface Payer {
  readonly kind: PayerKind;
  /** Two-letter state of the payer (Medicaid rates are per state). */
  readonly state: string | null;
  readonly coverage: Ref;
}

/** Everything the engine needs, already read out of FHIR. */
export interface EngineInput {
  readonly fractions: readonly Fraction[];
  readonly prescriptions: readonly Prescription[];
  readonly authorizations: readonly Authorization[];
  /** Site of service per session Encounter (from Encounter.location → Location.type). */
  readonly siteOfService: Readonly<Record<Ref, SiteOfService>>;
  /** Active coverage per patient. */
  readonly payers: Readonly<Record<Ref, Payer>>;
  /** Prescriptions being signed now (order-sign): they are "the order" for A-ORDER whatever their status. */
  readonly draftOrders?: readonly Ref[];
  /**
   * Restrict the output to these sessions (by Encounter), e.g. the encounter-discharge hook's encounter: other
   * fractions only give the next beam-on, and orders are not evaluated.
   */
  readonly focusEncounters?: readonly Ref[];
  /** Charges on file (ChargeItem, Claim use `claim`) for the B rules; absent when the caller did not read them. */
  readonly charges?: readonly Charge[];
}

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly source: string;
  readonly evidence: readonly Ref[];
}

export type DeliveryCode = '77402' | '77407' | '77412';
export type IgrtStatus = 'billable' | 'pending' | 'not-supportable' | 'none';

/** One line of what to bill (or what is bundled) for a session. */
export interface BillingLine {
  readonly code: string;
  readonly units: number;
  readonly status: 'bill' | 'pending' | 'bundled';
  readonly rule: string;
}

export interface RateEstimate {
  readonly payer: PayerKind;
  readonly state: string | null;
  readonly setting: SiteOfService;
  readonly lines: readonly { readonly code: string; readonly amount: number | null; readonly note?: string }[];
  /** Sum of the priced lines; `null` when nothing could be priced. */
  readonly total: number | null;
  readonly source: string;
  readonly effectiveFrom: string;
}

export interface SessionDetermination {
  readonly fractions: readonly Ref[];
  readonly encounter: Ref | null;
  readonly patient: Ref | null;
  readonly start: DateTimeText | null;
  readonly deliveryCode: DeliveryCode | null;
  readonly deliveryRule: string;
  readonly outOfFamily?: string;
  readonly supportedDeliveryCode: DeliveryCode | null;
  readonly supportedDeliveryRule: string;
  readonly igrtProfessional: '77387-26' | null;
  readonly igrtStatus: IgrtStatus;
  readonly lines: readonly BillingLine[];
  readonly facts: SessionFactsSummary;
  readonly estimate: RateEstimate | null;
  readonly findings: readonly Finding[];
}

/** What the reviewer sees of the facts behind a session's codes. */
export interface SessionFactsSummary {
  readonly modalities: readonly Modality[];
  readonly techniques: readonly Technique[];
  readonly photonIsocenters: number | null;
  readonly activeMotionManagement: boolean;
  readonly imageGuidance: readonly GuidanceMethod[];
  readonly intrafraction: readonly GuidanceMethod[];
  readonly portImages: boolean;
  readonly nextBeamOn: DateTimeText | null;
}

export interface OrderDetermination {
  readonly order: Ref;
  readonly patient: Ref | null;
  readonly serviceDate: DateTimeText | null;
  readonly expectedDeliveryCode: DeliveryCode | null;
  readonly deliveryRule: string;
  readonly outOfFamily?: string;
  readonly igrtProfessionalExpected: boolean;
  readonly findings: readonly Finding[];
}

export interface Utilization {
  readonly sessions: number;
  readonly level3: number;
  /** Share of 77412 among sessions with a delivery-level code; `null` when there are none. */
  readonly share: number | null;
  readonly expectedShare: number;
}

export interface Determination {
  readonly sessions: readonly SessionDetermination[];
  readonly orders: readonly OrderDetermination[];
  readonly findings: readonly Finding[];
  readonly utilization: Utilization;
  /** One entry per charge reconciled (B rules), when charges were read (spec/fhir-input.md §3 `charges`). */
  readonly charges?: readonly ChargeDetermination[];
}

/** A charge on file: a `ChargeItem`, or one item of a `Claim` with use `claim` (spec B). */
export interface Charge {
  /** `ChargeItem/…` or `Claim/…`. */
  readonly ref: Ref;
  /** The Claim item's `sequence`; `null` for a ChargeItem. */
  readonly item: number | null;
  readonly patient: Ref | null;
  /** The CPT/HCPCS code without modifiers (`77387` for `77387-26`); `null` when the charge has none. */
  readonly code: string | null;
  /** Two-character modifiers (`26`, `TC`), upper case. */
  readonly modifiers: readonly string[];
  readonly units: number;
  /** Date of service as written: occurrence[x] / servicedDate / servicedPeriod.start. */
  readonly date: DateTimeText | null;
  /** The session Encounter(s) the charge names. */
  readonly encounters: readonly Ref[];
  /** The fraction Procedure(s) the charge names. */
  readonly procedures: readonly Ref[];
}

export type ChargeStatus = 'matches' | 'level' | 'not-supported' | 'duplicate' | 'deleted' | 'unmatched';

/** How one charge compares with the record (B rules). */
export interface ChargeDetermination {
  readonly charge: Ref;
  readonly item?: number;
  readonly patient: Ref | null;
  /** As charged, modifiers joined (`77387-26`). */
  readonly code: string;
  readonly modifiers: readonly string[];
  readonly date: DateTimeText | null;
  /** The session it belongs to (its Encounter, else its first fraction); `null` when it matches none. */
  readonly session: Ref | null;
  readonly status: ChargeStatus;
  /** The B rule behind a status other than `matches`. */
  readonly rule?: string;
  /** What is at stake in dollars (rate table, the patient's payer and setting); `null` when it cannot be priced. */
  readonly amountAtRisk?: number | null;
}

/** A B finding: a finding with the amount at stake (rates of rule R), for reports. */
export interface ChargeFinding extends Finding {
  readonly amountAtRisk: number | null;
}
