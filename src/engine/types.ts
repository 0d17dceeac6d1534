/**
 * Domain types of the billing engine. The engine sees facts, never FHIR: `src/fhir/extract.ts`
 * turns a Bundle into an {@link EngineInput}; `evaluate()` turns that into a {@link Determination}
 * (the JSON shape of `spec/fhir-input.md` §3).
 */

import type { PayerPolicy } from './policy.js';
import type { RemittanceClaim, RemittanceLineDetermination } from './remittance-types.js';

/** CDS Hooks card indicators, reused as finding severities. */
export type Severity = 'info' | 'warning' | 'critical';

export type Modality = 'photon' | 'electron' | 'proton' | 'neutron' | 'carbon-ion' | 'brachytherapy' | 'radiopharmaceutical';

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
  /** Guidance recorded in a code the reader does not name: the record says it was done, the method is unknown. */
  | 'unspecified';

/** Respiratory motion-management techniques (CodeX RT value sets). */
export type MotionTechnique = 'gating' | 'real-time-tracking' | 'breath-hold' | 'abdominal-compression' | 'itv' | 'free-breathing' | 'none';

/** A reference in `Type/id` form (or the `urn:uuid:` fullUrl of a resource without id). */
export type Ref = string;

/** An ISO 8601 instant or date, as written in the FHIR resource. */
export type DateTimeText = string;

/**
 * A fact stated in a form the reader cannot interpret: a code outside the value sets it knows, a null flavor such as
 * `UNC` (un-encoded), or text without a code. The fact is unknown; it is never filled from elsewhere.
 */
export interface UnknownFact {
  readonly fact: 'modality' | 'technique' | 'motion management' | 'time zone';
  /** `system|code` as written, or `text` for a concept without a code. */
  readonly code: string;
  /** The resource that states it. */
  readonly resource: Ref;
  readonly reason: 'unrecognised' | 'null-flavor' | 'no-code';
}

/** A modality with the techniques written beside it (one mCODE modality-and-technique extension). */
export interface ModalityTechniques {
  /** `null` when the modality is unknown or not given. */
  readonly modality: Modality | null;
  readonly techniques: readonly Technique[];
}

/** Plan facts: what was planned. Read from the fraction, gaps filled from its plan and prescription. */
export interface PlanFacts {
  readonly modalities: readonly Modality[];
  /** The techniques that decide a level (2D, 3D-CRT, IMRT, stereotactic…). */
  readonly techniques: readonly Technique[];
  /** Isocenters of this fraction/order; `null` when unknown. */
  readonly isocenters: number | null;
  /** Each modality as written with its techniques: a course lists several (D-COURSE). */
  readonly combinations: readonly ModalityTechniques[];
  /** Published techniques that do not change the level (e.g. intraoperative), by name: read and ignored. */
  readonly otherTechniques: readonly string[];
  /** Modality or technique stated in a form the reader cannot interpret. */
  readonly unknown: readonly UnknownFact[];
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
  /** Motion management stated in a code the reader cannot interpret: whether it qualifies is unknown. */
  readonly unknown: readonly UnknownFact[];
}

/**
 * Who a signer is, as the record says: a physician; a non-physician (a radiation therapist, nurse, physicist…, by a
 * PractitionerRole code or specialty or a Practitioner qualification); or a Practitioner whose role is not recorded,
 * who counts as the physician (billing-rules.md, "Who signs").
 */
export type SignerRole = 'physician' | 'non-physician' | 'not-recorded';

/** A signature: an image approval, or the signing of an AMM record. */
export interface Signature {
  /** The Provenance that records it. */
  readonly provenance: Ref;
  /** When signed; `null` when the Provenance gives no time. */
  readonly at: DateTimeText | null;
  /** The signer's reference, if any (a PractitionerRole resolved to its Practitioner). */
  readonly by: Ref | null;
  /**
   * Signed by a Practitioner (directly, or through a PractitionerRole that names one); `null` when the signer is a
   * PractitionerRole the service could not read, so whether a physician signed is unknown.
   */
  readonly byPractitioner: boolean | null;
  /** For a Practitioner signer: what its role says (`null` when not a Practitioner, or its PractitionerRole was unread). */
  readonly role: SignerRole | null;
  /** The role as the record names it (e.g. `NUCC 2471R0002X`), when it names one. */
  readonly roleName: string | null;
}

