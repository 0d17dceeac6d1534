import { csvField } from '../../src/csv.js';
import type { BillingLine, Determination, SessionDetermination } from '../../src/engine/types.js';
import type { Resource } from './course.js';

type Reference = { reference?: string };
type Identifier = { system?: string; value?: string; type?: { coding?: { system?: string; code?: string }[]; text?: string } };

/** What the export needs besides the determination: the patient (id, MRN) and the resources read (places, practitioners). */
export interface CsvContext {
  readonly patient: { readonly id?: string; readonly identifier?: readonly Identifier[] } | null;
  readonly resources: { get(ref: string): Resource | undefined };
}

const NPI = 'http://hl7.org/fhir/sid/us-npi';
/** CMS Place of Service codes, as a Location's type carries them. */
const PLACE_OF_SERVICE = 'https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

const refOf = (value: unknown): string | undefined => (value as Reference | undefined)?.reference?.split('/').slice(-2).join('/');

/** The medical record number: the identifier typed MR (HL7 v2-0203), else one whose system says MRN (as the banner). */
export function mrnOf(patient: CsvContext['patient']): string {
  const identifiers = patient?.identifier ?? [];
  const typed = identifiers.find((i) => i.type?.coding?.some((c) => c.system === V2_0203 && c.code === 'MR'));
  return (typed ?? identifiers.find((i) => /mrn|medical.?record/i.test(`${i.system ?? ''} ${i.type?.text ?? ''}`)))?.value ?? '';
}

/** The session's place of service: the CMS code on its Encounter's Location, when recorded. */
function placeOfService(session: SessionDetermination, resources: CsvContext['resources']): string {
  const encounter = session.encounter ? resources.get(session.encounter) : undefined;
  for (const entry of (encounter?.location as { location?: Reference }[] | undefined) ?? []) {
    const location = resources.get(refOf(entry.location) ?? '');
    for (const type of (location?.type as { coding?: { system?: string; code?: string }[] }[] | undefined) ?? [])
      for (const coding of type.coding ?? []) if (coding.system === PLACE_OF_SERVICE && coding.code) return coding.code;
  }
  return '';
}

/** A Practitioner reference, through a PractitionerRole when the record has it. */
function practitionerOf(ref: string | undefined, resources: CsvContext['resources']): string | undefined {
  if (!ref) return undefined;
  if (ref.startsWith('Practitioner/')) return ref;
  if (ref.startsWith('PractitionerRole/')) return refOf(resources.get(ref)?.practitioner);
  return undefined;
}

/**
 * Who rendered the line: for 77387-26 the physician whose approval counts, else the physician who ordered the
 * treatment (the prescription the fraction is based on, up its basedOn chain), else the fraction's performer; for a
 * delivery code the fraction's performer, else the ordering physician.
 */
function renderingPractitioner(session: SessionDetermination, line: BillingLine, resources: CsvContext['resources']): string {
  const fraction = resources.get(session.fractions[0] ?? '');
  const performer = () =>
    ((fraction?.performer as { actor?: Reference }[] | undefined) ?? []).map((p) => practitionerOf(refOf(p.actor), resources)).find(Boolean);
  const orderer = () => {
    const seen = new Set<string>();
    const queue = ((fraction?.basedOn as Reference[] | undefined) ?? []).map((r) => refOf(r)).filter((r): r is string => !!r);
    for (let ref = queue.shift(); ref !== undefined; ref = queue.shift()) {
      if (seen.has(ref)) continue;
      seen.add(ref);
      const request = resources.get(ref);
      const practitioner = practitionerOf(refOf(request?.requester), resources);
      if (practitioner) return practitioner;
      queue.push(...((request?.basedOn as Reference[] | undefined) ?? []).map((r) => refOf(r)).filter((r): r is string => !!r));
    }
    return undefined;
  };
  if (line.code.startsWith('77387')) {
    const signer = session.signoffs.find((s) => s.status === 'in-time')?.signedBy ?? undefined;
    return practitionerOf(signer, resources) ?? orderer() ?? performer() ?? '';
  }
  return performer() ?? orderer() ?? '';
}

const npiOf = (practitioner: string, resources: CsvContext['resources']): string =>
  ((resources.get(practitioner)?.identifier as Identifier[] | undefined) ?? []).find((i) => i.system === NPI)?.value ?? '';

/**
 * The lines to bill (and those pending a signature) as CSV, one row per code and session, in the columns a charge
 * entry screen asks for: the patient's id and MRN, the local date of service, CPT and modifier apart, units, place of
 * service, the rendering practitioner and NPI, the session and its fractions. Fields go through the CLI's csvField
 * (src/csv.ts): a FHIR value that looks like a formula (an unresolved encounter reference `=HYPERLINK(…)`) stays text.
 */
export function billingCsv(determination: Determination, context: CsvContext): string {
  const header = [
    'patient_id',
    'mrn',
    'date_of_service',
    'cpt',
    'modifier',
    'units',
    'place_of_service',
    'rendering_practitioner',
    'rendering_npi',
    'status',
    'rule',
    'session',
    'fractions',
    'estimated_amount_usd',
  ];
  const patientId = context.patient?.id ?? determination.sessions[0]?.patient?.replace(/^Patient\//, '') ?? '';
  const mrn = mrnOf(context.patient);
  const rows = determination.sessions.flatMap((session) =>
    session.lines
      .filter((line) => line.status !== 'bundled')
      .map((line) => {
        const [cpt, modifier = ''] = line.code.split('-');
        const rendering = renderingPractitioner(session, line, context.resources);
        return [
          patientId,
          mrn,
          session.dateOfService ?? '',
          cpt,
          modifier,
          line.units,
          placeOfService(session, context.resources),
          rendering,
          rendering ? npiOf(rendering, context.resources) : '',
          line.status,
          line.rule,
          session.encounter ?? '',
          session.fractions.join(' '),
          session.estimate?.lines.find((priced) => priced.code === line.code)?.amount ?? '',
        ];
      }),
  );
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** `rt-billing-<patient id>-<YYYY-MM-DD>.csv`: the patient and the day of the export, in the reviewer's own time. */
export function csvFileName(determination: Determination, context: CsvContext, today: Date): string {
  const id = context.patient?.id ?? determination.sessions[0]?.patient?.replace(/^Patient\//, '') ?? 'patient';
  const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  return `rt-billing-${id.replace(/[^A-Za-z0-9.-]/g, '_')}-${day}.csv`;
}
