import { randomUUID } from 'node:crypto';
import { encounterDischarge } from '../../cds-services/encounter-discharge/handler.js';
import { orderSign } from '../../cds-services/order-sign/handler.js';
import type { GoldenCase } from './cases.js';
import { prefetchFor, type PrefetchPlan } from './mock-fhir.js';

export type Resource = Record<string, unknown> & { resourceType: string; id?: string };

/** The EHR's FHIR base the hook requests name (and the stand-in server answers on). */
export const EHR = 'https://ehr.example.org/fhir';

export const resourcesOf = (golden: Pick<GoldenCase, 'bundle'>): Resource[] =>
  ((golden.bundle as { entry: { resource: Resource }[] }).entry ?? []).map((e) => e.resource);

const ofType = (resources: Resource[], ...types: string[]) => resources.filter((r) => types.includes(r.resourceType));
export const patientIdOf = (golden: Pick<GoldenCase, 'bundle'>): string => ofType(resourcesOf(golden), 'Patient')[0]!.id!;
/** Who ordered the case's treatment (its first prescription's requester): the default user at the EHR. */
export const orderingPhysicianOf = (golden: Pick<GoldenCase, 'bundle'>): string =>
  (ofType(resourcesOf(golden), 'ServiceRequest').find((r) => r.intent === 'original-order')?.requester as { reference?: string } | undefined)
    ?.reference ?? 'Practitioner/dr-ro';

export interface RequestOptions {
  /** Fill prefetch as an EHR would (from the case's resources, by the service's templates), or send none. */
  readonly prefetch: boolean | PrefetchPlan;
  readonly fhirServer?: string;
  readonly hookInstance?: string;
  /** `context.userId`: who is at the EHR; by default the case's ordering physician ({@link orderingPhysicianOf}). */
  readonly userId?: string;
}

function envelope(hook: string, context: Record<string, unknown>, prefetch: Record<string, unknown> | undefined, options: RequestOptions) {
  return {
    hook,
    hookInstance: options.hookInstance ?? randomUUID(),
    ...(options.fhirServer
      ? {
          fhirServer: options.fhirServer,
          fhirAuthorization: {
            access_token: 'test-access-token',
            token_type: 'Bearer',
            expires_in: 300,
            scope: 'patient/*.read',
            subject: 'rt-billing-cds',
          },
        }
      : {}),
    context,
    ...(prefetch ? { prefetch } : {}),
  };
}

const plan = (options: RequestOptions): PrefetchPlan | null =>
  options.prefetch === false ? null : options.prefetch === true ? {} : options.prefetch;

/** An order-sign request whose draftOrders are the case's prescriptions. */
export function orderSignRequest(golden: Pick<GoldenCase, 'bundle'>, options: RequestOptions) {
  const resources = resourcesOf(golden);
  const drafts = resources.filter((r) => r.resourceType === 'ServiceRequest' && r.intent === 'original-order');
  const context = {
    userId: options.userId ?? orderingPhysicianOf(golden),
    patientId: patientIdOf(golden),
    draftOrders: {
      resourceType: 'Bundle',
      type: 'collection',
      entry: drafts.map((resource) => ({ fullUrl: `${EHR}/ServiceRequest/${resource.id}`, resource })),
    },
  };
  const filled = plan(options);
  return envelope('order-sign', context, filled ? prefetchFor(orderSign, context, resources, EHR, filled) : undefined, options);
}

/** An encounter-discharge request for one of the case's encounters; prefetch as an EHR fills the service's templates. */
export function encounterDischargeRequest(golden: Pick<GoldenCase, 'bundle'>, encounterId: string, options: RequestOptions) {
  const resources = resourcesOf(golden);
  const context = { userId: options.userId ?? orderingPhysicianOf(golden), patientId: patientIdOf(golden), encounterId };
  const filled = plan(options);
  return envelope('encounter-discharge', context, filled ? prefetchFor(encounterDischarge, context, resources, EHR, filled) : undefined, options);
}
