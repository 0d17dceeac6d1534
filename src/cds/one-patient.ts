import { InputError } from '../errors.js';
import { compartmentOf, type RawResource } from '../fhir/compartment.js';
import type { BundleEntry } from '../fhir/parse.js';

const SHOWN = 3;

/**
 * A hook answers for one patient, `context.patientId`. Records of another patient in its data (an EHR that wires
 * the wrong prefetch, an encounter or a draft order of someone else) would put that patient's codes and
 * authorizations under this one's name: the request is refused, naming the records.
 */
export function requireOnePatient(entries: readonly BundleEntry[], patientId: string): void {
  const patient = `Patient/${patientId}`;
  const others = entries.flatMap(({ resource }) => {
    // The patient a record names itself (subject, patient, beneficiary), as department runs split exports by.
    const named = compartmentOf(resource as unknown as RawResource).patient;
    return named !== null && named !== patient ? [`${resource.resourceType}/${resource.id ?? '(no id)'} is ${named}'s`] : [];
  });
  if (others.length === 0) return;
  const shown = others.slice(0, SHOWN).join('; ') + (others.length > SHOWN ? `; and ${others.length - SHOWN} more` : '');
  throw new InputError([{ path: 'context.patientId', message: `the request's records are not all ${patient}'s: ${shown}` }]);
}
