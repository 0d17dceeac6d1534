import { z } from 'zod';
import { isTimeZone } from '../engine/calendar.js';
import type {
  AmmRecord,
  Authorization,
  EngineInput,
  Fraction,
  Payer,
  Prescription,
  Ref,
  BookedTreatment,
  Signature,
  SignerRole,
  SiteOfService,
  TreatmentLevel,
  UnstructuredProcedure,
  UnreadRecords,
} from '../engine/types.js';
import {
  ACTIVITY_AMM_SIGNATURE,
  ACTIVITY_IMAGE_APPROVAL,
  AMM_RECORD_TYPE,
  codingKeys,
  PAYER_TYPE_SYSTEM,
  PAYER_TYPES,
  PLACE_OF_SERVICE,
  PLACE_OF_SERVICE_SYSTEM,
  TREATED_FRACTION_CODE,
  TREATMENT_LEVEL_CODES,
} from './codes.js';
import { readMotionFacts, readPlanFacts, UnrecognisedCodes } from './concepts.js';
import { claimItemCode, parseClaimItem, readCharges } from './charges.js';
import { itemDecision, requestedServices } from './preauthorization.js';
import type { BundleEntry } from './parse.js';
import { CODEXRT_PROFILES, EXTENSION, ExtensionReader } from './paths.js';
import { PlanChain } from './plan-chain.js';
import { ResourceIndex } from './references.js';
import type { ResourceOf } from './schemas.js';
import { SummaryReader } from './summaries.js';
import {
  CPT,
  NUCC_TAXONOMY,
  RADIOTHERAPY_APPOINTMENT_CODES,
  radiotherapyBillingCode,
  RADIOTHERAPY_PROCEDURE_CODES,
  SCT,
  signerKind,
  type RadiotherapyService,
} from './vocabulary.js';

type Procedure = ResourceOf<'Procedure'>;
type ServiceRequest = ResourceOf<'ServiceRequest'>;
type Provenance = ResourceOf<'Provenance'>;

export interface ExtractOptions {
  /** Orders being signed (order-sign's draftOrders): each is "the order" whatever its status. */
  readonly draftOrders?: readonly Ref[];
  /** Evaluate only the sessions of these Encounters (encounter-discharge). */
  readonly focusEncounters?: readonly Ref[];
  /** The date undated orders are evaluated as of (YYYY-MM-DD): the hook's day, the API's or CLI's `asOf`. */
  readonly asOf: string;
  /** Kinds of record the caller could not obtain (what depends on them "could not be checked"). */
  readonly unread?: readonly UnreadRecords[];
  /** The fractions are the latest few of the course, not all of it (encounter-discharge): no counts against summaries. */
  readonly fractionWindow?: boolean;
  /** The clinic's IANA time zone from the settings (`CLINIC_TIME_ZONE`), for sessions whose Location gives none. */
  readonly clinicTimeZone?: string | null;
  /** Charge resources in the whole input this Bundle is part of (a department run), for B-NONE. */
  readonly chargesInInput?: number;
}

/** What a Procedure records, by its code (or, without one, its CodeX RT profile). */
type ProcedureKind =
  | { readonly kind: 'fraction' }
  | { readonly kind: 'summary'; readonly level: TreatmentLevel }
  | { readonly kind: 'unstructured'; readonly codes: string[]; readonly records: RadiotherapyService }
  | { readonly kind: 'other' };

/** Appointment statuses of a treatment still to come. */
const BOOKED: ReadonlySet<string> = new Set(['booked', 'arrived', 'checked-in']);

/** How far up `Location.partOf` a zone is looked for (room, department, site, organization's campus…). */
const MAX_LOCATION_DEPTH = 5;

/** Words of a payer's disposition that say the request was denied. */
const DENIAL_WORDS = /\b(denied|denial|not certified|non-certified|not authori[sz]ed|not approved|rejected)\b/i;

/** Adds to a list kept in a map (no copy per item). */
function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const SUMMARY_PROFILES: ReadonlyMap<string, TreatmentLevel> = new Map([
  [CODEXRT_PROFILES.treatedPhase, 'phase'],
  [CODEXRT_PROFILES.treatedPlan, 'plan'],
  [CODEXRT_PROFILES.courseSummary, 'course'],
  [CODEXRT_PROFILES.mcodeCourseSummary, 'course'],
]);

