// Builders for the FHIR R4 shapes the service reads (the README's "Integrator guide: the FHIR the service reads";
// ../shared/spec/fhir-input.md when it is beside the repository): CodeX RT prescriptions, plans, treated fractions and
// phases, sessions, image approvals, AMM records and their signatures, coverage, authorizations and charges. Plain ESM,
// no dependency: the fixture generator (scripts/make-fixtures.mjs) and the scenarios (scripts/scenarios.mjs) use it.
//
// Every record belongs to one made-up clinic, the Lakeshore Radiation Center in Chicago: two radiation oncologists,
// one linac, one treatment room (place of service 11, America/Chicago) and two payers (Medicare and a commercial
// plan). Timestamps are written with the clinic's own UTC offset, as its systems would.

export const EHR_BASE = 'https://ehr.example.org/fhir';

const SCT = 'http://snomed.info/sct';
const CPT = 'http://www.ama-assn.org/go/cpt';
const MCODE = 'http://hl7.org/fhir/us/mcode/StructureDefinition/';
const CODEXRT = 'http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/';
const RTB = 'https://rt-billing-cds.example/fhir/';
const POS = 'https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set';
const PAYER_TYPE = 'urn:oid:2.16.840.1.113883.3.221.5';
const RADIOTHERAPY = { coding: [{ system: SCT, code: '1287742003', display: 'Radiotherapy' }] };
const MRN = 'https://lakeshore-radiation.example/mrn';

/** SNOMED CT codes the records use, by the names the scenarios give them. */
export const CODES = {
  modality: { photon: '1156506007', electron: '45643008' },
  technique: { '2d': '1156526006', '3d': '1162782007', imrt: '441799006', vmat: '1156530009' },
  guidance: { kv: '168537006', ct: '77477000', cbct: '717193008', surface: '1297350006' },
  intrafraction: { fiducial: '1335864002', electromagnetic: '1332089004', surface: '1297350006' },
  respiratory: { gating: '721061000124106', 'breath-hold': '721051000124109', tracking: '1286801002' },
  site: {
    'thoracic spine': '122495006',
    prostate: '41216001',
    breast: '76752008',
    'left breast': '80248007',
    'right knee': '6757004',
    'left knee': '82169009',
    lung: '39607008',
  },
};

const PROFILE = {
  course: `${CODEXRT}codexrt-radiotherapy-course-prescription`,
  phase: `${CODEXRT}codexrt-radiotherapy-phase-prescription`,
  plan: `${CODEXRT}codexrt-radiotherapy-treatment-plan`,
  fraction: `${CODEXRT}codexrt-radiotherapy-treated-fraction`,
  treatedPhase: `${CODEXRT}codexrt-radiotherapy-treated-phase`,
  courseSummary: `${CODEXRT}codexrt-radiotherapy-course-summary`,
  session: `${CODEXRT}codexrt-radiotherapy-treatment-session`,
};
const PRESCRIPTION_CODE = { course: '1217123003', phase: '1222565005', plan: '1255724003' };

const sct = (code, text) => ({ coding: [{ system: SCT, code }], ...(text ? { text } : {}) });

/** The clinic every scenario's patient is treated at: the same resources in every record. */
export const CLINIC = {
  name: 'Lakeshore Radiation Center',
  timeZone: 'America/Chicago',
  physicians: {
    raman: { id: 'dr-raman', family: 'Raman', given: 'Priya' },
    eklund: { id: 'dr-eklund', family: 'Eklund', given: 'Tomas' },
  },
  linac: 'linac-lakeshore-1',
  location: 'loc-lakeshore-vault-1',
  payers: {
    medicare: { id: 'org-medicare-part-b', name: 'Medicare Part B', type: '1' },
    commercial: { id: 'org-great-lakes-health-plan', name: 'Great Lakes Health Plan', type: '6' },
  },
};