/** A per-fraction active-motion-management record (DocumentReference). */
export interface AmmRecord {
  readonly ref: Ref;
  readonly period: { readonly start: DateTimeText | null; readonly end: DateTimeText | null };
  readonly signatures: readonly Signature[];
}

/** A delivered (or attempted) fraction: `Procedure` of the CodeX RT treated-fraction profile. */
export interface Fraction {
  readonly ref: Ref;
  readonly status: string;
  readonly patient: Ref | null;
  readonly encounter: Ref | null;
  readonly start: DateTimeText | null;
  readonly end: DateTimeText | null;
  /** The IANA zone of the session's Location (its `timezone` extension), when it gives one: the clinic's dates. */
  readonly timeZone: string | null;
  readonly bodySites: readonly string[];
  readonly plan: PlanFacts;
  /** Delivered facts: from the fraction only. */
  readonly delivered: MotionFacts;
  /** The plan(s)/prescription(s) the fraction is based on, nearest first (for evidence). */
  readonly basedOn: readonly Ref[];
  /** The plan it delivers: its first `basedOn`, whether or not the input holds it (isocenters add up per plan). */
  readonly plannedBy: Ref | null;
  /** Plans and prescriptions its basedOn chain names that the input does not hold: what they say is unread. */
  readonly unresolvedPlans: readonly Ref[];
  /** The prescription reached through the basedOn chain, if any. */
  readonly prescription: Ref | null;
  readonly ammRecords: readonly AmmRecord[];
  readonly imageApprovals: readonly Signature[];
  /** The phase, plan and course summaries this fraction belongs to (partOf, or the same plan or prescription). */
  readonly summaries: readonly Ref[];
  /** Its number in its phase and in its plan (CodeX RT), when recorded: a summary counting beyond it proves a later fraction. */
  readonly numberInPhase: number | null;
  readonly numberInPlan: number | null;
  /** The resources whose facts were read for this fraction (itself, and the plans that filled its gaps). */
  readonly factSources: readonly Ref[];
}

/** What level of the CodeX RT hierarchy a prescription or summary is about. */
export type TreatmentLevel = 'course' | 'phase' | 'plan';

/** A physician's radiotherapy prescription (`ServiceRequest`, intent original-order). */
export interface Prescription {
  readonly ref: Ref;
  readonly status: string;
  readonly patient: Ref | null;
  /** Course, phase or plan prescription; `null` when the order does not say. */
  readonly level: TreatmentLevel | null;
  /** The prescriptions this one is based on (a phase's course, a plan's phase). */
  readonly basedOn: readonly Ref[];
  readonly requester: Ref | null;
  /** A Practitioner, or a PractitionerRole that names one; `null` when a PractitionerRole could not be read. */
  readonly requesterIsPractitioner: boolean | null;
  /** Date of service: occurrence start, else authoredOn; `null` when the order has neither (D-DATE). */
  readonly serviceDate: DateTimeText | null;
  /** The IANA zone of the Location the order names (`locationReference`), when it gives one. */
  readonly timeZone: string | null;
  readonly plan: PlanFacts;
  readonly ordered: MotionFacts;
  /** The patient-specific AMM medical-necessity statement (markdown), if any. */
  readonly ammNecessity: string | null;
  /** CPT codes written on the order itself (e.g. a proposed charge), if any. */
  readonly cptCodes: readonly string[];
  /** Fractions the order plans (timing `repeat.count`, else CodeX RT fractions prescribed or planned); `null` when it does not say. */
  readonly plannedFractions: number | null;
}

/**
 * Delivered treatment recorded as a summary (CodeX RT Treated Phase, Treated Plan, Course Summary): how many
 * fractions were delivered and what each describes, without per-session records (rule group S).
 */
export interface TreatmentSummary {
  readonly ref: Ref;
  readonly level: TreatmentLevel;
  /** completed, stopped (fractions delivered still count) or in-progress (a snapshot), as written. */
  readonly status: string;
  readonly patient: Ref | null;
  readonly start: DateTimeText | null;
  readonly end: DateTimeText | null;
  /** Fractions delivered (phase, plan) or sessions (course); `null` when the summary does not say. */
  readonly fractionsDelivered: number | null;
  /** What was delivered, as for one session of it: plan facts gaps filled from what it is based on. */
  readonly plan: PlanFacts;
  readonly delivered: MotionFacts;
  /**
   * Summaries of the same phase, plan or course share this key (they are based on the same plan or prescription): an
   * in-progress snapshot and the final summary count once.
   */
  readonly sameAs: string;
  /** The summaries this one is part of (a plan's phase, a phase's course), by partOf or by what they are based on. */
  readonly within: readonly Ref[];
  /** Treatment plans known to deliver it (plans based on it, or treated-plan summaries within it); 0 when none is known. */
  readonly plans: number;
  readonly bodySites: readonly string[];
  readonly factSources: readonly Ref[];
}

