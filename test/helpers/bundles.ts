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