function clinicResources() {
  const physicians = Object.values(CLINIC.physicians).map((p) => ({
    resourceType: 'Practitioner',
    id: p.id,
    name: [{ family: p.family, given: [p.given], prefix: ['Dr.'] }],
    qualification: [{ code: { coding: [{ system: 'http://nucc.org/provider-taxonomy', code: '2085R0001X' }], text: 'Radiation Oncology' } }],
  }));
  return [
    ...physicians,
    { resourceType: 'Device', id: CLINIC.linac, deviceName: [{ name: 'Vault 1 linear accelerator', type: 'user-friendly-name' }] },
    {
      resourceType: 'Location',
      id: CLINIC.location,
      extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/timezone', valueCode: CLINIC.timeZone }],
      status: 'active',
      name: `${CLINIC.name}, vault 1`,
      type: [{ coding: [{ system: POS, code: '11', display: 'Office' }] }],
      address: { city: 'Chicago', state: 'IL', country: 'US' },
    },
    ...Object.values(CLINIC.payers).map((payer) => ({
      resourceType: 'Organization',
      id: payer.id,
      active: true,
      type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'ins' }] }],
      name: payer.name,
      address: [{ state: 'IL', country: 'US' }],
    })),
  ];
}

/**
 * The extensions that state a fraction's, plan's or order's facts. `facts`: modality ('photon' | 'electron', or a
 * list of them),
 * technique ('2d' | '3d' | 'imrt' | 'vmat', or a list), special ('sbrt'), isocenters, guidance (['kv', 'cbct', …]),
 * intrafraction (['surface', 'fiducial', …]), respiratory ('gating' | 'breath-hold' | 'tracking'), portImages,
 * fractionsDelivered (summaries), necessity (orders).
 */
function factExtensions(facts) {
  const out = [];
  // One modality-and-technique extension per modality (a course may name several); the techniques (one, or a list
  // for a plan that combines them) are the photons'.
  const modalities = [].concat(facts.modality ?? []);
  for (const modality of modalities) {
    const techniques = modalities.length === 1 || modality === 'photon' ? [].concat(facts.technique ?? []) : [];
    out.push({
      url: `${MCODE}mcode-radiotherapy-modality-and-technique`,
      extension: [
        { url: `${MCODE}mcode-radiotherapy-modality`, valueCodeableConcept: sct(CODES.modality[modality]) },
        ...techniques.map((technique) => ({ url: `${MCODE}mcode-radiotherapy-technique`, valueCodeableConcept: sct(CODES.technique[technique]) })),
      ],
    });
  }
  if (facts.special) {
    out.push({
      url: `${RTB}StructureDefinition/rt-technique`,
      valueCodeableConcept: { coding: [{ system: `${RTB}CodeSystem/rt-technique`, code: facts.special }] },
    });
  }
  if (facts.isocenters) out.push({ url: `${RTB}StructureDefinition/isocenter-count`, valuePositiveInt: facts.isocenters });
  for (const g of facts.guidance ?? []) {
    out.push({
      url: `${CODEXRT}codexrt-image-guided-radiotherapy-modality`,
      extension: [{ url: 'modality', valueCodeableConcept: sct(CODES.guidance[g]) }],
    });
  }
  for (const v of facts.intrafraction ?? []) {
    out.push({
      url: `${CODEXRT}codexrt-intrafraction-verification`,
      extension: [{ url: 'procedure', valueCodeableConcept: sct(CODES.intrafraction[v]) }],
    });
  }
  if (facts.respiratory) {
    out.push({
      url: `${CODEXRT}codexrt-radiotherapy-respiratory-motion-management`,
      valueCodeableConcept: sct(CODES.respiratory[facts.respiratory]),
    });
  }
  if (facts.portImages) out.push({ url: `${RTB}StructureDefinition/port-images`, valueBoolean: true });
  if (facts.fractionsDelivered !== undefined) {
    out.push({ url: `${CODEXRT}codexrt-radiotherapy-fractions-delivered`, valueUnsignedInt: facts.fractionsDelivered });
  }
  if (facts.necessity) out.push({ url: `${RTB}StructureDefinition/amm-necessity`, valueMarkdown: facts.necessity });
  return out;
}