/** A Procedure that records radiotherapy without the CodeX RT structure (D-UNSTRUCTURED). */
export interface UnstructuredProcedure {
  readonly ref: Ref;
  readonly patient: Ref | null;
  readonly status: string;
  readonly start: DateTimeText | null;
  /** The codes that say it is radiotherapy, as `CPT 77412` or `SNOMED CT 33195004`. */
  readonly codes: readonly string[];
  /** Treatment given (`delivery`), or a service around it: planning, physics, management (`supporting`). */
  readonly records: 'delivery' | 'supporting';
  readonly encounter: Ref | null;
}

/** One service a preauthorization asks for, as the payer decided it. */
export interface AuthorizedItem {
  /** CPT/HCPCS code without modifiers (`77387` for `77387-26`). */
  readonly code: string;
  /** Two-character modifiers (`26`, `TC`), upper case. */
  readonly modifiers: readonly string[];
  /** Units authorized: the payer's adjudicated value for the item, else the quantity asked for; `null` when neither says. */
  readonly quantity: number | null;
  /** The payer denied this item (adjudication `denied`, or a review action "not certified"). */
  readonly denied: boolean;
}

/**
 * A radiotherapy treatment booked for the patient (`Appointment`, booked or arrived): the deadline shown to people for
 * what must be done before the next treatment. Never a substitute for the real next beam-on in deciding billability.
 */
export interface BookedTreatment {
  readonly ref: Ref;
  readonly patient: Ref | null;
  readonly start: DateTimeText;
}

/** A preauthorization on file: `Claim` (use preauthorization) with its `ClaimResponse`. */
export interface Authorization {
  readonly claim: Ref;
  readonly response: Ref | null;
  readonly patient: Ref | null;
  readonly cptCodes: readonly string[];
  readonly items: readonly AuthorizedItem[];
  readonly created: DateTimeText | null;
  /** Authorized service period: preAuthPeriod, else item servicedPeriod, else billablePeriod. */
  readonly period: { readonly start: DateTimeText | null; readonly end: DateTimeText | null };
  readonly outcome: string | null;
  /** The payer decided, and denied what was asked (every item it adjudicated was denied). */
  readonly denied: boolean;
  /** The payer's words on the decision (`ClaimResponse.disposition`). */
  readonly disposition: string | null;
  /** What the authorization is known by (its Claim id and identifiers, the payer's `preAuthRef`): another's disposition may name it. */
  readonly names: readonly string[];
  /** The orders it was asked for (`Claim.referral`, a PAS requested service), when it says. */
  readonly orders: readonly Ref[];
}

export type PayerKind = 'medicare' | 'medicaid' | 'commercial' | 'other';
export type SiteOfService = 'non-facility' | 'facility';

export interface Payer {
  readonly kind: PayerKind;
  /** Two-letter state of the payer (Medicaid rates are per state). */
  readonly state: string | null;
  readonly coverage: Ref;
  /** The payor Organization's name and identifiers (`system|value`), for P-MATCH. */
  readonly payorName?: string | null;
  readonly payorIdentifiers?: readonly string[];
  /** Coverage.period: P-MATCH takes the coverage active on the date of service. */
  readonly period?: { readonly start: DateTimeText | null; readonly end: DateTimeText | null };
  /** Coverage.subscriberId and identifiers: a remittance's member id (835 NM1*QC) matches them. */
  readonly memberIds?: readonly string[];
}