const RT_REQUEST_PROFILES: ReadonlyMap<string, TreatmentLevel> = new Map([
  [CODEXRT_PROFILES.coursePrescription, 'course'],
  [CODEXRT_PROFILES.phasePrescription, 'phase'],
  [CODEXRT_PROFILES.planPrescription, 'plan'],
  [CODEXRT_PROFILES.plannedCourse, 'course'],
  [CODEXRT_PROFILES.plannedPhase, 'phase'],
  [CODEXRT_PROFILES.treatmentPlan, 'plan'],
]);

const profilesOf = (resource: { meta?: { profile?: string[] | undefined } | undefined }): string[] => resource.meta?.profile ?? [];

function procedureKind(procedure: Procedure): ProcedureKind {
  const keys = codingKeys(procedure.code);
  const profiles = profilesOf(procedure);
  if (keys.includes(TREATED_FRACTION_CODE) || profiles.includes(CODEXRT_PROFILES.treatedFraction)) return { kind: 'fraction' };
  const level =
    keys.map((key) => TREATMENT_LEVEL_CODES.get(key)).find(Boolean) ?? profiles.map((profile) => SUMMARY_PROFILES.get(profile)).find(Boolean);
  if (level) return { kind: 'summary', level };
  let delivery = false;
  const codes = (procedure.code?.coding ?? []).flatMap((coding) => {
    const billing = radiotherapyBillingCode(coding.system, coding.code);
    if (billing) {
      delivery ||= billing === 'delivery';
      return [`${coding.code?.startsWith('G') ? 'HCPCS' : 'CPT'} ${coding.code}`];
    }
    if (!coding.system || !coding.code || !RADIOTHERAPY_PROCEDURE_CODES.has(`${coding.system}|${coding.code}`)) return [];
    delivery = true; // a SNOMED radiotherapy procedure: treatment given
    return [`${coding.system === SCT ? 'SNOMED CT' : coding.system} ${coding.code}`];
  });
  return codes.length > 0 ? { kind: 'unstructured', codes, records: delivery ? 'delivery' : 'supporting' } : { kind: 'other' };
}

/** A radiotherapy prescription, plan or planned phase/course, and which level of the hierarchy it is. */
function requestLevel(request: ServiceRequest): TreatmentLevel | null {
  return (
    codingKeys(request.code)
      .map((key) => TREATMENT_LEVEL_CODES.get(key))
      .find(Boolean) ??
    profilesOf(request)
      .map((profile) => RT_REQUEST_PROFILES.get(profile))
      .find(Boolean) ??
    null
  );
}

/** Reads a Bundle's resources into the engine's facts. Codes it cannot interpret are kept as unknown facts. */
export class FactReader {
  private readonly index: ResourceIndex;
  private readonly unrecognised = new UnrecognisedCodes();
  private readonly chain: PlanChain;
  private readonly provenanceByTarget = new Map<Ref, Provenance[]>();
  private readonly ammRecordsByFraction = new Map<Ref, ResourceOf<'DocumentReference'>[]>();
  private readonly procedures: { procedure: Procedure; kind: ProcedureKind }[];
  private summaryReader: SummaryReader | null = null;
  private coverageList: Record<Ref, Payer[]> | undefined;
  /** Each Location's time zone, read once (`null`: it gives none this runtime knows). */
  private readonly zones = new Map<Ref, string | null>();

  constructor(entries: readonly BundleEntry[]) {
    this.index = new ResourceIndex(entries);
    this.chain = new PlanChain(this.index, this.unrecognised);
    for (const provenance of this.index.all('Provenance')) {
      for (const target of provenance.target) {
        const ref = this.index.refTo(target.reference, provenance);
        if (ref) append(this.provenanceByTarget, ref, provenance);
      }
    }
    for (const document of this.index.all('DocumentReference')) {
      if (!codingKeys(document.type).includes(AMM_RECORD_TYPE) || document.status === 'entered-in-error') continue;
      for (const related of document.context?.related ?? []) {
        const ref = this.index.refTo(related.reference, document);
        if (ref) append(this.ammRecordsByFraction, ref, document);
      }
    }
    this.procedures = this.index.all('Procedure').map((procedure) => ({ procedure, kind: procedureKind(procedure) }));
  }

