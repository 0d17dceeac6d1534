import { CPT_SYSTEM } from '../engine/tables/cpt.js';
import { GUIDANCE_CODES, MODALITY_CODES, MOTION_CODES, TECHNIQUE_CODES, type CodeTable } from '../engine/tables/snomed.js';
import type {
  AmmRecord,
  Authorization,
  EngineInput,
  Fraction,
  GuidanceMethod,
  MissingFact,
  MotionFacts,
  Payer,
  PlanFacts,
  Prescription,
  Ref,
  Signature,
  SiteOfService,
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
  RT_REQUEST_CODES,
  TREATED_FRACTION_CODE,
} from './codes.js';
import { readCharges } from './charges.js';
import type { BundleEntry } from './parse.js';
import { CODEXRT_PROFILES, EXTENSION, ExtensionReader } from './paths.js';
import { ResourceIndex } from './references.js';
import type { ResourceOf } from './schemas.js';

type Procedure = ResourceOf<'Procedure'>;
type ServiceRequest = ResourceOf<'ServiceRequest'>;
type Provenance = ResourceOf<'Provenance'>;

export interface ExtractOptions {
  /** Orders being signed (order-sign's draftOrders): each is "the order" whatever its status. */
  readonly draftOrders?: readonly Ref[];
  /** Evaluate only the sessions of these Encounters (encounter-discharge). */
  readonly focusEncounters?: readonly Ref[];
}

interface Coded<T> {
  readonly values: T[];
  readonly unknown: string[];
}

/** Maps codings through a terminology table; the ones it does not know are kept to be reported. */
function coded<T>(codings: readonly { system?: string; code?: string }[], table: CodeTable<T>): Coded<T> {
  const values = new Set<T>();
  const unknown: string[] = [];
  for (const coding of codings) {
    const key = `${coding.system ?? ''}|${coding.code ?? ''}`;
    const value = table.get(key);
    if (value === undefined) unknown.push(key);
    else values.add(value);
  }
  return { values: [...values], unknown };
}

/** Reads a Bundle's resources into the engine's facts. Unrecognised codes become {@link MissingFact}s. */
export class FactReader {
  private readonly index: ResourceIndex;
  private readonly provenanceByTarget = new Map<Ref, Provenance[]>();
  /** Each plan/prescription's extensions and plan facts, read once however many fractions deliver it. */
  private readonly planFactsOf = new Map<ServiceRequest, { extensions: ExtensionReader; facts: PlanFacts; missing: MissingFact[] }>();
  private readonly ammRecordsByFraction = new Map<Ref, ResourceOf<'DocumentReference'>[]>();

  constructor(entries: readonly BundleEntry[]) {
    this.index = new ResourceIndex(entries);
    for (const provenance of this.index.all('Provenance')) {
      for (const target of provenance.target) {
        const ref = this.index.refTo(target.reference, provenance);
        if (ref) this.provenanceByTarget.set(ref, [...(this.provenanceByTarget.get(ref) ?? []), provenance]);
      }
    }
    for (const document of this.index.all('DocumentReference')) {
      if (!codingKeys(document.type).includes(AMM_RECORD_TYPE) || document.status === 'entered-in-error') continue;
      for (const related of document.context?.related ?? []) {
        const ref = this.index.refTo(related.reference, document);
        if (ref) this.ammRecordsByFraction.set(ref, [...(this.ammRecordsByFraction.get(ref) ?? []), document]);
      }
    }
  }

  /** The radiotherapy prescriptions among the resources (no FHIRPath: code and profile only). */
  prescriptionRefs(): Ref[] {
    return this.index
      .all('ServiceRequest')
      .filter((request) => this.isPrescription(request))
      .map((request) => this.index.refOf(request));
  }

