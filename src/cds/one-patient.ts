import { InputError } from '../errors.js';
import { typeAndId } from '../fhir/compartment.js';
import type { BundleEntry } from '../fhir/parse.js';

type Fields = Record<string, { reference?: unknown } | undefined>;

/** Where each kind of record a hook reads names its patient. */
const PATIENT_FIELD: Readonly<Record<string, string>> = {
  Procedure: 'subject',
  ServiceRequest: 'subject',
  DocumentReference: 'subject',
  Encounter: 'subject',
  Coverage: 'beneficiary',
  Claim: 'patient',
  ClaimResponse: 'patient',
};
const SHOWN = 3;

/**
 * A hook answers for one patient, `context.patientId`. Records of another patient in its data (an EHR that wires
 * the wrong prefetch, an encounter or a draft order of someone else) would put that patient's codes and
 * authorizations under this one's name: the request is refused, naming the records.
 */
export function requireOnePatient(entries: readonly BundleEntry[], patientId: string): void {
  const patient = `Patient/${patientId}`;
  const others = entries.flatMap(({ resource }) => {
    const field = PATIENT_FIELD[resource.resourceType];
    const named = field ? typeAndId((resource as unknown as Fields)[field]?.reference) : null;
    return named?.startsWith('Patient/') && named !== patient ? [`${resource.resourceType}/${resource.id ?? '(no id)'} is ${named}'s`] : [];
  });
  if (others.length === 0) return;
  const shown = others.slice(0, SHOWN).join('; ') + (others.length > SHOWN ? `; and ${others.length - SHOWN} more` : '');
  throw new InputError([{ path: 'context.patientId', message: `the request's records are not all ${patient}'s: ${shown}` }]);
}
