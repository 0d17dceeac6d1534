import type { Ref, TreatmentLevel, TreatmentSummary } from '../engine/types.js';
import { readMotionFacts, readPlanFacts, type UnrecognisedCodes } from './concepts.js';
import { codingKeys, DICOM_UID_SYSTEM } from './codes.js';
import { ExtensionReader, EXTENSION } from './paths.js';
import type { PlanChain } from './plan-chain.js';
import type { ResourceIndex } from './references.js';
import type { ResourceOf } from './schemas.js';

type Procedure = ResourceOf<'Procedure'>;
type ServiceRequest = ResourceOf<'ServiceRequest'>;

const LEVEL_RANK: Record<TreatmentLevel, number> = { plan: 0, phase: 1, course: 2 };

/** Adds to a list kept in a map (no copy per item: lists of many entries stay linear). */
function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const count = (value: unknown): number | null => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null);

/**
 * Reads CodeX RT Treated Phase, Treated Plan and Course Summary Procedures, and links them to each other and to the
 * Treated Fractions that exist: a fraction belongs to a summary it is `partOf` (directly or through a plan or
 * phase), or whose plan or prescription is in its own `basedOn` chain ("the same plan").
 */
export class SummaryReader {
  /** Summaries by each plan or prescription they are based on. */
  private readonly byBasis = new Map<ServiceRequest, TreatmentSummaryRead[]>();
  private readonly byResource = new Map<Procedure, TreatmentSummaryRead>();
  readonly summaries: TreatmentSummaryRead[];

  constructor(
    private readonly index: ResourceIndex,
    private readonly chain: PlanChain,
    private readonly unrecognised: UnrecognisedCodes,
    procedures: readonly { procedure: Procedure; level: TreatmentLevel }[],
    planRequests: readonly ServiceRequest[],
  ) {
    this.summaries = procedures.map(({ procedure, level }) => this.read(procedure, level));
    for (const summary of this.summaries) {
      this.byResource.set(summary.resource, summary);
      for (const basis of summary.basedOn) append(this.byBasis, basis, summary);
    }
    for (const summary of this.summaries) this.linkWithin(summary);
    // Indexed once, so that counting each summary's plans is linear in the input: the plans based (through their
    // chain) on each request, and the plan summaries within each summary.
    const plansOn = new Map<ServiceRequest, ServiceRequest[]>();
    for (const request of planRequests) for (const basis of new Set([request, ...this.chain.chain(request)])) append(plansOn, basis, request);
    const planSummariesIn = new Map<Ref, Set<string>>();
    for (const other of this.summaries) {
      if (other.level !== 'plan') continue;
      for (const ref of other.within) planSummariesIn.set(ref, (planSummariesIn.get(ref) ?? new Set()).add(other.sameAs));
    }
    for (const summary of this.summaries) this.countPlans(summary, plansOn, planSummariesIn);
  }

  /** The summaries a fraction belongs to. */
  summariesOf(fraction: Procedure): Ref[] {
    const found = new Set<TreatmentSummaryRead>();
    for (const summary of this.partOfClosure(fraction)) found.add(summary);
    for (const request of this.chain.chain(fraction)) for (const summary of this.byBasis.get(request) ?? []) found.add(summary);
    return [...found].map((summary) => summary.ref);
  }

  /** The engine's view of every summary. */
  facts(): TreatmentSummary[] {
    return this.summaries.map(({ resource: _resource, basedOn: _basedOn, ...summary }) => summary);
  }

  private read(procedure: Procedure, level: TreatmentLevel): TreatmentSummaryRead {
    const ref = this.index.refOf(procedure);
    const extensions = new ExtensionReader(procedure);
    const chain = this.chain.chain(procedure);
    const { facts, sources } = this.chain.fill(readPlanFacts(extensions, ref, this.unrecognised), ref, chain);
    const basedOn = (procedure.basedOn ?? [])
      .map((reference) => this.index.resolveAs('ServiceRequest', reference.reference, procedure))
      .filter((request): request is ServiceRequest => request !== undefined);
    const basisKeys = (procedure.basedOn ?? []).map((reference) => this.index.refTo(reference.reference, procedure) ?? '').filter(Boolean);
    const patient = this.index.refTo(procedure.subject.reference, procedure);
    return {
      ref,
      resource: procedure,
      level,
      status: procedure.status,
      patient,
      start: procedure.performedPeriod?.start ?? procedure.performedDateTime ?? null,
      end: procedure.performedPeriod?.end ?? procedure.performedDateTime ?? null,
      fractionsDelivered: fractionsDelivered(extensions, level),
      plan: facts,
      delivered: readMotionFacts(extensions, ref, this.unrecognised),
      sameAs: sameAs(procedure, level, ref, patient, basisKeys),
      within: [],
      plans: level === 'plan' ? 1 : 0,
      bodySites: (procedure.bodySite ?? []).flatMap((site) => codingKeys(site)),
      factSources: sources,
      basedOn,
    };
  }