// A site without a code here is written as text only (a CodeableConcept may be just text).
const bodySites = (sites) => (sites ?? []).map((site) => (CODES.site[site] ? sct(CODES.site[site], site) : { text: site }));

/** Adds `minutes` to a local timestamp written with its offset (`2026-02-02T08:10:00-06:00`), keeping the offset. */
export function later(timestamp, minutes) {
  const offset = timestamp.slice(19);
  const sign = offset.startsWith('-') ? -1 : 1;
  const offsetMinutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(Date.parse(timestamp) + (minutes + offsetMinutes) * 60_000);
  return `${local.toISOString().slice(0, 19)}${offset}`;
}

/**
 * One patient's record at the clinic. Ids start with the record's tag (`a2-fx-1`), so that every record of every
 * scenario can share one FHIR server (the embedded demo) and a department export.
 */
export class PatientRecord {
  /**
   * @param {{ tag: string, patient: { id: string, family: string, given: string, gender: string, birthDate: string,
   *   mrn: string }, payer: 'medicare' | 'commercial' }} options
   */
  constructor({ tag, patient, payer }) {
    this.tag = tag;
    this.patientId = `${tag}-${patient.id}`;
    this.subject = { reference: `Patient/${this.patientId}` };
    this.resources = [
      {
        resourceType: 'Patient',
        id: this.patientId,
        identifier: [{ system: MRN, value: patient.mrn }],
        name: [{ family: patient.family, given: [patient.given] }],
        gender: patient.gender,
        birthDate: patient.birthDate,
      },
      ...clinicResources(),
    ];
    const plan = CLINIC.payers[payer];
    this.coverage = `${tag}-coverage`;
    this.payer = plan;
    this.add({
      resourceType: 'Coverage',
      id: this.coverage,
      status: 'active',
      type: { coding: [{ system: PAYER_TYPE, code: plan.type }] },
      beneficiary: this.subject,
      payor: [{ reference: `Organization/${plan.id}` }],
    });
    this.sessions = 0;
  }

  id(local) {
    return `${this.tag}-${local}`;
  }

  add(resource) {
    this.resources.push(resource);
    return `${resource.resourceType}/${resource.id}`;
  }

  /**
   * The physician's prescription (course or phase). `facts` as factExtensions; `start` the first planned day (the
   * order's date of service); `fractions` the prescribed count; `by` a physician key of CLINIC.physicians.
   */
  prescription({ id = 'rx', kind = 'course', status = 'active', facts, start, authoredOn, fractions, by = 'raman', sites, basedOn }) {
    return this.add({
      resourceType: 'ServiceRequest',
      id: this.id(id),
      meta: { profile: [PROFILE[kind]] },
      extension: [
        ...factExtensions(facts),
        ...(fractions ? [{ url: `${CODEXRT}codexrt-radiotherapy-fractions-prescribed`, valuePositiveInt: fractions }] : []),
      ],
      status,
      intent: 'original-order',
      category: [RADIOTHERAPY],
      code: sct(PRESCRIPTION_CODE[kind]),
      subject: this.subject,
      occurrencePeriod: { start },
      authoredOn,
      requester: { reference: `Practitioner/${CLINIC.physicians[by].id}` },
      ...(basedOn ? { basedOn: [{ reference: basedOn }] } : {}),
      ...(sites ? { bodySite: bodySites(sites) } : {}),
    });
  }

  /** The treatment plan that the fractions deliver (a filler order based on the prescription). */
  plan({ id = 'plan', basedOn, facts, authoredOn, sites }) {
    return this.add({
      resourceType: 'ServiceRequest',
      id: this.id(id),
      meta: { profile: [PROFILE.plan] },
      extension: factExtensions(facts),
      status: 'active',
      intent: 'filler-order',
      category: [RADIOTHERAPY],
      code: sct(PRESCRIPTION_CODE.plan),
      subject: this.subject,
      basedOn: [{ reference: basedOn }],
      authoredOn,
      ...(sites ? { bodySite: bodySites(sites) } : {}),
    });
  }