  /** The radiotherapy prescriptions among the resources (no FHIRPath: code and profile only). */
  prescriptionRefs(): Ref[] {
    return this.prescriptionResources().map((request) => this.index.refOf(request));
  }

  read(options: ExtractOptions): EngineInput {
    const focus = options.focusEncounters ? new Set(options.focusEncounters) : null;
    // With a focus (encounter-discharge), other fractions only give their start (the next beam-on): no FHIRPath.
    const inFocus = (procedure: Procedure) => focus === null || focus.has(this.index.refTo(procedure.encounter?.reference, procedure) ?? '');
    const summaries = this.summaries();
    const fractions = this.ofKind('fraction').map((procedure) => (inFocus(procedure) ? this.fraction(procedure, summaries) : this.timing(procedure)));
    const prescriptions = this.prescriptionResources().map((request) => this.prescription(request));
    return {
      fractions,
      prescriptions,
      summaries: summaries.facts(),
      unstructured: this.unstructured(),
      unrecognised: this.unrecognised.list(),
      authorizations: this.authorizations(),
      siteOfService: this.sitesOfService(),
      payers: this.payers(),
      coverages: this.coverages(),
      patientIdentifiers: this.patientIdentifiers(),
      asOf: options.asOf,
      ...(options.clinicTimeZone ? { clinicTimeZone: options.clinicTimeZone } : {}),
      ...(options.unread?.length ? { unread: options.unread } : {}),
      ...(options.fractionWindow ? { fractionWindow: true } : {}),
      appointments: this.bookedTreatments(prescriptions),
      charges: readCharges(this.index),
      ...(options.chargesInInput ? { chargesInInput: options.chargesInInput } : {}),
      ...(options.draftOrders ? { draftOrders: options.draftOrders } : {}),
      ...(options.focusEncounters ? { focusEncounters: options.focusEncounters } : {}),
    };
  }

  private ofKind(kind: ProcedureKind['kind']): Procedure[] {
    return this.procedures.filter((item) => item.kind.kind === kind).map((item) => item.procedure);
  }

  private summaries(): SummaryReader {
    this.summaryReader ??= new SummaryReader(
      this.index,
      this.chain,
      this.unrecognised,
      this.procedures.flatMap(({ procedure, kind }) => (kind.kind === 'summary' ? [{ procedure, level: kind.level }] : [])),
      this.index.all('ServiceRequest').filter((request) => requestLevel(request) === 'plan'),
    );
    return this.summaryReader;
  }

  private prescriptionResources(): ServiceRequest[] {
    return this.index.all('ServiceRequest').filter((request) => request.intent !== 'filler-order' && requestLevel(request) !== null);
  }

  /** What every fraction gives, cheaply: identity, status, patient, session, beam-on/beam-off and the clinic's zone. */
  private timing(procedure: Procedure): Fraction {
    const encounter = this.index.resolveAs('Encounter', procedure.encounter?.reference, procedure);
    return {
      ref: this.index.refOf(procedure),
      status: procedure.status,
      patient: this.index.refTo(procedure.subject.reference, procedure),
      encounter: this.index.refTo(procedure.encounter?.reference, procedure),
      start: procedure.performedPeriod?.start ?? procedure.performedDateTime ?? null,
      end: procedure.performedPeriod?.end ?? procedure.performedDateTime ?? null,
      timeZone: encounter
        ? this.zoneOf(
            (encounter.location ?? []).map((l) => l.location),
            encounter,
          )
        : null,
      bodySites: [],
      plan: { modalities: [], techniques: [], isocenters: null, combinations: [], otherTechniques: [], unknown: [] },
      delivered: { imageGuidance: [], intrafraction: [], respiratory: [], portImages: false, unknown: [] },
      basedOn: [],
      // The plan it delivers and its prescription (map lookups, the chain cached per plan): sessions of one
      // prescription are one course (D-OUT-LIMITS counts them), focused or not.
      plannedBy: this.index.refTo(procedure.basedOn?.[0]?.reference, procedure),
      unresolvedPlans: [],
      prescription: this.prescriptionOf(procedure),
      ammRecords: [],
      imageApprovals: [],
      // The summaries it belongs to (map lookups): a phase's D-COUNT counts every fraction record in hand, focused
      // or not, so that a discharge does not call the course's other recorded sessions missing.
      summaries: this.summaries().summariesOf(procedure),
      numberInPhase: null,
      numberInPlan: null,
      factSources: [],
    };
  }

