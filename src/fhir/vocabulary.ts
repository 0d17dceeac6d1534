import type { GuidanceMethod, Modality, MotionTechnique, Technique } from '../engine/types.js';
import { MCODE_VALUE_SETS, mcodeValueSet, mcodeValueSetKeys } from './value-sets.js';

/**
 * The input vocabularies: FHIR codings (system + code, never display) and what each means to the engine.
 * mCODE's modality and technique value sets come from the published package (value-sets.ts); the CodeX RT STU2 value
 * sets, which are not on the npm registry, are typed here from the IG's FSH source (HL7/codex-radiation-therapy,
 * input/fsh/VS_*.fsh); the project's own `rtb` code systems cover what neither IG models (spec/fhir-input.md §2).
 */
export const SCT = 'http://snomed.info/sct';
export const NULL_FLAVOR = 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor';
export const CPT = 'http://www.ama-assn.org/go/cpt';
export const RTB = 'https://rt-billing-cds.example/fhir/';
export const RTB_TECHNIQUE_SYSTEM = `${RTB}CodeSystem/rt-technique`;

/** `system|code` → meaning. */
export type CodeTable<T> = ReadonlyMap<string, T>;

const key = (system: string, code: string): string => `${system}|${code}`;
const sct = <T>(rows: Record<string, T>): Map<string, T> => new Map(Object.entries(rows).map(([code, value]) => [key(SCT, code), value]));

/**
 * A code that says the value is not known (v3-NullFlavor, e.g. `UNC` "un-encoded", which mCODE's modality and
 * technique value sets include): the fact is unknown, stated as such — not an unrecognised code.
 */
export const isNullFlavor = (system: string | undefined): boolean => system === NULL_FLAVOR;

// --- Modality (mcode-radiotherapy-modality-vs) -------------------------------------------------------------------

/** External beam modalities by their SNOMED concept (mcode-teleradiotherapy-modality-vs). */
const TELERADIOTHERAPY_MODALITIES = sct<Modality>({
  '1156506007': 'photon',
  '45643008': 'electron',
  '10611004': 'proton',
  '80347004': 'neutron',
  '1156505006': 'carbon-ion',
});

/** In mCODE's brachytherapy modality value set, but a radiopharmaceutical, not a sealed source. */
const RADIOPHARMACEUTICAL = key(SCT, '440252007');

/**
 * Every code of mCODE's radiotherapy modality value set and what it means: the teleradiotherapy codes as typed above,
 * every brachytherapy code as brachytherapy (radiopharmaceutical administration apart). A teleradiotherapy code
 * without a typed meaning stops the start: a new modality must be given a meaning, never guessed.
 */
export const MODALITY_CODES: CodeTable<Modality> = (() => {
  const table = new Map<string, Modality>();
  for (const { system, code } of mcodeValueSet(MCODE_VALUE_SETS.teleradiotherapyModality)) {
    const meaning = TELERADIOTHERAPY_MODALITIES.get(key(system, code));
    if (!meaning) throw new Error(`mCODE teleradiotherapy modality ${system}|${code} has no meaning in vocabulary.ts`);
    table.set(key(system, code), meaning);
  }
  for (const { system, code } of mcodeValueSet(MCODE_VALUE_SETS.brachytherapyModality)) {
    table.set(key(system, code), key(system, code) === RADIOPHARMACEUTICAL ? 'radiopharmaceutical' : 'brachytherapy');
  }
  return table;
})();

// --- Technique (mcode-radiotherapy-technique-vs, plus the project's rt-technique) ---------------------------------

/** The techniques that decide a delivery level. Every other technique of mCODE's value set is read and ignored. */
const LEVEL_TECHNIQUES = sct<Technique>({
  '1156526006': '2d',
  '1162782007': '3d-crt',
  '441799006': 'imrt',
  '1156530009': 'imrt', // VMAT counts as IMRT for billing
});

/** Techniques neither IG codes: stereotactic, total skin electrons, superficial/orthovoltage (project code system). */
const PROJECT_TECHNIQUES = new Map<string, Technique>(
  (['srs', 'sbrt', 'total-skin-electron', 'superficial', 'orthovoltage'] as const).map((code) => [key(RTB_TECHNIQUE_SYSTEM, code), code]),
);

/** `null`: a published technique that does not change the level (intraoperative, particle scanning, brachytherapy…). */
export const TECHNIQUE_CODES: CodeTable<Technique | null> = (() => {
  const table = new Map<string, Technique | null>(PROJECT_TECHNIQUES);
  for (const { system, code } of mcodeValueSet(MCODE_VALUE_SETS.radiotherapyTechnique)) {
    if (isNullFlavor(system)) continue;
    table.set(key(system, code), LEVEL_TECHNIQUES.get(key(system, code)) ?? null);
  }
  for (const levelCode of LEVEL_TECHNIQUES.keys()) {
    if (!table.has(levelCode)) throw new Error(`level technique ${levelCode} is not in mCODE's technique value set`);
  }
  return table;
})();

