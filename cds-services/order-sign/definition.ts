import type { CdsServiceDefinition } from '../../src/cds/types.js';

/** order-sign: draft radiotherapy prescriptions, checked before the physician signs them. */
export const definition: CdsServiceDefinition = {
  hook: 'order-sign',
  id: 'rt-billing-order-sign',
  title: 'Radiotherapy order: 2026 delivery level and documentation',
  description:
    'For draft radiotherapy prescriptions (CodeX RT): the 2026 delivery level the order describes (77402/77407/77412 or out of family), active motion management order and necessity problems, authorization mismatches and deleted 2025 codes.',
  prefetch: {
    coverage: 'Coverage?patient=Patient/{{context.patientId}}&status=active',
    preauthorizations: 'Claim?patient=Patient/{{context.patientId}}&use=preauthorization',
    preauthorizationResponses: 'ClaimResponse?patient=Patient/{{context.patientId}}&use=preauthorization',
  },
  usageRequirements:
    'Send the draft CodeX RT prescriptions (ServiceRequest) in context.draftOrders. Prefetch or fhirServer access (patient/Coverage.read, patient/Claim.read, patient/ClaimResponse.read) lets the service check authorizations.',
};