  /** A treatment session (Encounter) starting at `start`; its fractions are added with `fraction`. */
  session({ start, minutes = 15 }) {
    this.sessions += 1;
    const id = this.id(`enc-${this.sessions}`);
    this.add({
      resourceType: 'Encounter',
      id,
      meta: { profile: [PROFILE.session] },
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      type: [RADIOTHERAPY],
      serviceType: RADIOTHERAPY,
      subject: this.subject,
      period: { start, end: later(start, minutes) },
      location: [{ location: { reference: `Location/${CLINIC.location}` } }],
    });
    return `Encounter/${id}`;
  }

  /**
   * A delivered fraction (Treated Fraction) in a session: `start` beam-on, `minutes` to beam-off, `facts` what was
   * delivered, `basedOn` the plan. `session` defaults to a new one that starts with it.
   */
  fraction({ id, start, minutes = 10, facts, basedOn, session, sites, partOf, status = 'completed' }) {
    const encounter = session ?? this.session({ start, minutes: minutes + 5 });
    return this.add({
      resourceType: 'Procedure',
      id: this.id(id ?? `fx-${this.sessions}`),
      meta: { profile: [PROFILE.fraction] },
      extension: factExtensions(facts),
      status,
      category: RADIOTHERAPY,
      code: sct('1297069006', 'Radiotherapy fraction'),
      subject: this.subject,
      encounter: { reference: encounter },
      performedPeriod: { start, end: later(start, minutes) },
      usedReference: [{ reference: `Device/${CLINIC.linac}` }],
      basedOn: [{ reference: basedOn }],
      ...(partOf ? { partOf: [{ reference: partOf }] } : {}),
      ...(sites ? { bodySite: bodySites(sites) } : {}),
    });
  }

  /** A delivered phase reported as a summary (Treated Phase), with the fractions it counts in `facts`. */
  treatedPhase({ id, facts, start, end, basedOn, partOf, status = 'completed', sites }) {
    return this.add({
      resourceType: 'Procedure',
      id: this.id(id),
      meta: { profile: [PROFILE.treatedPhase] },
      extension: factExtensions(facts),
      status,
      category: RADIOTHERAPY,
      code: sct(PRESCRIPTION_CODE.phase, 'Radiotherapy phase'),
      subject: this.subject,
      performedPeriod: { start, ...(end ? { end } : {}) },
      basedOn: [{ reference: basedOn }],
      ...(partOf ? { partOf: [{ reference: partOf }] } : {}),
      ...(sites ? { bodySite: bodySites(sites) } : {}),
    });
  }

  /** The whole course reported as a summary (Course Summary) with its number of sessions. */
  courseSummary({ id = 'course', sessions, start, end, basedOn, status = 'completed', sites }) {
    return this.add({
      resourceType: 'Procedure',
      id: this.id(id),
      meta: { profile: [PROFILE.courseSummary] },
      extension: [{ url: `${MCODE}mcode-radiotherapy-sessions`, valueUnsignedInt: sessions }],
      status,
      category: RADIOTHERAPY,
      code: sct(PRESCRIPTION_CODE.course, 'Radiotherapy course'),
      subject: this.subject,
      performedPeriod: { start, ...(end ? { end } : {}) },
      basedOn: [{ reference: basedOn }],
      ...(sites ? { bodySite: bodySites(sites) } : {}),
    });
  }

