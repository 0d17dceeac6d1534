import type { PlanFacts, Ref } from '../engine/types.js';
import { fillGaps, planComplete, readPlanFacts, type UnrecognisedCodes } from './concepts.js';
import { ExtensionReader } from './paths.js';
import type { ResourceIndex } from './references.js';
import type { ResourceOf } from './schemas.js';

type ServiceRequest = ResourceOf<'ServiceRequest'>;
type Procedure = ResourceOf<'Procedure'>;

/**
 * The plans and prescriptions behind a fraction or summary (`basedOn`, walked breadth first: plan → phase →
 * course), and their plan facts, read once each however many fractions deliver them.
 */
export class PlanChain {
  private readonly factsOf = new Map<ServiceRequest, { extensions: ExtensionReader; facts: PlanFacts }>();
  private readonly chainOf = new Map<Procedure | ServiceRequest, { requests: ServiceRequest[]; unresolved: Ref[] }>();

  constructor(
    private readonly index: ResourceIndex,
    private readonly unrecognised: UnrecognisedCodes,
  ) {}

  /** Plans and prescriptions a resource is based on, nearest first; cycles and unresolved references end the walk. */
  chain(resource: Procedure | ServiceRequest): ServiceRequest[] {
    return this.walk(resource).requests;
  }

  /**
   * Plans and prescriptions the walk names but the input does not hold (not sent, or not obtained from the EHR): what
   * they would say is unknown, so facts they could give are unread, never defaulted.
   */
  unresolved(resource: Procedure | ServiceRequest): Ref[] {
    return this.walk(resource).unresolved;
  }

  private walk(resource: Procedure | ServiceRequest): { requests: ServiceRequest[]; unresolved: Ref[] } {
    let walked = this.chainOf.get(resource);
    if (walked) return walked;
    const requests: ServiceRequest[] = [];
    const unresolved = new Set<Ref>();
    const seen = new Set<unknown>([resource]);
    let frontier: (Procedure | ServiceRequest)[] = [resource];
    while (frontier.length > 0) {
      const next: ServiceRequest[] = [];
      for (const item of frontier) {
        for (const basedOn of item.basedOn ?? []) {
          const request = this.index.resolveAs('ServiceRequest', basedOn.reference, item);
          if (request && !seen.has(request)) {
            seen.add(request);
            requests.push(request);
            next.push(request);
          } else if (!request) {
            const ref = this.index.refTo(basedOn.reference, item);
            if (ref?.startsWith('ServiceRequest/')) unresolved.add(ref);
          }
        }
      }
      frontier = next;
    }
    walked = { requests, unresolved: [...unresolved] };
    this.chainOf.set(resource, walked);
    return walked;
  }

  /** A plan's or prescription's own extensions and plan facts (cached). */
  request(request: ServiceRequest): { extensions: ExtensionReader; facts: PlanFacts } {
    let cached = this.factsOf.get(request);
    if (!cached) {
      const extensions = new ExtensionReader(request);
      cached = { extensions, facts: readPlanFacts(extensions, this.index.refOf(request), this.unrecognised) };
      this.factsOf.set(request, cached);
    }
    return cached;
  }

  /**
   * Plan facts of a fraction or summary: its own, with gaps filled from the plans and prescriptions it is based on,
   * nearest first, read only while a gap remains. `sources` names every resource whose facts were read.
   */
  fill(own: PlanFacts, ownRef: Ref, chain: readonly ServiceRequest[]): { facts: PlanFacts; sources: Ref[] } {
    let facts = own;
    const sources = [ownRef];
    for (const request of chain) {
      if (planComplete(facts)) break;
      facts = fillGaps(facts, this.request(request).facts);
      sources.push(this.index.refOf(request));
    }
    return { facts, sources };
  }
}
