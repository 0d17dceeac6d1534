import type { PrefetchKey } from '../../src/cds/hook-data.js';
import type { CdsServiceDefinition } from '../../src/cds/types.js';
import { AMM_RECORD_TYPE, TREATED_FRACTION_CODE, TREATMENT_LEVEL_CODES } from '../../src/fhir/codes.js';

const TREATMENT_ORDERS = [...TREATMENT_LEVEL_CODES.keys()].join(',');
/** The same three codes on Procedures are the summaries: Course Summary, Treated Phase, Treated Plan. */
const TREATMENT_SUMMARIES = TREATMENT_ORDERS;

/**
 * What the service asks the EHR for (README: "Prefetch"). Every template but the two signature keys and the two
 * `_include` keys (the session's Location, the payer: no recommended query reaches them) uses the query subset CDS
 * Hooks 2.0 recommends (instance reads; searches by patient or encounter reference; tokens by equality; `_sort`,
 * `_count`). None grows with the length of the course: the patient's fractions and AMM records are asked for
 * newest first and counted, since the session that just ended and the one after it are what matter.
 */
export const PREFETCH: Readonly<Record<string, PrefetchKey>> = {
  encounter: {
    template: 'Encounter/{{context.encounterId}}',
    holds: 'site-of-service',
    returns: 'the treatment-session Encounter (its location gives the site of service)',
  },
  sessionProcedures: {
    template: 'Procedure?encounter={{context.encounterId}}',
    holds: 'required',
    // Not sent: the signatures are asked with them (the fractionSignatures query), honoured or not.
    fetch: 'Procedure?encounter={{context.encounterId}}&_revinclude=Provenance:target',
    returns: "the session's Procedures: its CodeX RT Treated Fractions (and any radiotherapy recorded without CodeX RT)",
  },
  latestFractions: {
    template: `Procedure?patient={{context.patientId}}&code=${TREATED_FRACTION_CODE}&_sort=-date&_count=5`,
    holds: 'later-fractions',
    bounded: true,
    returns: "the patient's five latest Treated Fractions: whether the next fraction has begun (next beam-on)",
  },
  treatmentOrders: {
    template: `ServiceRequest?patient={{context.patientId}}&code=${TREATMENT_ORDERS}`,
    holds: 'orders',
    returns: "the patient's radiotherapy prescriptions and plans (course, phase, plan): plan facts, the AMM order and its necessity",
  },
  ammRecords: {
    template: `DocumentReference?patient={{context.patientId}}&type=${AMM_RECORD_TYPE}&_sort=-date&_count=10`,
    holds: 'amm-records',
    bounded: true,
    fetch: `DocumentReference?patient={{context.patientId}}&type=${AMM_RECORD_TYPE}&_sort=-date&_count=10&_revinclude=Provenance:target`,
    returns: "the patient's ten latest AMM records (DocumentReference, type amm-record, context.related → the fraction)",
  },
  treatmentSummaries: {
    template: `Procedure?patient={{context.patientId}}&code=${TREATMENT_SUMMARIES}`,
    holds: 'summaries',
    returns:
      "the patient's Treated Phase, Treated Plan and Course Summary Procedures: fractions delivered per phase, to see whether the record misses a session (D-COUNT)",
  },
  appointments: {
    template: 'Appointment?patient={{context.patientId}}&status=booked,arrived',
    holds: 'schedule',
    returns: "the patient's booked treatments: the next one is the deadline the cards name (never what decides billability)",
  },
  coverage: {
    template: 'Coverage?patient={{context.patientId}}&status=active',
    holds: 'coverage',
    fetch: 'Coverage?patient={{context.patientId}}&status=active&_include=Coverage:payor',
    returns: "the patient's active coverage (payer, for estimates)",
  },
  fractionSignatures: {
    template: 'Procedure?encounter={{context.encounterId}}&_revinclude=Provenance:target',
    holds: 'signatures',
    includesSignatures: true,
    returns: "the session's Procedures with the Provenance that targets them (image approvals), as US Core's _revinclude=Provenance:target",
  },
  ammRecordSignatures: {
    template: `DocumentReference?patient={{context.patientId}}&type=${AMM_RECORD_TYPE}&_sort=-date&_count=10&_revinclude=Provenance:target`,
    holds: 'signatures',
    includesSignatures: true,
    bounded: true,
    returns: 'the same AMM records with the Provenance that targets them (their signatures)',
  },
  sessionLocation: {
    template: 'Encounter?_id={{context.encounterId}}&_include=Encounter:location',
    holds: 'site-of-service',
    returns: "the session's Encounter with its Location (`_include`): the session's time zone and setting, without a read of its own",
  },
  payer: {
    template: 'Coverage?patient={{context.patientId}}&status=active&_include=Coverage:payor',
    holds: 'coverage',
    returns: 'the active coverage with its payer Organization (`_include`): the payer, without a read of its own',
  },
};

/** encounter-discharge: a radiotherapy treatment session ends; what to bill and what is missing. */
export const definition: CdsServiceDefinition = {
  hook: 'encounter-discharge',
  id: 'rt-billing-encounter-discharge',
  title: 'Radiotherapy session: codes to bill and missing documentation',
  description:
    'At the end of a radiotherapy treatment session (CodeX RT): the delivery code per session, 77387-26 status, images or AMM records not signed before the next fraction, missing AMM records, and a supportable code lower than the clinical one.',
  prefetch: Object.fromEntries(Object.entries(PREFETCH).map(([key, spec]) => [key, spec.template])),
  usageRequirements:
    'context.encounterId is a CodeX RT treatment-session Encounter. Prefetch what you can; whatever is not sent is read from fhirServer (read and search: Procedure, ServiceRequest, DocumentReference, Provenance, Encounter, Location, Coverage, Organization, PractitionerRole). Signatures are read through _revinclude=Provenance:target or, when the server does not honour it, Provenance?target=; the Location of the session and the payer through _include=Encounter:location and _include=Coverage:payor, or read. Evidence that cannot be obtained is reported as "could not be checked", never as missing.',
};
