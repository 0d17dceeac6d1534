import { randomUUID } from 'node:crypto';
import type { GoldenCase } from './cases.js';

export type Resource = Record<string, unknown> & { resourceType: string; id?: string };

export const resourcesOf = (golden: GoldenCase): Resource[] =>
  ((golden.bundle as { entry: { resource: Resource }[] }).entry ?? []).map((e) => e.resource);

const searchset = (resources: Resource[], base = 'https://ehr.example.org/fhir') => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource) => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource })),
});

const ofType = (resources: Resource[], ...types: string[]) => resources.filter((r) => types.includes(r.resourceType));
export const patientIdOf = (golden: GoldenCase): string => ofType(resourcesOf(golden), 'Patient')[0]!.id!;

interface RequestOptions {
  prefetch: boolean;
  fhirServer?: string;
  hookInstance?: string;
}

const envelope = (hook: string, context: Record<string, unknown>, prefetch: Record<string, unknown> | undefined, options: RequestOptions) => ({
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
  ...(options.prefetch && prefetch ? { prefetch } : {}),
});

/** An order-sign request whose draftOrders are the case's prescriptions. */
export function orderSignRequest(golden: GoldenCase, options: RequestOptions) {
  const resources = resourcesOf(golden);
  const drafts = resources.filter((r) => r.resourceType === 'ServiceRequest' && r.intent === 'original-order');
  const context = {
    userId: 'Practitioner/dr-ro',
    patientId: patientIdOf(golden),
    draftOrders: {
      resourceType: 'Bundle',
      type: 'collection',
      entry: drafts.map((resource) => ({ fullUrl: `https://ehr.example.org/fhir/ServiceRequest/${resource.id}`, resource })),
    },
  };
  const prefetch = {
    coverage: searchset(ofType(resources, 'Coverage')),
    preauthorizations: searchset(ofType(resources, 'Claim')),
    preauthorizationResponses: searchset(ofType(resources, 'ClaimResponse')),
  };
  return envelope('order-sign', context, prefetch, options);
}

const refersTo = (value: unknown, ref: string) =>
  ((Array.isArray(value) ? value : [value]) as { reference?: string }[]).some((r) => r?.reference === ref);

/** An encounter-discharge request for one of the case's encounters, prefetch as an EHR that honours _revinclude sends it. */
export function encounterDischargeRequest(golden: GoldenCase, encounterId: string, options: RequestOptions) {
  const resources = resourcesOf(golden);
  const provenances = ofType(resources, 'Provenance');
  const session = ofType(resources, 'Procedure').filter((p) => refersTo(p.encounter, `Encounter/${encounterId}`));
  const records = ofType(resources, 'DocumentReference').filter((d) =>
    session.some((f) => refersTo((d.context as { related?: unknown } | undefined)?.related, `Procedure/${f.id}`)),
  );
  const signed = [...session, ...records].map((r) => `${r.resourceType}/${r.id}`);
  const prefetch = {
    encounter: ofType(resources, 'Encounter').find((e) => e.id === encounterId),
    sessionFractions: searchset([...session, ...records, ...provenances.filter((p) => signed.some((ref) => refersTo(p.target, ref)))]),
    courseFractions: searchset(ofType(resources, 'Procedure')),
    prescriptions: searchset(ofType(resources, 'ServiceRequest')),
    coverage: searchset(ofType(resources, 'Coverage')),
  };
  return envelope('encounter-discharge', { userId: 'Practitioner/dr-ro', patientId: patientIdOf(golden), encounterId }, prefetch, options);
}
