import type { TreatmentLevel } from '../engine/types.js';
import { RTB, SCT } from './vocabulary.js';

/** Codings that identify radiotherapy resources and records (spec/fhir-input.md §1-2). */
export const TREATED_FRACTION_CODE = `${SCT}|1297069006`;

/** The CodeX RT hierarchy: the same three concepts code prescriptions and plans (ServiceRequest) and summaries (Procedure). */
export const TREATMENT_LEVEL_CODES: ReadonlyMap<string, TreatmentLevel> = new Map([
  [`${SCT}|1217123003`, 'course'],
  [`${SCT}|1222565005`, 'phase'],
  [`${SCT}|1255724003`, 'plan'],
]);
/**
 * DICOM UIDs identify a treatment phase, plan or course in the record-and-verify system (CodeX RT's `official`
 * identifier): every snapshot of one phase carries the same UID.
 */
export const DICOM_UID_SYSTEM = 'urn:dicom:uid';

export const RT_REQUEST_CODES: ReadonlySet<string> = new Set(TREATMENT_LEVEL_CODES.keys());

export const AMM_RECORD_TYPE = `${RTB}CodeSystem/rt-document-type|amm-record`;
export const ACTIVITY_IMAGE_APPROVAL = `${RTB}CodeSystem/rt-billing-activity|igrt-image-approval`;
export const ACTIVITY_AMM_SIGNATURE = `${RTB}CodeSystem/rt-billing-activity|amm-record-signature`;

export const PLACE_OF_SERVICE_SYSTEM = 'https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set';
/** Place of service → Medicare setting: 11 office (MPFS non-facility); 19, 22 hospital outpatient (OPPS). */
export const PLACE_OF_SERVICE: ReadonlyMap<string, 'non-facility' | 'facility'> = new Map([
  ['11', 'non-facility'],
  ['19', 'facility'],
  ['22', 'facility'],
]);

export const PAYER_TYPE_SYSTEM = 'urn:oid:2.16.840.1.113883.3.221.5';
export const PAYER_TYPES: ReadonlyMap<string, 'medicare' | 'medicaid' | 'commercial'> = new Map([
  ['1', 'medicare'],
  ['2', 'medicaid'],
  ['5', 'commercial'],
  ['6', 'commercial'],
]);

/** `system|code` keys of a CodeableConcept's codings. */
export function codingKeys(concept: { coding?: { system?: string | undefined; code?: string | undefined }[] | undefined } | undefined): string[] {
  return (concept?.coding ?? []).filter((c) => c.system && c.code).map((c) => `${c.system}|${c.code}`);
}