/** Everything the engine needs, already read out of FHIR. */
export interface EngineInput {
  readonly fractions: readonly Fraction[];
  readonly prescriptions: readonly Prescription[];
  /** Delivered treatment recorded as phase, plan or course summaries. */
  readonly summaries: readonly TreatmentSummary[];
  /** Radiotherapy Procedures without the CodeX RT structure. */
  readonly unstructured: readonly UnstructuredProcedure[];
  /** Codes outside the value sets the reader knows, once per resource and code (FHIR-INPUT). */
  readonly unrecognised: readonly UnknownFact[];
  readonly authorizations: readonly Authorization[];
  /** Site of service per session Encounter (from Encounter.location → Location.type). */
  readonly siteOfService: Readonly<Record<Ref, SiteOfService>>;
  /** Active coverage per patient. */
  readonly payers: Readonly<Record<Ref, Payer>>;
  /** Every active Coverage per patient, in record order (P-MATCH picks the one active on the date); else `payers`. */
  readonly coverages?: Readonly<Record<Ref, readonly Payer[]>>;
  /** Payer policies in force (spec P); absent: CPT/CMS rules, no rates. */
  readonly policies?: readonly PayerPolicy[];
  /** What payers paid (spec E): 835 claims, ExplanationOfBenefit, ClaimResponse use claim. */
  readonly remittance?: readonly RemittanceClaim[];
  /** The remittance also holds other patients' claims (a department run): claims that match no patient here are skipped. */
  readonly remittanceForOthers?: boolean;
  /** Identifiers (`value`) of Patients, Accounts and Claims, to the patient they name: an 835 CLP01 matches them. */
  readonly patientIdentifiers?: Readonly<Record<string, Ref>>;
  /** Prescriptions being signed now (order-sign): they are "the order" for A-ORDER whatever their status. */
  readonly draftOrders?: readonly Ref[];
  /**
   * Restrict the output to these sessions (by Encounter), e.g. the encounter-discharge hook's encounter: other
   * fractions only give the next beam-on, and orders are not evaluated.
   */
  readonly focusEncounters?: readonly Ref[];
  /** The date to evaluate undated orders as of (YYYY-MM-DD): the hook's day, or the caller's `asOf` (D-DATE). */
  readonly asOf: string;
  /**
   * The clinic's IANA time zone from the service's settings (`CLINIC_TIME_ZONE`): dates of service are read in it when
   * the session's Location gives none; without either, in the offset each timestamp is written in (D-TZ).
   */
  readonly clinicTimeZone?: string | null;
  /**
   * Kinds of record the caller could not obtain (an EHR prefetch that omitted them and no FHIR server, a fetch that
   * failed): the findings that depend on them say "could not be checked", never "missing".
   */
  readonly unread?: readonly UnreadRecords[];
  /**
   * The fractions are a window of the course (encounter-discharge reads the latest few), not all of it: counting them
   * against the summaries (D-SUMMARY, D-COUNT) would report sessions as missing that were only not asked for.
   */
  readonly fractionWindow?: boolean;
  /** The patient's booked radiotherapy treatments (deadlines only); absent when not read. */
  readonly appointments?: readonly BookedTreatment[];
  /** Charges on file (ChargeItem, Claim use `claim`) for the B rules; absent when the caller did not read them. */
  readonly charges?: readonly Charge[];
  /**
   * Charge resources in the whole input this part comes from (a department run evaluates one patient at a time): when
   * the input carries charges, a patient without any is said so (B-NONE); when it carries none, nothing is said.
   */
  readonly chargesInInput?: number;
}

/** Kinds of record that can be missing from the input without being absent from the chart. */
export type RecordKind =
  /** AMM records (A-RECORD). */
  | 'amm-records'
  /** Signatures: image approvals and AMM record signatures (A-SIGN, I-SIGN). */
  | 'signatures'
  /** The patient's later fractions: the next beam-on (A-SIGN, I-SIGN). */
  | 'later-fractions'
  /** Prescriptions and plans behind the fractions (A-ORDER, A-NEED; plan facts). */
  | 'orders'
  /** Preauthorizations (C-AUTH-*, C-DELETED on authorizations). */
  | 'authorizations'
  /** Coverage and payer (estimates only). */
  | 'coverage'
  /** The session's Location (site of service, estimates only). */
  | 'site-of-service'
  /** Treated Phase, Plan and Course Summary Procedures (D-SUMMARY, D-COUNT). */
  | 'summaries'
  /** Charges on file (ChargeItem, Claim use claim): the B rules say nothing missed or absent. */
  | 'charges'
  /** Booked treatments (Appointment): only the deadline shown on cards depends on them. */
  | 'schedule';