  private fraction(procedure: Procedure, summaries: SummaryReader): Fraction {
    const timing = this.timing(procedure);
    const ref = timing.ref;
    const chain = this.chain.chain(procedure);
    const extensions = new ExtensionReader(procedure);
    const { facts, sources } = this.chain.fill(readPlanFacts(extensions, ref, this.unrecognised), ref, chain);
    return {
      ...timing,
      bodySites: (procedure.bodySite ?? []).flatMap((site) => codingKeys(site)),
      plan: facts,
      delivered: readMotionFacts(extensions, ref, this.unrecognised),
      basedOn: chain.map((request) => this.index.refOf(request)),
      plannedBy: this.index.refTo(procedure.basedOn?.[0]?.reference, procedure),
      unresolvedPlans: this.chain.unresolved(procedure),
      ammRecords: (this.ammRecordsByFraction.get(ref) ?? []).map((document) => this.ammRecord(document)),
      imageApprovals: this.signatures(ref, ACTIVITY_IMAGE_APPROVAL),
      summaries: summaries.summariesOf(procedure),
      numberInPhase: positiveInt(extensions.value(EXTENSION.fractionNumberInPhase, 'valuePositiveInt')),
      numberInPlan: positiveInt(extensions.value(EXTENSION.fractionNumberInPlan, 'valuePositiveInt')),
      factSources: sources,
    };
  }

  /**
   * The patient's booked radiotherapy treatments (`Appointment` booked or arrived, with a start): those based on a
   * radiotherapy prescription, or typed as radiotherapy. The deadline shown for what is pending, never a rule's fact.
   */
  private bookedTreatments(prescriptions: readonly Prescription[]): BookedTreatment[] {
    const orders = new Set(prescriptions.map((p) => p.ref));
    return this.index.all('Appointment').flatMap((appointment) => {
      if (!appointment.start || !BOOKED.has(appointment.status)) return [];
      const basedOnOrder = (appointment.basedOn ?? []).some((reference) => orders.has(this.index.refTo(reference.reference, appointment) ?? ''));
      const typed = [
        ...(appointment.serviceType ?? []),
        ...(appointment.specialty ?? []),
        ...(appointment.appointmentType ? [appointment.appointmentType] : []),
      ]
        .flatMap(codingKeys)
        .some((key) => RADIOTHERAPY_APPOINTMENT_CODES.has(key));
      if (!basedOnOrder && !typed) return [];
      const patient = appointment.participant.map((p) => p.actor).find((actor) => this.index.typeOf(actor, appointment) === 'Patient');
      return [{ ref: this.index.refOf(appointment), patient: this.index.refTo(patient?.reference, appointment), start: appointment.start }];
    });
  }

  /** The prescription a fraction's basedOn chain reaches (plan → phase → course), nearest first. */
  private prescriptionOf(procedure: Procedure): Ref | null {
    const found = this.chain.chain(procedure).find((request) => request.intent !== 'filler-order' && requestLevel(request) !== null);
    return found ? this.index.refOf(found) : null;
  }

