import { h } from './dom.js';

type Identifier = { system?: string; value?: string; type?: { coding?: { system?: string; code?: string }[]; text?: string } };
type Patient = {
  id?: string;
  name?: { use?: string; text?: string; given?: string[]; family?: string }[];
  birthDate?: string;
  identifier?: Identifier[];
};

const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

/** The medical record number: the identifier typed MR (HL7 v2-0203), else one whose system says MRN. */
function mrn(patient: Patient): string | undefined {
  const identifiers = patient.identifier ?? [];
  const typed = identifiers.find((i) => i.type?.coding?.some((c) => c.system === V2_0203 && c.code === 'MR'));
  return (typed ?? identifiers.find((i) => /mrn|medical.?record/i.test(`${i.system ?? ''} ${i.type?.text ?? ''}`)))?.value;
}

function displayName(patient: Patient): string {
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  if (!name) return `Patient ${patient.id ?? ''}`.trim();
  return name.text ?? `${(name.given ?? []).join(' ')} ${name.family ?? ''}`.trim();
}

/**
 * The patient banner (name, birth date, MRN) the app must show when the EHR's token response says
 * `need_patient_banner: true` or says nothing (SMART App Launch 2.x); hidden when the EHR shows its own (false).
 */
export function patientBanner(patient: Patient, needPatientBanner: unknown): HTMLElement | null {
  if (needPatientBanner === false) return null;
  const record = mrn(patient);
  return h(
    'section',
    { id: 'patient-banner', class: 'patient-banner', 'aria-label': 'Patient' },
    h('strong', { class: 'patient-name' }, displayName(patient)),
    h('span', {}, h('span', { class: 'muted' }, 'Born '), patient.birthDate ?? 'unknown'),
    h('span', {}, h('span', { class: 'muted' }, 'MRN '), record ?? 'not on file'),
  );
}