  /** The summaries of a higher level that a summary is part of: by `partOf`, or by what they are based on. */
  private linkWithin(summary: TreatmentSummaryRead): void {
    const within = new Set<TreatmentSummaryRead>(this.partOfClosure(summary.resource));
    for (const request of this.chain.chain(summary.resource)) for (const other of this.byBasis.get(request) ?? []) within.add(other);
    summary.within = [...within].filter((other) => LEVEL_RANK[other.level] > LEVEL_RANK[summary.level]).map((other) => other.ref);
  }

  /** How many treatment plans deliver a phase or course: plans based on it, or plan summaries within it. */
  private countPlans(
    summary: TreatmentSummaryRead,
    plansOn: ReadonlyMap<ServiceRequest, readonly ServiceRequest[]>,
    planSummariesIn: ReadonlyMap<Ref, ReadonlySet<string>>,
  ): void {
    if (summary.level === 'plan') return;
    // A treatment plan and the plan prescription it fulfils are one plan: count whichever kind says more.
    const linked = new Set(summary.basedOn.flatMap((basis) => plansOn.get(basis) ?? []));
    const treatmentPlans = [...linked].filter((request) => request.intent === 'filler-order').length;
    summary.plans = Math.max(treatmentPlans, linked.size - treatmentPlans, planSummariesIn.get(summary.ref)?.size ?? 0);
  }

  /** The summaries a Procedure is `partOf`, and those they are part of in turn. */
  private partOfClosure(procedure: Procedure): TreatmentSummaryRead[] {
    const found: TreatmentSummaryRead[] = [];
    let frontier: Procedure[] = [procedure];
    const seen = new Set<Procedure>([procedure]);
    while (frontier.length > 0) {
      const next: Procedure[] = [];
      for (const item of frontier) {
        for (const reference of item.partOf ?? []) {
          const parent = this.index.resolveAs('Procedure', reference.reference, item);
          const summary = parent ? this.byResource.get(parent) : undefined;
          if (parent && summary && !seen.has(parent)) {
            seen.add(parent);
            found.push(summary);
            next.push(parent);
          }
        }
      }
      frontier = next;
    }
    return found;
  }
}

interface TreatmentSummaryRead extends TreatmentSummary {
  readonly resource: Procedure;
  /** The plans and prescriptions it is directly based on. */
  readonly basedOn: readonly ServiceRequest[];
  within: readonly Ref[];
  plans: number;
}

/**
 * Fractions delivered by a phase or plan (`codexrt-radiotherapy-fractions-delivered`), sessions of a course
 * (`mcode-radiotherapy-sessions`); without them, the largest `fractionsDelivered` of its dose-delivered-to-volume
 * extensions; `null` when the summary says nothing.
 */
function fractionsDelivered(extensions: ExtensionReader, level: TreatmentLevel): number | null {
  const total = count(extensions.value(level === 'course' ? EXTENSION.sessions : EXTENSION.fractionsDelivered, 'valueUnsignedInt'));
  if (total !== null) return total;
  const perVolume = extensions
    .all(EXTENSION.doseDeliveredToVolume)
    .map((volume) => count(volume.value('fractionsDelivered', 'valueUnsignedInt')))
    .filter((value): value is number => value !== null);
  return perVolume.length > 0 ? Math.max(...perVolume) : null;
}

/**
 * Which summaries describe the same phase, plan or course (an in-progress snapshot and the final one): those based
 * on the same plan or prescription; without `basedOn`, the same patient's with the same DICOM UID; otherwise each is
 * its own. The identifier is read leniently (it is not validated: a malformed one only means no UID to join by).
 */
function sameAs(procedure: Procedure, level: TreatmentLevel, ref: Ref, patient: Ref | null, basisKeys: readonly string[]): string {
  if (basisKeys.length > 0) return `${level}|${[...new Set(basisKeys)].sort().join(',')}`;
  const uid = dicomUid((procedure as { identifier?: unknown }).identifier);
  return uid ? `${level}|${patient ?? ''}|uid:${uid}` : `${level}|${ref}`;
}

function dicomUid(identifiers: unknown): string | undefined {
  if (!Array.isArray(identifiers)) return undefined;
  for (const identifier of identifiers as unknown[]) {
    const { system, value } = (identifier ?? {}) as { system?: unknown; value?: unknown };
    if (system === DICOM_UID_SYSTEM && typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}