/** Displays of mCODE's techniques, to name an ignored technique in a message (never to match on). */
export const TECHNIQUE_DISPLAYS: ReadonlyMap<string, string> = new Map(
  mcodeValueSet(MCODE_VALUE_SETS.radiotherapyTechnique).map((code) => [key(code.system, code.code), code.display.replace(/ \(procedure\)$/, '')]),
);

// --- Guidance and motion management (CodeX RT STU2 value sets) ----------------------------------------------------

/** codexrt-image-guided-radiotherapy-modality-vs (VS_ImageGuidedRadiotherapyModality.fsh). */
export const IMAGE_GUIDANCE_CODES: CodeTable<GuidanceMethod> = sct<GuidanceMethod>({
  '168537006': 'x-ray',
  '44491008': 'fluoroscopy',
  '77477000': 'ct',
  '717193008': 'cbct',
  '113091000': 'mr',
  '16310003': 'ultrasound',
  '1297350006': 'surface',
});

/**
 * codexrt-intrafraction-verification-procedure-vs (VS_IntrafractionVerificationProcedure.fsh), and CBCT, which
 * fhir-input.md names among the snapshots recorded as intra-fraction verification (spec v3).
 */
export const INTRAFRACTION_CODES: CodeTable<GuidanceMethod> = sct<GuidanceMethod>({
  '16310003': 'ultrasound',
  '77477000': 'ct',
  '717193008': 'cbct',
  '113091000': 'mr',
  '168537006': 'x-ray',
  '1335864002': 'fiducial-tracking',
  '1332089004': 'electromagnetic-tracking',
  '1297350006': 'surface',
});

/**
 * codexrt-radiotherapy-respiratory-motion-management-vs and codexrt-radiotherapy-free-breathing-motion-mgmt-technique-vs
 * (VS_RadiotherapyRespiratoryMotionManagement.fsh, VS_RadiotherapyFreeBreathingMotionManagementTechnique.fsh): read
 * from either extension, since both say what was done about breathing.
 */
export const MOTION_CODES: CodeTable<MotionTechnique> = sct<MotionTechnique>({
  '721071000124104': 'free-breathing',
  '721051000124109': 'breath-hold',
  '721031000124102': 'none',
  '721061000124106': 'gating',
  '1286801002': 'real-time-tracking',
  '1286802009': 'itv',
  '721081000124101': 'abdominal-compression',
});

// --- Radiotherapy recorded without the CodeX RT structure (D-UNSTRUCTURED) -----------------------------------------

export type RadiotherapyService = 'delivery' | 'supporting';

/** HCPCS Level II systems seen for G-codes (the deleted G6001–G6017 are often sent under the CPT system too). */
const HCPCS_SYSTEMS: ReadonlySet<string> = new Set([
  CPT,
  'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  'urn:oid:2.16.840.1.113883.6.285',
]);

/**
 * What the CPT radiation-oncology codes (77261–77799) bill, by range (CPT section headings): treatment delivered at a
 * session (delivery, guidance, brachytherapy, radiopharmaceutical), or a service around it (planning, simulation,
 * dosimetry, devices, physics, treatment management, hyperthermia).
 */
const CPT_RADIATION_RANGES: readonly { readonly from: number; readonly to: number; readonly records: RadiotherapyService }[] = [
  { from: 77261, to: 77370, records: 'supporting' },
  { from: 77371, to: 77425, records: 'delivery' },
  { from: 77427, to: 77499, records: 'supporting' },
  { from: 77520, to: 77525, records: 'delivery' },
  { from: 77600, to: 77620, records: 'supporting' },
  { from: 77750, to: 77799, records: 'delivery' },
];

/**
 * What a radiation-oncology billing code records: `delivery` (CPT delivery, guidance, brachytherapy, the deleted
 * HCPCS G6001–G6017 delivery and guidance codes), `supporting` (planning, physics, management), or `null` when it is
 * not one.
 */
export function radiotherapyBillingCode(system: string | undefined, code: string | undefined): RadiotherapyService | null {
  if (!system || !code) return null;
  if (system === CPT && /^\d{5}$/.test(code)) {
    const value = Number(code);
    if (value < 77261 || value > 77799) return null;
    return CPT_RADIATION_RANGES.find((range) => value >= range.from && value <= range.to)?.records ?? 'supporting';
  }
  const gCode = /^G60(\d\d)$/.exec(code);
  return HCPCS_SYSTEMS.has(system) && gCode !== null && Number(gCode[1]) >= 1 && Number(gCode[1]) <= 17 ? 'delivery' : null;
}

