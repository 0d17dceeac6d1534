import type { CdsServiceDefinition } from '../../src/cds/types.js';

/** encounter-discharge: a radiotherapy treatment session ends; what to bill and what is missing. */
export const definition: CdsServiceDefinition = {
  hook: 'encounter-discharge',
  id: 'rt-billing-encounter-discharge',
  title: 'Radiotherapy session: codes to bill and missing documentation',
  description:
    'At the end of a radiotherapy treatment session (CodeX RT): the delivery code per session, 77387-26 status, images or AMM records not signed before the next fraction, missing AMM records, and a supportable code lower than the clinical one.',
  // This session's fractions in full, with their AMM records and the signatures of both (_revinclude, iterated);
  // the course's other fractions only as far as the next beam-on needs them (_elements). A hook's cost does not
  // grow with the length of the course.
  prefetch: {
    encounter: 'Encounter/{{context.encounterId}}',
    sessionFractions:
      'Procedure?encounter=Encounter/{{context.encounterId}}&_revinclude=DocumentReference:related&_revinclude:iterate=Provenance:target',
    courseFractions:
      'Procedure?patient=Patient/{{context.patientId}}&code=http://snomed.info/sct|1297069006&_elements=status,code,subject,encounter,performed',
    prescriptions: 'ServiceRequest?patient=Patient/{{context.patientId}}',
    coverage: 'Coverage?patient=Patient/{{context.patientId}}&status=active',
  },
  usageRequirements:
    "context.encounterId is a CodeX RT treatment-session Encounter. AMM records and signatures come with the session's fractions (_revinclude) or are fetched from fhirServer (patient/DocumentReference.read, patient/Provenance.read); the patient's other fractions give the next beam-on.",
};