  private prescription(request: ServiceRequest): Prescription {
    const ref = this.index.refOf(request);
    const { extensions, facts } = this.chain.request(request);
    const necessity = extensions.value(EXTENSION.ammNecessity, 'valueMarkdown');
    const requester = this.practitioner(request.requester, request);
    return {
      ref,
      status: request.status,
      patient: this.index.refTo(request.subject.reference, request),
      level: requestLevel(request),
      basedOn: (request.basedOn ?? []).map((reference) => this.index.refTo(reference.reference, request) ?? '').filter(Boolean),
      requester: requester.ref,
      requesterIsPractitioner: request.requester ? requester.isPractitioner : false,
      serviceDate:
        request.occurrencePeriod?.start ?? request.occurrenceDateTime ?? timingStart(request.occurrenceTiming) ?? request.authoredOn ?? null,
      timeZone: this.zoneOf(request.locationReference ?? [], request),
      plan: facts,
      ordered: readMotionFacts(extensions, ref, this.unrecognised),
      ammNecessity: typeof necessity === 'string' ? necessity : null,
      cptCodes: (request.code?.coding ?? []).filter((c) => c.system === CPT && c.code).map((c) => c.code as string),
      plannedFractions: request.occurrenceTiming?.repeat?.count ?? plannedFractions(extensions),
    };
  }

  private unstructured(): UnstructuredProcedure[] {
    return this.procedures.flatMap(({ procedure, kind }) =>
      kind.kind === 'unstructured' && procedure.status !== 'entered-in-error'
        ? [
            {
              ref: this.index.refOf(procedure),
              patient: this.index.refTo(procedure.subject.reference, procedure),
              status: procedure.status,
              start: procedure.performedPeriod?.start ?? procedure.performedDateTime ?? null,
              codes: kind.codes,
              records: kind.records,
              encounter: this.index.refTo(procedure.encounter?.reference, procedure),
            },
          ]
        : [],
    );
  }

  private ammRecord(document: ResourceOf<'DocumentReference'>): AmmRecord {
    const ref = this.index.refOf(document);
    return {
      ref,
      period: { start: document.context?.period?.start ?? null, end: document.context?.period?.end ?? null },
      signatures: this.signatures(ref, ACTIVITY_AMM_SIGNATURE),
    };
  }

  /**
   * Signatures (Provenance with the given activity) on a target: every Provenance, and every signature of each (a
   * device's record, a resident's, the attending's); a Provenance without `signature` is signed by its agents at its
   * `recorded` time. The engine takes the earliest physician signature.
   */
  private signatures(target: Ref, activity: string): Signature[] {
    return (this.provenanceByTarget.get(target) ?? [])
      .filter((provenance) => codingKeys(provenance.activity).includes(activity))
      .flatMap((provenance) => {
        const provenanceRef = this.index.refOf(provenance);
        const signers = provenance.signature?.length
          ? provenance.signature.map((signature) => ({ who: signature.who, at: signature.when }))
          : provenance.agent.map((agent) => ({ who: agent.who, at: provenance.recorded }));
        return signers.map(({ who, at }) => {
          const signer = this.practitioner(who, provenance);
          const role = signer.isPractitioner === true ? this.signerRole(who, provenance) : { role: null, roleName: null };
          return { provenance: provenanceRef, at: at ?? null, by: signer.ref, byPractitioner: signer.isPractitioner, ...role };
        });
      });
  }

  /**
   * Who a reference names, as a physician: a Practitioner; a PractitionerRole that names its `practitioner` (resolved
   * to it); an Organization, Device, Patient or a role without a practitioner is not one. A PractitionerRole the
   * input does not hold is unknown (`null`), never assumed.
   */
  private practitioner(
    reference: { reference?: string | undefined; type?: string | undefined } | undefined,
    from: Provenance | ServiceRequest,
  ): { ref: Ref | null; isPractitioner: boolean | null } {
    const type = this.index.typeOf(reference, from);
    const ref = this.index.refTo(reference?.reference, from);
    if (type !== 'PractitionerRole') return { ref, isPractitioner: type === 'Practitioner' };
    const role = this.index.resolveAs('PractitionerRole', reference?.reference, from);
    if (!role) return { ref, isPractitioner: null };
    const practitioner = role.practitioner?.reference ? this.index.refTo(role.practitioner.reference, role) : null;
    return { ref: practitioner ?? ref, isPractitioner: practitioner !== null && this.index.typeOf(role.practitioner, role) === 'Practitioner' };
  }