  read(options: ExtractOptions = {}): EngineInput {
    const prescriptions = this.index.all('ServiceRequest').filter((request) => this.isPrescription(request));
    const focus = options.focusEncounters ? new Set(options.focusEncounters) : null;
    // With a focus (encounter-discharge), other fractions only give their start (the next beam-on): no FHIRPath.
    const inFocus = (procedure: Procedure) => focus === null || focus.has(this.index.refTo(procedure.encounter?.reference, procedure) ?? '');
    return {
      fractions: this.index
        .all('Procedure')
        .filter(isTreatedFraction)
        .map((procedure) => (inFocus(procedure) ? this.fraction(procedure) : this.timing(procedure))),
      prescriptions: prescriptions.map((request) => this.prescription(request)),
      authorizations: this.authorizations(),
      siteOfService: this.sitesOfService(),
      payers: this.payers(),
      charges: readCharges(this.index),
      ...(options.draftOrders ? { draftOrders: options.draftOrders } : {}),
      ...(options.focusEncounters ? { focusEncounters: options.focusEncounters } : {}),
    };
  }

  private isPrescription(request: ServiceRequest): boolean {
    return request.intent !== 'filler-order' && isRadiotherapyRequest(request);
  }

  /** What every fraction gives, cheaply: identity, status, patient, session and beam-on/beam-off. */
  private timing(procedure: Procedure): Fraction {
    return {
      ref: this.index.refOf(procedure),
      status: procedure.status,
      patient: this.index.refTo(procedure.subject.reference, procedure),
      encounter: this.index.refTo(procedure.encounter?.reference, procedure),
      start: procedure.performedPeriod?.start ?? procedure.performedDateTime ?? null,
      end: procedure.performedPeriod?.end ?? procedure.performedDateTime ?? null,
      bodySites: [],
      plan: { modalities: [], techniques: [], isocenters: null },
      delivered: { imageGuidance: [], intrafraction: [], respiratory: [], portImages: false },
      basedOn: [],
      prescription: null,
      ammRecords: [],
      imageApprovals: [],
      missing: [],
    };
  }

  private fraction(procedure: Procedure): Fraction {
    const timing = this.timing(procedure);
    const ref = timing.ref;
    const missing: MissingFact[] = [];
    const chain = this.basedOnChain(procedure);
    const extensions = new ExtensionReader(procedure);
    let plan = this.planFacts(extensions, ref, missing);
    // The plan and prescription fill only the gaps: each is read once (cached), and only when needed.
    for (const request of chain) {
      if (plan.modalities.length > 0 && plan.techniques.length > 0 && plan.isocenters !== null) break;
      const cached = this.requestPlanFacts(request);
      plan = fillGaps(plan, cached.facts);
      missing.push(...cached.missing);
    }
    const prescription = chain.find((request) => this.isPrescription(request));
    return {
      ...timing,
      bodySites: (procedure.bodySite ?? []).flatMap((site) => codingKeys(site)),
      plan,
      delivered: this.motionFacts(extensions, ref, missing),
      basedOn: chain.map((request) => this.index.refOf(request)),
      prescription: prescription ? this.index.refOf(prescription) : null,
      ammRecords: (this.ammRecordsByFraction.get(ref) ?? []).map((document) => this.ammRecord(document)),
      imageApprovals: this.signatures(ref, ACTIVITY_IMAGE_APPROVAL),
      missing,
    };
  }

  /** Plan → prescription, nearest first; cycles and unresolved references end the walk. */
  private basedOnChain(resource: Procedure | ServiceRequest): ServiceRequest[] {
    const chain: ServiceRequest[] = [];
    const seen = new Set<unknown>([resource]);
    let frontier: (Procedure | ServiceRequest)[] = [resource];
    while (frontier.length > 0) {
      const next: ServiceRequest[] = [];
      for (const item of frontier) {
        for (const basedOn of item.basedOn ?? []) {
          const request = this.index.resolveAs('ServiceRequest', basedOn.reference, item);
          if (request && !seen.has(request)) {
            seen.add(request);
            chain.push(request);
            next.push(request);
          }
        }
      }
      frontier = next;
    }
    return chain;
  }

  private requestPlanFacts(request: ServiceRequest): { extensions: ExtensionReader; facts: PlanFacts; missing: MissingFact[] } {
    let cached = this.planFactsOf.get(request);
    if (!cached) {
      const missing: MissingFact[] = [];
      const extensions = new ExtensionReader(request);
      cached = { extensions, facts: this.planFacts(extensions, this.index.refOf(request), missing), missing };
      this.planFactsOf.set(request, cached);
    }
    return cached;
  }

