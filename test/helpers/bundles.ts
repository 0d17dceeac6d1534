/** Small FHIR builders for reader and API tests (real R4 shapes, as in the golden cases). */
const MCODE = 'http://hl7.org/fhir/us/mcode/StructureDefinition/';
const SCT = 'http://snomed.info/sct';
const RTB = 'https://rt-billing-cds.example/fhir/';
const CODEXRT = 'http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/';

export const modalityAndTechnique = (modality: string, technique?: string) => ({
  url: `${MCODE}mcode-radiotherapy-modality-and-technique`,
  extension: [
    { url: `${MCODE}mcode-radiotherapy-modality`, valueCodeableConcept: { coding: [{ system: SCT, code: modality }] } },
    ...(technique ? [{ url: `${MCODE}mcode-radiotherapy-technique`, valueCodeableConcept: { coding: [{ system: SCT, code: technique }] } }] : []),
  ],
});
export const PHOTON = '1156506007';
export const THREE_D = '1162782007';
export const isocenters = (n: number) => ({ url: `${RTB}StructureDefinition/isocenter-count`, valuePositiveInt: n });
export const cbct = () => ({
  url: `${CODEXRT}codexrt-image-guided-radiotherapy-modality`,
  extension: [{ url: 'modality', valueCodeableConcept: { coding: [{ system: SCT, code: '717193008' }] } }],
});

export function fractionResource(id: string, start: string | null, extra: Record<string, unknown> = {}) {
  return {
    resourceType: 'Procedure',
    id,
    status: 'completed',
    code: { coding: [{ system: SCT, code: '1297069006' }] },
    subject: { reference: 'Patient/p1' },
    extension: [modalityAndTechnique(PHOTON, THREE_D), isocenters(1)],
    ...(start ? { performedPeriod: { start, end: start.replace(/:00Z$/, ':12Z').replace('T09:00', 'T09:12') } } : {}),
    ...extra,
  };
}

export function approval(id: string, target: string, when: string, who = 'Practitioner/dr') {
  return {
    resourceType: 'Provenance',
    id,
    target: [{ reference: target }],
    recorded: when,
    activity: { coding: [{ system: `${RTB}CodeSystem/rt-billing-activity`, code: 'igrt-image-approval' }] },
    agent: [{ who: { reference: who } }],
    signature: [{ type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.5' }], when, who: { reference: who } }],
  };
}

export function bundle(
  resources: Record<string, unknown>[],
  fullUrl: (r: Record<string, unknown>) => string = (r) => `https://ehr.example.org/fhir/${r.resourceType}/${r.id}`,
) {
  return { resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ fullUrl: fullUrl(resource), resource })) };
}

export const ELECTRON = '45643008';
export const IMRT = '441799006';
export const LEVEL_CODES = { course: '1217123003', phase: '1222565005', plan: '1255724003' } as const;

/** A CodeX RT prescription or plan (ServiceRequest). */
export function requestResource(id: string, level: keyof typeof LEVEL_CODES, extra: Record<string, unknown> = {}) {
  return {
    resourceType: 'ServiceRequest',
    id,
    status: 'active',
    intent: 'original-order',
    code: { coding: [{ system: SCT, code: LEVEL_CODES[level] }] },
    subject: { reference: 'Patient/p1' },
    requester: { reference: 'Practitioner/dr' },
    authoredOn: '2026-02-01',
    extension: [modalityAndTechnique(PHOTON, THREE_D)],
    ...extra,
  };
}

/** A CodeX RT Treated Phase, Treated Plan or Course Summary (Procedure) reporting fractions delivered. */
export function summaryResource(id: string, level: keyof typeof LEVEL_CODES, delivered: number, extra: Record<string, unknown> = {}) {
  const count =
    level === 'course'
      ? { url: `${MCODE}mcode-radiotherapy-sessions`, valueUnsignedInt: delivered }
      : { url: `${CODEXRT}codexrt-radiotherapy-fractions-delivered`, valueUnsignedInt: delivered };
  const { extension, ...rest } = extra as { extension?: unknown[] };
  return {
    resourceType: 'Procedure',
    id,
    status: 'completed',
    code: { coding: [{ system: SCT, code: LEVEL_CODES[level] }] },
    subject: { reference: 'Patient/p1' },
    performedPeriod: { start: '2026-03-02T09:00:00Z', end: '2026-03-27T09:12:00Z' },
    extension: [...(extension ?? [modalityAndTechnique(PHOTON, THREE_D)]), count],
    ...rest,
  };
}

export const respiratory = (code: string) => ({
  url: `${CODEXRT}codexrt-radiotherapy-respiratory-motion-management`,
  valueCodeableConcept: { coding: [{ system: SCT, code }] },
});
export const intrafraction = (code: string) => ({
  url: `${CODEXRT}codexrt-intrafraction-verification`,
  extension: [{ url: 'procedure', valueCodeableConcept: { coding: [{ system: SCT, code }] } }],
});
/** A modality-and-technique extension with codings given as `system|code` (to write unknown or null-flavored codes). */
export const modalityAndTechniqueCodings = (modality: string[], technique: string[] = []) => ({
  url: `${MCODE}mcode-radiotherapy-modality-and-technique`,
  extension: [
    {
      url: `${MCODE}mcode-radiotherapy-modality`,
      valueCodeableConcept: { coding: modality.map((m) => ({ system: m.split('|')[0], code: m.split('|')[1] })) },
    },
    ...(technique.length
      ? [
          {
            url: `${MCODE}mcode-radiotherapy-technique`,
            valueCodeableConcept: { coding: technique.map((t) => ({ system: t.split('|')[0], code: t.split('|')[1] })) },
          },
        ]
      : []),
  ],
});

/**
 * Patient/p1 insured by Medicare (`Coverage/cov`, payor `Organization/cms`), and the physician `Practitioner/dr`:
 * the people and payer of a record whose claims are paid or denied.
 */
export function medicarePatient(mrn: string, coverage: Record<string, unknown> = {}) {
  return [
    { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'https://ehr.example.org/mrn', value: mrn }] },
    { resourceType: 'Practitioner', id: 'dr' },
    { resourceType: 'Organization', id: 'cms', name: 'Medicare' },
    {
      resourceType: 'Coverage',
      id: 'cov',
      status: 'active',
      type: { coding: [{ system: 'urn:oid:2.16.840.1.113883.3.221.5', code: '1' }] },
      beneficiary: { reference: 'Patient/p1' },
      payor: [{ reference: 'Organization/cms' }],
      ...coverage,
    },
  ];
}
