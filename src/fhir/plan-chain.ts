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
  private readonly chainOf = new Map<Procedure | ServiceRequest, ServiceRequest[]>();

  constructor(
    private readonly index: ResourceIndex,
    private readonly unrecognised: UnrecognisedCodes,
  ) {}

  /** Plans and prescriptions a resource is based on, nearest first; cycles and unresolved references end the walk. */
  chain(resource: Procedure | ServiceRequest): ServiceRequest[] {
    let chain = this.chainOf.get(resource);
    if (chain) return chain;
    chain = [];
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
    this.chainOf.set(resource, chain);
    return chain;
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