  private planFacts(extensions: ExtensionReader, ref: Ref, missing: MissingFact[]): PlanFacts {
    const modalities = coded(extensions.codings(EXTENSION.modalityAndTechnique, EXTENSION.modality), MODALITY_CODES);
    const techniques = coded(
      [...extensions.codings(EXTENSION.modalityAndTechnique, EXTENSION.technique), ...extensions.codings(EXTENSION.rtTechnique)],
      TECHNIQUE_CODES,
    );
    note(missing, 'modality', modalities.unknown, ref);
    note(missing, 'technique', techniques.unknown, ref);
    const isocenters = extensions.value(EXTENSION.isocenterCount, 'valuePositiveInt');
    return {
      modalities: modalities.values,
      techniques: techniques.values,
      isocenters: typeof isocenters === 'number' && isocenters >= 1 ? isocenters : null,
    };
  }

  private motionFacts(extensions: ExtensionReader, ref: Ref, missing: MissingFact[]): MotionFacts {
    const imageGuidance = coded(extensions.codings(EXTENSION.imageGuidance, 'modality'), GUIDANCE_CODES);
    const intrafraction = coded(extensions.codings(EXTENSION.intrafractionVerification, 'procedure'), GUIDANCE_CODES);
    const respiratory = coded(
      [...extensions.codings(EXTENSION.respiratoryMotionManagement), ...extensions.codings(EXTENSION.freeBreathingTechnique)],
      MOTION_CODES,
    );
    note(missing, 'image guidance modality', imageGuidance.unknown, ref);
    note(missing, 'respiratory motion management', respiratory.unknown, ref);
    // Any code under intra-fraction verification means monitoring during beam-on, even one we do not name.
    const unnamed: GuidanceMethod[] = intrafraction.unknown.length > 0 ? ['unspecified'] : [];
    return {
      imageGuidance: imageGuidance.values,
      intrafraction: [...intrafraction.values, ...unnamed],
      respiratory: respiratory.values,
      portImages: extensions.value(EXTENSION.portImages, 'valueBoolean') === true,
    };
  }

  private prescription(request: ServiceRequest): Prescription {
    const ref = this.index.refOf(request);
    const { extensions, facts: plan, missing: planMissing } = this.requestPlanFacts(request);
    const missing: MissingFact[] = [...planMissing];
    const necessity = extensions.value(EXTENSION.ammNecessity, 'valueMarkdown');
    return {
      ref,
      status: request.status,
      patient: this.index.refTo(request.subject.reference, request),
      requester: this.index.refTo(request.requester?.reference, request),
      requesterIsPractitioner: this.index.typeOf(request.requester, request) === 'Practitioner',
      serviceDate: request.occurrencePeriod?.start ?? request.occurrenceDateTime ?? request.authoredOn ?? null,
      plan,
      ordered: this.motionFacts(extensions, ref, missing),
      ammNecessity: typeof necessity === 'string' ? necessity : null,
      cptCodes: (request.code?.coding ?? []).filter((c) => c.system === CPT_SYSTEM && c.code).map((c) => c.code as string),
      missing,
    };
  }

  private ammRecord(document: ResourceOf<'DocumentReference'>): AmmRecord {
    const ref = this.index.refOf(document);
    return {
      ref,
      period: { start: document.context?.period?.start ?? null, end: document.context?.period?.end ?? null },
      signatures: this.signatures(ref, ACTIVITY_AMM_SIGNATURE),
    };
  }

  /** Signatures (Provenance with the given activity) on a target. */
  private signatures(target: Ref, activity: string): Signature[] {
    return (this.provenanceByTarget.get(target) ?? [])
      .filter((provenance) => codingKeys(provenance.activity).includes(activity))
      .map((provenance) => {
        const signature = provenance.signature?.[0];
        const who = signature?.who ?? provenance.agent[0]?.who;
        return {
          provenance: this.index.refOf(provenance),
          at: signature?.when ?? provenance.recorded ?? null,
          by: this.index.refTo(who?.reference, provenance),
          byPractitioner: this.index.typeOf(who, provenance) === 'Practitioner',
        };
      });
  }