  /**
   * Whether a Practitioner signer is a physician (billing-rules.md, "Who signs"): the role it signed in (a
   * PractitionerRole's code or specialty) decides when it names one; else its qualifications (one physician's is
   * enough); a coding the service does not know, or none at all, is "role not recorded", which counts as the physician.
   */
  private signerRole(reference: { reference?: string | undefined } | undefined, from: Provenance): { role: SignerRole; roleName: string | null } {
    const role = this.index.resolveAs('PractitionerRole', reference?.reference, from);
    const practitioner = role
      ? this.index.resolveAs('Practitioner', role.practitioner?.reference, role)
      : this.index.resolveAs('Practitioner', reference?.reference, from);
    const kinds = (concepts: readonly { coding?: { system?: string | undefined; code?: string | undefined }[] | undefined }[]) =>
      concepts.flatMap((concept) =>
        (concept.coding ?? []).flatMap((coding) => {
          const kind = signerKind(coding.system, coding.code);
          return kind ? [{ kind, name: `${coding.system === NUCC_TAXONOMY ? 'NUCC' : (coding.system ?? '')} ${coding.code ?? ''}`.trim() }] : [];
        }),
      );
    for (const said of [kinds([...(role?.code ?? []), ...(role?.specialty ?? [])]), kinds((practitioner?.qualification ?? []).map((q) => q.code))]) {
      const physician = said.find((s) => s.kind === 'physician');
      if (physician) return { role: 'physician', roleName: physician.name };
      if (said.length > 0) return { role: 'non-physician', roleName: said.map((s) => s.name).join(', ') };
    }
    return { role: 'not-recorded', roleName: null };
  }

  private authorizations(): Authorization[] {
    const read = this.preauthorizations();
    // A decision with no item adjudicated whose words say it is a denial and name another authorization on file
    // ("denied: covered by the 2025 authorization X") is that request's denial (C-AUTH-2025). Words that name an old
    // authorization without denying ("approved; authorization X is closed") are not one.
    const named = new Map<string, Authorization>();
    for (const { authorization } of read) for (const name of authorization.names) if (name.length >= 3) named.set(name, authorization);
    return read.map(({ authorization, itemsDecided }) => {
      const words = authorization.disposition;
      if (authorization.outcome !== 'complete' || authorization.denied || itemsDecided || !words || !DENIAL_WORDS.test(words)) return authorization;
      const namesOther = words.split(/[^A-Za-z0-9\-.]+/).some((word) => {
        const other = named.get(word.replace(/\.$/, ''));
        return other !== undefined && other !== authorization;
      });
      return namesOther ? { ...authorization, denied: true } : authorization;
    });
  }

  private preauthorizations(): { authorization: Authorization; itemsDecided: boolean }[] {
    const responses = new Map<Ref, ResourceOf<'ClaimResponse'>>();
    for (const response of this.index.all('ClaimResponse')) {
      const request = response.use === 'preauthorization' ? this.index.refTo(response.request?.reference, response) : null;
      if (request && !responses.has(request)) responses.set(request, response);
    }
    return this.index
      .all('Claim')
      .filter((claim) => claim.use === 'preauthorization')
      .map((claim) => {
        const claimRef = this.index.refOf(claim);
        const response = responses.get(claimRef);
        const itemPeriod = claim.item?.find((item) => item.servicedPeriod)?.servicedPeriod;
        const period = response?.preAuthPeriod ?? itemPeriod ?? claim.billablePeriod;
        const decisions = new Map((response?.item ?? []).map((item) => [item.itemSequence, itemDecision(item)]));
        const claimItems = (claim.item ?? []).map((raw, position) => parseClaimItem(raw, position, claimRef));
        const items = claimItems.flatMap((item, position) => {
          const { code, modifiers } = claimItemCode(item);
          if (code === null) return [];
          const decision = decisions.get(item.sequence ?? position + 1);
          const asked = typeof item.quantity?.value === 'number' ? item.quantity.value : null;
          return [{ code, modifiers, quantity: decision?.units ?? asked, denied: decision?.denied ?? false }];
        });
        const decided = [...decisions.values()].filter((d) => d.denied !== null);
        const orders = [claim.referral, ...claimItems.flatMap((item) => requestedServices(item.extension))]
          .map((reference) => this.index.refTo(reference?.reference, claim))
          .filter((ref): ref is Ref => ref !== null);
        const authorization: Authorization = {
          claim: claimRef,
          response: response ? this.index.refOf(response) : null,
          patient: this.index.refTo(claim.patient.reference, claim),
          cptCodes: items.map((item) => item.code),
          items,
          created: claim.created ?? null,
          period: { start: period?.start ?? null, end: period?.end ?? null },
          outcome: response?.outcome ?? null,
          denied: response?.outcome === 'complete' && decided.length > 0 && decided.every((d) => d.denied === true),
          disposition: response?.disposition ?? null,
          names: [
            claim.id,
            ...(claim.identifier ?? []).map((i) => i.value),
            response?.preAuthRef,
            ...(response?.identifier ?? []).map((i) => i.value),
          ].filter((name): name is string => typeof name === 'string' && name.length > 0),
          orders: [...new Set(orders)],
        };
        return { authorization, itemsDecided: decided.length > 0 };
      });
  }