  /** A signature (Provenance) on `target` by a physician at `when`, for `activity` (image approval, AMM record). */
  signature({ id, target, activity, when, by = 'raman' }) {
    const who = { reference: `Practitioner/${CLINIC.physicians[by].id}` };
    return this.add({
      resourceType: 'Provenance',
      id: this.id(id),
      target: [{ reference: target }],
      recorded: when,
      activity: { coding: [{ system: `${RTB}CodeSystem/rt-billing-activity`, code: activity }] },
      agent: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'verifier' }] }, who }],
      signature: [{ type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.5' }], when, who }],
    });
  }

  /** The physician's approval of a fraction's guidance images at `when`. */
  approveImages(fraction, when, by) {
    const local = fraction.split('/')[1].slice(this.tag.length + 1);
    return this.signature({ id: `approval-${local}`, target: fraction, activity: 'igrt-image-approval', when, by });
  }

  /**
   * The AMM record of a fraction (a DocumentReference covering `from`-`to`), signed at `signedAt` when given.
   */
  ammRecord(fraction, { from, to, signedAt, by, note }) {
    const local = fraction.split('/')[1].slice(this.tag.length + 1);
    const record = this.add({
      resourceType: 'DocumentReference',
      id: this.id(`amm-${local}`),
      status: 'current',
      docStatus: 'final',
      type: { coding: [{ system: `${RTB}CodeSystem/rt-document-type`, code: 'amm-record' }] },
      subject: this.subject,
      date: to,
      content: [{ attachment: { contentType: 'text/plain', title: note ?? 'Beam-on monitoring log' } }],
      context: { related: [{ reference: fraction }], period: { start: from, end: to } },
    });
    if (signedAt) this.signature({ id: `amm-signed-${local}`, target: record, activity: 'amm-record-signature', when: signedAt, by });
    return record;
  }

  /** A prior authorization on file: a preauthorization Claim for `items` ([code, quantity]) and the payer's answer. */
  preauthorization({ id = 'pa', items, created, period, reference }) {
    const claim = this.add({
      resourceType: 'Claim',
      id: this.id(id),
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      use: 'preauthorization',
      patient: this.subject,
      created,
      billablePeriod: period,
      provider: { reference: `Practitioner/${CLINIC.physicians.raman.id}` },
      priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
      insurance: [{ sequence: 1, focal: true, coverage: { reference: `Coverage/${this.coverage}` } }],
      item: items.map(([code, quantity], i) => ({
        sequence: i + 1,
        productOrService: { coding: [{ system: CPT, code }] },
        quantity: { value: quantity },
      })),
    });
    this.add({
      resourceType: 'ClaimResponse',
      id: this.id(`${id}-decision`),
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      use: 'preauthorization',
      patient: this.subject,
      created,
      insurer: { reference: `Organization/${this.payer.id}` },
      request: { reference: claim },
      outcome: 'complete',
      preAuthRef: reference,
      preAuthPeriod: period,
    });
    return claim;
  }

  /** A charge the record-and-verify system posted: `code` (with `modifier`) for a session and its fraction. */
  charge({ id, code, modifier, date, session, fraction }) {
    return this.add({
      resourceType: 'ChargeItem',
      id: this.id(id),
      identifier: [{ system: 'https://lakeshore-radiation.example/charge-id', value: this.id(id).toUpperCase() }],
      status: 'billable',
      code: {
        coding: [{ system: CPT, code }, ...(modifier ? [{ system: CPT, code: modifier }] : [])],
        text: modifier ? `${code}-${modifier}` : code,
      },
      subject: this.subject,
      context: { reference: session },
      occurrenceDateTime: date,
      performer: [{ actor: { reference: `Practitioner/${CLINIC.physicians.raman.id}` } }],
      quantity: { value: 1 },
      enterer: { reference: `Device/${CLINIC.linac}` },
      service: [{ reference: fraction }],
    });
  }

  /** The record as a FHIR Bundle (collection) with RESTful fullUrls on `base`. */
  bundle(base = EHR_BASE) {
    return {
      resourceType: 'Bundle',
      id: `${this.tag}-record`,
      type: 'collection',
      entry: this.resources.map((resource) => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource })),
    };
  }
}