/** A kind of record that could not be read, and why (e.g. which prefetch key was absent). */
export interface UnreadRecords {
  readonly kind: RecordKind;
  readonly detail: string;
}

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  /** A plain sentence a coder understands; the rule and its source are in `rule` and `source`. */
  readonly message: string;
  readonly source: string;
  readonly evidence: readonly Ref[];
  /** What to do about it, when something can be done (the CDS cards turn these into FHIR suggestions). */
  readonly actions?: readonly SuggestedAction[];
  /** The evidence it needs could not be read: it says "could not be checked", not that something is missing. */
  readonly couldNotBeChecked?: true;
  /**
   * About something that can no longer be changed (a deadline passed: the next fraction began unsigned): what is left is
   * to bill accordingly. Cards show it as a billing notice, not as an alarm to the person who can no longer prevent it.
   */
  readonly settled?: true;
}

/** A step that resolves a finding, in domain terms: the CDS layer writes it as the FHIR resource an EHR accepts. */
export type SuggestedAction =
  /** A physician signs something before a deadline: approve a fraction's images, sign an AMM record. */
  | {
      readonly kind: 'physician-signature';
      readonly what: 'approve-images' | 'sign-amm-record';
      readonly focus: Ref;
      readonly patient: Ref | null;
      /** Who should sign: the physician who ordered the treatment, when known. */
      readonly physician: Ref | null;
      /** The next beam-on, when known: the signature counts only before it. */
      readonly before: DateTimeText | null;
      /** The patient's next booked treatment, when the schedule says: the time to act by (a deadline, not a rule). */
      readonly deadline: DateTimeText | null;
    }
  /** Ask the payer for a (new) preauthorization with the 2026 codes the order describes. */
  | { readonly kind: 'preauthorization'; readonly order: Ref; readonly patient: Ref | null; readonly codes: readonly string[] }
  /** Ask the payer for a peer-to-peer review of an authorization that names another level. */
  | { readonly kind: 'peer-to-peer'; readonly order: Ref; readonly patient: Ref | null; readonly authorization: Ref; readonly expected: string };

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
  /** Where the session took place; `unknown` when no Location says (amounts that depend on it are then `null`). */
  readonly setting: SiteOfService | 'unknown';
  readonly lines: readonly { readonly code: string; readonly amount: number | null; readonly note?: string }[];
  /** Sum of the priced lines; `null` when nothing could be priced. */
  readonly total: number | null;
  readonly source: string;
  readonly effectiveFrom: string;
  /** The payer policy whose rates these are (P-RATE). */
  readonly policy?: string;
}

/**
 * What a session is worth to the clinic, by what must happen for it to be paid (estimates from the rate table, never
 * a code's reason). An amount is `null` when the session has such lines but no rate applies (payer or date unknown).
 */
export interface SessionMoney {
  /** The lines to bill now. */
  readonly billable: number | null;
  /** At risk until signed: 77387-26 pending, billable once the physician signs before the next fraction. */
  readonly atRisk: number | null;
  /** Lost: 77387-26 no longer supportable (signed late, or never). */
  readonly lost: number | null;
  /** No delivery code can be billed until the record is completed: lost until then, its amount unknown. */
  readonly noCode: boolean;
}

export interface SessionDetermination {
  readonly fractions: readonly Ref[];
  readonly encounter: Ref | null;
  readonly patient: Ref | null;
  readonly start: DateTimeText | null;
  /** The date of service: the clinic's calendar date of `start` (YYYY-MM-DD); `null` without a start. */
  readonly dateOfService: string | null;
  /** The IANA zone `dateOfService` was read in; `null` when none was known (the date as written in `start`'s offset). */
  readonly timeZone: string | null;
  readonly deliveryCode: DeliveryCode | null;
  readonly deliveryRule: string;
  readonly outOfFamily?: string;
  readonly supportedDeliveryCode: DeliveryCode | null;
  readonly supportedDeliveryRule: string;
  readonly igrtProfessional: '77387-26' | null;
  readonly igrtStatus: IgrtStatus;
  readonly lines: readonly BillingLine[];
  readonly facts: SessionFactsSummary;
  /** The guidance records a physician signs (images, AMM records) and what their signatures show: the evidence of 77387-26. */
  readonly signoffs: readonly Signoff[];
  readonly estimate: RateEstimate | null;
  /** Billable, at risk until signed, lost. */
  readonly money: SessionMoney;
  readonly findings: readonly Finding[];
}