  /**
   * The IANA zone of the first of these Locations that gives one (FHIR's `timezone` extension), else of the Location
   * it is part of (a treatment room names its department, which carries the zone), each Location read once. A zone
   * this runtime does not know is an unrecognised code (FHIR-INPUT), never a guessed offset.
   */
  private zoneOf(
    locations: readonly { reference?: string | undefined }[],
    from: ResourceOf<'Encounter'> | ServiceRequest | ResourceOf<'Location'>,
    depth = 0,
  ): string | null {
    for (const location of locations) {
      const place = this.index.resolveAs('Location', location.reference, from);
      if (!place) continue;
      const ref = this.index.refOf(place);
      let zone = this.zones.get(ref);
      if (zone === undefined) {
        this.zones.set(ref, null); // a partOf cycle ends here
        const written = new ExtensionReader(place).value(EXTENSION.timeZone, 'valueCode');
        zone = typeof written === 'string' && isTimeZone(written) ? written : null;
        if (typeof written === 'string' && zone === null)
          this.unrecognised.note({ fact: 'time zone', code: written, resource: ref, reason: 'unrecognised' });
        if (zone === null && place.partOf && depth < MAX_LOCATION_DEPTH) zone = this.zoneOf([place.partOf], place, depth + 1);
        this.zones.set(ref, zone);
      }
      if (zone !== null) return zone;
    }
    return null;
  }

  private sitesOfService(): Record<Ref, SiteOfService> {
    const sites: Record<Ref, SiteOfService> = {};
    for (const encounter of this.index.all('Encounter')) {
      for (const { location } of encounter.location ?? []) {
        const place = this.index.resolveAs('Location', location.reference, encounter);
        const code = (place?.type ?? []).flatMap((type) => type.coding ?? []).find((c) => c.system === PLACE_OF_SERVICE_SYSTEM)?.code;
        const setting = code ? PLACE_OF_SERVICE.get(code) : undefined;
        if (setting) sites[this.index.refOf(encounter)] = setting;
      }
    }
    return sites;
  }

  private payers(): Record<Ref, Payer> {
    const payers: Record<Ref, Payer> = {};
    for (const [patient, list] of Object.entries(this.coverages())) if (list[0]) payers[patient] = list[0];
    return payers;
  }