/**
 * SNOMED procedures that say "radiotherapy": every code of mCODE's modality and technique value sets, the CodeX RT
 * category value set (VS_Category.fsh) and motion-management value sets, the radiotherapy guidance procedures of the
 * intra-fraction value set, and the general concepts EHRs and synthetic records use for a radiotherapy procedure (from
 * mCODE STU1's radiation procedure value set).
 */
export const RADIOTHERAPY_PROCEDURE_CODES: ReadonlySet<string> = new Set([
  ...[...mcodeValueSetKeys(MCODE_VALUE_SETS.radiotherapyModality), ...mcodeValueSetKeys(MCODE_VALUE_SETS.radiotherapyTechnique)].filter(
    (code) => !code.startsWith(`${NULL_FLAVOR}|`),
  ),
  ...MOTION_CODES.keys(),
  ...['1335864002', '1332089004', '1297350006'].map((code) => key(SCT, code)),
  ...[
    '1287742003', // Radiotherapy (procedure)
    '108290001', // Radiation oncology AND/OR radiotherapy (procedure)
    '33195004', // Teleradiotherapy procedure (procedure)
    '169291001', // X-ray beam therapy (procedure)
    '312248006', // Heavy ion teletherapy (procedure)
    '448385000', // Megavoltage radiation therapy using photons (procedure)
    '152198000', // Brachytherapy (procedure)
    '385798007', // Radiation therapy care (regime/therapy)
  ].map((code) => key(SCT, code)),
]);

// --- Who signs: physician or not (A-SIGN, I-SIGN; billing-rules.md "Who signs") ------------------------------------

export type SignerKind = 'physician' | 'non-physician';

/** NUCC Health Care Provider Taxonomy: the physician groups are the codes beginning `20` (Allopathic & Osteopathic Physicians). */
export const NUCC_TAXONOMY = 'http://nucc.org/provider-taxonomy';
const NUCC_CODE = /^[0-9A-Z]{9}X$/;

/** HL7's practitioner-role code system (R4 example value set PractitionerRole). */
const PRACTITIONER_ROLE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/practitioner-role';
const PRACTITIONER_ROLES: Readonly<Record<string, SignerKind>> = {
  doctor: 'physician',
  nurse: 'non-physician',
  pharmacist: 'non-physician',
  researcher: 'non-physician',
  teacher: 'non-physician',
  ict: 'non-physician',
};

/** HL7 v2 table 0360 (degree), used by `Practitioner.qualification`: a physician holds MD or DO; any other degree alone is not one. */
const DEGREE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0360';
const PHYSICIAN_DEGREES: ReadonlySet<string> = new Set(['MD', 'DO']);

/** SNOMED CT person roles of DICOM CID 9536 (radiotherapy prescribing and segmenting person role). */
const SNOMED_ROLES = sct<SignerKind>({
  '158965000': 'physician', // medical practitioner
  '309343006': 'physician', // physician
  '405277009': 'physician', // resident
  '3430008': 'non-physician', // radiation therapist
  '159016003': 'non-physician', // radiologic technologist (radiographer)
});

/** What a role, specialty or qualification coding says of a signer; `null` when the coding is not one the service knows. */
export function signerKind(system: string | undefined, code: string | undefined): SignerKind | null {
  if (!system || !code) return null;
  if (system === NUCC_TAXONOMY) return NUCC_CODE.test(code) ? (code.startsWith('20') ? 'physician' : 'non-physician') : null;
  if (system === PRACTITIONER_ROLE_SYSTEM) return PRACTITIONER_ROLES[code] ?? null;
  if (system.startsWith(DEGREE_SYSTEM)) return PHYSICIAN_DEGREES.has(code.toUpperCase()) ? 'physician' : 'non-physician';
  return SNOMED_ROLES.get(key(system, code)) ?? null;
}

// --- The schedule: which appointments are radiotherapy treatments (deadlines) -------------------------------------

/** Service, specialty or appointment types that say an Appointment is a radiotherapy treatment. */
export const RADIOTHERAPY_APPOINTMENT_CODES: ReadonlySet<string> = new Set([
  key(SCT, '1287742003'), // radiotherapy (the CodeX RT category)
  key(SCT, '108290001'), // radiation oncology and/or radiotherapy
  key(SCT, '33195004'), // teleradiotherapy procedure
]);
