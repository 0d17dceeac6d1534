import type { PrefetchKey } from '../../src/cds/hook-data.js';
import type { CdsServiceDefinition } from '../../src/cds/types.js';

/**
 * What the service asks the EHR for (README: "Prefetch"): the recommended CDS Hooks 2.0 query subset, except `payer`
 * (`_include`: no recommended query reaches the payer Organization; an EHR that cannot fill it leaves it out).
 */
export const PREFETCH: Readonly<Record<string, PrefetchKey>> = {
  coverage: {
    template: 'Coverage?patient={{context.patientId}}&status=active',
    holds: 'coverage',
    fetch: 'Coverage?patient={{context.patientId}}&status=active&_include=Coverage:payor',
    returns: "the patient's active coverage (the suggested preauthorization's insurance)",
  },
  preauthorizations: {
    template: 'Claim?patient={{context.patientId}}&use=preauthorization',
    holds: 'authorizations',
    returns: "the patient's preauthorization requests (Claim, use preauthorization)",
  },
  preauthorizationResponses: {
    template: 'ClaimResponse?patient={{context.patientId}}&use=preauthorization',
    holds: 'authorizations',
    returns: "the payer's answers to them (ClaimResponse: outcome, preAuthPeriod)",
  },
  payer: {
    template: 'Coverage?patient={{context.patientId}}&status=active&_include=Coverage:payor',
    holds: 'coverage',
    returns: 'the active coverage with its payer Organization (`_include`): the payer, without a read of its own',
  },
};

/** order-sign: draft radiotherapy prescriptions, checked before the physician signs them. */
export const definition: CdsServiceDefinition = {
  hook: 'order-sign',
  id: 'rt-billing-order-sign',
  title: 'Radiotherapy order: 2026 delivery level and documentation',
  description:
    'For draft radiotherapy prescriptions (CodeX RT): the 2026 delivery level the order describes (77402/77407/77412 or out of family), active motion management order and necessity problems, authorization mismatches and deleted 2025 codes.',
  prefetch: Object.fromEntries(Object.entries(PREFETCH).map(([key, spec]) => [key, spec.template])),
  usageRequirements:
    'Send the draft CodeX RT prescriptions (ServiceRequest) in context.draftOrders. Prefetch or fhirServer access (patient/Coverage, Claim, ClaimResponse, PractitionerRole .rs) lets the service check authorizations; without either, authorization checks say "could not be checked".',
};