  private authorizations(): Authorization[] {
    const responses = this.index.all('ClaimResponse').filter((response) => response.use === 'preauthorization');
    return this.index
      .all('Claim')
      .filter((claim) => claim.use === 'preauthorization')
      .map((claim) => {
        const claimRef = this.index.refOf(claim);
        const response = responses.find((r) => this.index.refTo(r.request?.reference, r) === claimRef);
        const itemPeriod = claim.item?.find((item) => item.servicedPeriod)?.servicedPeriod;
        const period = response?.preAuthPeriod ?? itemPeriod ?? claim.billablePeriod;
        return {
          claim: claimRef,
          response: response ? this.index.refOf(response) : null,
          patient: this.index.refTo(claim.patient.reference, claim),
          cptCodes: (claim.item ?? []).flatMap((item) =>
            (item.productOrService.coding ?? []).filter((c) => c.system === CPT_SYSTEM && c.code).map((c) => c.code as string),
          ),
          created: claim.created ?? null,
          period: { start: period?.start ?? null, end: period?.end ?? null },
          outcome: response?.outcome ?? null,
        };
      });
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
    for (const coverage of this.index.all('Coverage').filter((c) => c.status === 'active')) {
      const patient = this.index.refTo(coverage.beneficiary.reference, coverage);
      const code = (coverage.type?.coding ?? []).find((c) => c.system === PAYER_TYPE_SYSTEM)?.code;
      if (!patient || payers[patient]) continue;
      const organization = this.index.resolveAs('Organization', coverage.payor[0]?.reference, coverage);
      payers[patient] = {
        kind: (code && PAYER_TYPES.get(code)) || 'other',
        state: organization?.address?.find((a) => a.state)?.state ?? null,
        coverage: this.index.refOf(coverage),
      };
    }
    return payers;
  }
}

function isTreatedFraction(procedure: Procedure): boolean {
  return (
    codingKeys(procedure.code).includes(TREATED_FRACTION_CODE) ||
    (procedure.meta as { profile?: string[] } | undefined)?.profile?.includes(CODEXRT_PROFILES.treatedFraction) === true
  );
}

const RT_REQUEST_PROFILES: ReadonlySet<string> = new Set([
  CODEXRT_PROFILES.coursePrescription,
  CODEXRT_PROFILES.phasePrescription,
  CODEXRT_PROFILES.planPrescription,
  CODEXRT_PROFILES.treatmentPlan,
  CODEXRT_PROFILES.plannedPhase,
]);

function isRadiotherapyRequest(request: ServiceRequest): boolean {
  return (
    codingKeys(request.code).some((key) => RT_REQUEST_CODES.has(key)) ||
    (request.meta?.profile ?? []).some((profile) => RT_REQUEST_PROFILES.has(profile))
  );
}

/** Plan facts from the fraction win; the plan and prescription fill only what the fraction does not say. */
function fillGaps(own: PlanFacts, from: PlanFacts): PlanFacts {
  return {
    modalities: own.modalities.length > 0 ? own.modalities : from.modalities,
    techniques: own.techniques.length > 0 ? own.techniques : from.techniques,
    isocenters: own.isocenters ?? from.isocenters,
  };
}

function note(missing: MissingFact[], fact: string, unknown: readonly string[], ref: Ref): void {
  for (const key of unknown) missing.push({ fact, detail: `code ${key} on ${ref} is not recognised and was not used`, evidence: [ref] });
}

/** The radiotherapy prescriptions among parsed resources (e.g. order-sign's draftOrders). */
export function prescriptionRefs(entries: readonly BundleEntry[]): Ref[] {
  return new FactReader(entries).prescriptionRefs();
}

/** Reads a parsed Bundle into engine input. */
export function extractFacts(entries: readonly BundleEntry[], options: ExtractOptions = {}): EngineInput {
  return new FactReader(entries).read(options);
}