/** One guidance record a physician signs, and its signature as the record shows it (A-SIGN, I-SIGN). */
export interface Signoff {
  /** The signed thing: the fraction (its images) or the AMM record (DocumentReference). */
  readonly record: Ref;
  readonly kind: 'images' | 'amm-record';
  /** `in-time`: signed by a physician before the next beam-on; `pending`, `late`, or `unverified` (could not be checked). */
  readonly status: 'in-time' | 'pending' | 'late' | 'unverified';
  /** The physician's signature: the one that counts (`in-time`), or one given too late (`late`); else `null`. */
  readonly signedBy: Ref | null;
  readonly signedAt: DateTimeText | null;
  /** The signer's role as recorded; `not-recorded` counts as the physician, and the note says so. */
  readonly signerRole: SignerRole | null;
  /** One plain sentence: who signed when, or why it does not count. */
  readonly note: string;
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
  /** The patient's next booked treatment after the session (the schedule): the deadline for what is pending. */
  readonly nextTreatment: DateTimeText | null;
  /**
   * Where the session stands in its prescription, when the record says: its fraction number (in the phase or plan the
   * prescription is for) and the fractions prescribed. The port-image edits read it (B-26: not in the last 3).
   */
  readonly fraction: { readonly number: number; readonly of: number } | null;
}

export interface OrderDetermination {
  readonly order: Ref;
  readonly patient: Ref | null;
  /** The order's own date of service as written; `null` when it has none (then `assumedServiceDate` says what was used). */
  readonly serviceDate: DateTimeText | null;
  /** The clinic's calendar date of `serviceDate` (YYYY-MM-DD), or the assumed one. */
  readonly dateOfService: string;
  /** The IANA zone `dateOfService` was read in; `null` when none was known. */
  readonly timeZone: string | null;
  readonly assumedServiceDate?: string;
  readonly expectedDeliveryCode: DeliveryCode | null;
  readonly deliveryRule: string;
  readonly outOfFamily?: string;
  readonly igrtProfessionalExpected: boolean;
  readonly findings: readonly Finding[];
}

/** A phase, plan or course whose fractions are (partly) not in the record, coded from its summary (D-SUMMARY). */
export interface PhaseDetermination {
  readonly procedure: Ref;
  readonly kind: TreatmentLevel;
  readonly status: string;
  readonly patient: Ref | null;
  /** The course summary it is part of, if any. */
  readonly course: Ref | null;
  readonly start: DateTimeText | null;
  readonly end: DateTimeText | null;
  readonly fractionsDelivered: number | null;
  /** Completed sessions with Treated Fraction records that belong to it. */
  readonly fractionRecords: number;
  /** What each of its fractions describes. */
  readonly deliveryCode: DeliveryCode | null;
  readonly deliveryRule: string;
  readonly outOfFamily: string | null;
  /** `"77387-26"` when guidance was recorded: expected per session, billable only with approvals in time. */
  readonly igrtProfessional: '77387-26' | null;
  readonly facts: PhaseFactsSummary;
  /** Other summaries of the same phase (an in-progress snapshot beside the final one), counted once. */
  readonly snapshots: readonly Ref[];
  readonly findings: readonly Finding[];
}

export interface PhaseFactsSummary {
  readonly modalities: readonly Modality[];
  readonly techniques: readonly Technique[];
  readonly photonIsocenters: number | null;
  readonly activeMotionManagement: boolean;
  readonly imageGuidance: readonly GuidanceMethod[];
  readonly intrafraction: readonly GuidanceMethod[];
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
  /** Delivered treatment known only from summaries (D-SUMMARY); empty when every fraction is in `sessions`. */
  readonly phases: readonly PhaseDetermination[];
  readonly findings: readonly Finding[];
  readonly utilization: Utilization;
  /** What could not be read, when something could not (the findings that depend on it say "could not be checked"). */
  readonly unread?: readonly UnreadRecords[];
  /** One entry per charge reconciled (B rules), when charges were read (spec/fhir-input.md §3 `charges`). */
  readonly charges?: readonly ChargeDetermination[];
  /** One entry per remittance line read (spec E), when remittance was supplied: what the payer did and the E rule. */
  readonly remittance?: readonly RemittanceLineDetermination[];
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
  /** ChargeItem.identifier values (an 835 REF*6R line control number matches them). */
  readonly identifiers?: readonly string[];
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
  /** The charge's date as written. */
  readonly date: DateTimeText | null;
  /** The clinic's calendar date of `date` (YYYY-MM-DD), the date it is matched by; `null` when undated. */
  readonly dateOfService: string | null;
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