  /** Every active Coverage per patient, in record order, with what P-MATCH and the remittance match on. */
  private coverages(): Record<Ref, Payer[]> {
    if (this.coverageList) return this.coverageList;
    const coverages: Record<Ref, Payer[]> = {};
    for (const coverage of this.index.all('Coverage').filter((c) => c.status === 'active')) {
      const patient = this.index.refTo(coverage.beneficiary.reference, coverage);
      const code = (coverage.type?.coding ?? []).find((c) => c.system === PAYER_TYPE_SYSTEM)?.code;
      if (!patient) continue;
      const organization = this.index.resolveAs('Organization', coverage.payor[0]?.reference, coverage);
      const identifiers = (list: readonly { system?: string | undefined; value?: string | undefined }[] | undefined) =>
        (list ?? []).flatMap((id) => (id.value ? [id.system ? `${id.system}|${id.value}` : id.value] : []));
      (coverages[patient] ??= []).push({
        kind: (code && PAYER_TYPES.get(code)) || 'other',
        state: organization?.address?.find((a) => a.state)?.state ?? null,
        coverage: this.index.refOf(coverage),
        payorName: organization?.name ?? null,
        payorIdentifiers: identifiers(organization?.identifier),
        period: { start: coverage.period?.start ?? null, end: coverage.period?.end ?? null },
        memberIds: [
          ...(coverage.subscriberId ? [coverage.subscriberId] : []),
          ...(coverage.identifier ?? []).flatMap((id) => (id.value ? [id.value] : [])),
        ],
      });
    }
    this.coverageList = coverages;
    return coverages;
  }

  /**
   * Identifier values of Patients, Accounts and Claims (use `claim`), to the patient each names: a remittance's claim id
   * (835 CLP01) is one of them. Read with care: these resources are not otherwise validated.
   */
  private patientIdentifiers(): Record<string, Ref> {
    const found: Record<string, Ref> = {};
    const values = (resource: unknown): string[] => {
      const parsed = WithIdentifiers.safeParse(resource);
      return parsed.success ? (parsed.data.identifier ?? []).flatMap((id) => (id.value ? [id.value] : [])) : [];
    };
    for (const patient of this.index.untyped('Patient')) for (const value of values(patient)) found[value] ??= this.index.refOf(patient);
    for (const account of this.index.untyped('Account')) {
      const subject = SubjectOf.safeParse(account);
      const ref = subject.success ? this.index.refTo(subject.data.subject?.[0]?.reference, account) : null;
      if (ref) for (const value of values(account)) found[value] ??= ref;
    }
    for (const claim of this.index.all('Claim')) {
      const ref = this.index.refTo(claim.patient.reference, claim);
      if (ref) for (const value of [...(claim.id ? [claim.id] : []), ...values(claim)]) found[value] ??= ref;
    }
    return found;
  }
}

const WithIdentifiers = z.object({ identifier: z.array(z.object({ value: z.string().optional() }).passthrough()).optional() }).passthrough();
const SubjectOf = z.object({ subject: z.array(z.object({ reference: z.string().optional() }).passthrough()).optional() }).passthrough();

const positiveInt = (value: unknown): number | null => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null);

/** Fractions an order prescribes or plans (CodeX RT): its own count, else the most prescribed to one of its volumes. */
function plannedFractions(extensions: ExtensionReader): number | null {
  const own =
    positiveInt(extensions.value(EXTENSION.fractionsPrescribed, 'valuePositiveInt')) ??
    positiveInt(extensions.value(EXTENSION.fractionsPlanned, 'valuePositiveInt'));
  if (own !== null) return own;
  const perVolume = extensions
    .all(EXTENSION.dosePrescribedToVolume)
    .map((volume) => positiveInt(volume.value('fractions', 'valuePositiveInt')))
    .filter((count): count is number => count !== null);
  return perVolume.length > 0 ? Math.max(...perVolume) : null;
}

/** The radiotherapy prescriptions among parsed resources (e.g. order-sign's draftOrders). */
export function prescriptionRefs(entries: readonly BundleEntry[]): Ref[] {
  return new FactReader(entries).prescriptionRefs();
}

/** Reads a parsed Bundle into engine input. */
export function extractFacts(entries: readonly BundleEntry[], options: ExtractOptions): EngineInput {
  return new FactReader(entries).read(options);
}

/**
 * Where an order is scheduled as a Timing (`occurrence[x]` of type Timing), its date of service is its first event,
 * else the start of its bounds: the spec dates an order by `occurrence[x]` (start) before `authoredOn`.
 */
function timingStart(timing: ServiceRequest['occurrenceTiming']): string | null {
  const events = (timing?.event ?? []).filter((event) => !Number.isNaN(Date.parse(event)));
  if (events.length > 0) return events.reduce((first, event) => (Date.parse(event) < Date.parse(first) ? event : first));
  return timing?.repeat?.boundsPeriod?.start ?? null;
}
