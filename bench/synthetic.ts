/**
 * Synthetic radiotherapy courses for benchmarks: real CodeX RT / mCODE shapes (as in the golden cases), one
 * prescription and plan per patient, one fraction and Encounter per session, daily; every other patient has
 * active motion management with a signed AMM record per fraction; every fraction has approved CBCT images.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { PREFETCH } from '../cds-services/encounter-discharge/definition.js';

const SCT = 'http://snomed.info/sct';
const MCODE = 'http://hl7.org/fhir/us/mcode/StructureDefinition/';
const CODEXRT = 'http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/';
const RTB = 'https://rt-billing-cds.example/fhir/';
const BASE = 'https://ehr.example.org/fhir';

export type Resource = Record<string, unknown> & { resourceType: string; id: string };

/** SNOMED techniques: IMRT (77407 without AMM) and 2D (77402). */
export const IMRT = '441799006';
export const TWO_D = '1156526006';

/** How a course differs from the default (daily from 2026-03-02, AMM every other patient, everything signed). */
export interface CourseOptions {
  readonly start?: string;
  readonly amm?: boolean;
  readonly technique?: string;
  readonly location?: string;
  /** Monday to Friday only, as clinics treat. */
  readonly weekdays?: boolean;
  /** The last session's images and AMM record are not signed yet (a course still under way). */
  readonly unsignedLast?: boolean;
  /** Sessions whose AMM record is missing (A-RECORD: 77412 not documented). */
  readonly withoutAmmRecord?: readonly number[];
}

const coding = (code: string, system = SCT) => ({ coding: [{ system, code }] });
const planExtensions = (amm: boolean, technique = IMRT) => [
  {
    url: `${MCODE}mcode-radiotherapy-modality-and-technique`,
    extension: [
      { url: `${MCODE}mcode-radiotherapy-modality`, valueCodeableConcept: coding('1156506007') },
      { url: `${MCODE}mcode-radiotherapy-technique`, valueCodeableConcept: coding(technique) },
    ],
  },
  { url: `${RTB}StructureDefinition/isocenter-count`, valuePositiveInt: 1 },
  { url: `${CODEXRT}codexrt-image-guided-radiotherapy-modality`, extension: [{ url: 'modality', valueCodeableConcept: coding('717193008') }] },
  ...(amm
    ? [
        { url: `${CODEXRT}codexrt-intrafraction-verification`, extension: [{ url: 'procedure', valueCodeableConcept: coding('1297350006') }] },
        { url: `${CODEXRT}codexrt-radiotherapy-respiratory-motion-management`, valueCodeableConcept: coding('721051000124109') },
      ]
    : []),
];
const signature = (id: string, target: string, when: string, activity: string): Resource => ({
  resourceType: 'Provenance',
  id,
  target: [{ reference: target }],
  recorded: when,
  activity: coding(activity, `${RTB}CodeSystem/rt-billing-activity`),
  agent: [{ who: { reference: 'Practitioner/dr' } }],
  signature: [{ type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.5' }], when, who: { reference: 'Practitioner/dr' } }],
});

export interface Course {
  readonly patient: string;
  readonly resources: Resource[];
  readonly encounters: string[];
}

/** One patient's course of `sessions` daily fractions from 2026-03-02. */
export function course(patientIndex: number, sessions: number, options: CourseOptions = {}): Course {
  const p = `p${patientIndex}`;
  const amm = options.amm ?? patientIndex % 2 === 0;
  const technique = options.technique ?? IMRT;
  const patient = `Patient/${p}`;
  const resources: Resource[] = [
    { resourceType: 'Patient', id: p, gender: 'female' },
    {
      resourceType: 'Coverage',
      id: `${p}-cov`,
      status: 'active',
      type: coding('1', 'urn:oid:2.16.840.1.113883.3.221.5'),
      beneficiary: { reference: patient },
      payor: [{ reference: 'Organization/payer' }],
    },
    {
      resourceType: 'ServiceRequest',
      id: `${p}-rx`,
      status: 'active',
      intent: 'original-order',
      code: coding('1217123003'),
      subject: { reference: patient },
      requester: { reference: 'Practitioner/dr' },
      occurrencePeriod: { start: '2026-03-01' },
      extension: [
        ...planExtensions(amm, technique),
        ...(amm
          ? [
              {
                url: `${RTB}StructureDefinition/amm-necessity`,
                valueMarkdown: 'Left breast cancer; tumor bed over the heart, mean heart dose 4.1 Gy free-breathing versus 1.2 Gy in breath hold.',
              },
            ]
          : []),
      ],
    },
    {
      resourceType: 'ServiceRequest',
      id: `${p}-plan`,
      status: 'active',
      intent: 'filler-order',
      code: coding('1255724003'),
      subject: { reference: patient },
      basedOn: [{ reference: `ServiceRequest/${p}-rx` }],
      extension: planExtensions(amm, technique),
    },
  ];
  const encounters: string[] = [];
  let day = Date.parse(options.start ?? '2026-03-02T08:00:00Z');
  const nextDay = () => {
    do day += 86_400_000;
    while (options.weekdays && [0, 6].includes(new Date(day).getUTCDay()));
  };
  if (options.weekdays && [0, 6].includes(new Date(day).getUTCDay())) nextDay();
  for (let s = 0; s < sessions; s++, nextDay()) {
    const on = new Date(day + (patientIndex % 480) * 60_000);
    const signs = !(options.unsignedLast && s === sessions - 1);
    const off = new Date(on.getTime() + 12 * 60_000);
    const [beamOn, beamOff, signed] = [on.toISOString(), off.toISOString(), new Date(off.getTime() + 3_600_000).toISOString()];
    const fx = `${p}-fx-${s}`;
    const enc = `${p}-enc-${s}`;
    encounters.push(enc);
    resources.push(
      {
        resourceType: 'Encounter',
        id: enc,
        status: 'finished',
        subject: { reference: patient },
        period: { start: beamOn, end: beamOff },
        location: [{ location: { reference: `Location/${options.location ?? 'clinic'}` } }],
      },
      {
        resourceType: 'Procedure',
        id: fx,
        status: 'completed',
        code: coding('1297069006'),
        subject: { reference: patient },
        encounter: { reference: `Encounter/${enc}` },
        basedOn: [{ reference: `ServiceRequest/${p}-plan` }],
        performedPeriod: { start: beamOn, end: beamOff },
        extension: planExtensions(amm, technique),
      },
      ...(signs ? [signature(`${fx}-img`, `Procedure/${fx}`, signed, 'igrt-image-approval')] : []),
    );
    if (amm && !options.withoutAmmRecord?.includes(s)) {
      resources.push(
        {
          resourceType: 'DocumentReference',
          id: `${fx}-amm`,
          status: 'current',
          type: coding('amm-record', `${RTB}CodeSystem/rt-document-type`),
          subject: { reference: patient },
          content: [{ attachment: { contentType: 'text/plain' } }],
          context: { related: [{ reference: `Procedure/${fx}` }], period: { start: beamOn, end: beamOff } },
        },
        ...(signs ? [signature(`${fx}-amm-sig`, `DocumentReference/${fx}-amm`, signed, 'amm-record-signature')] : []),
      );
    }
  }
  return { patient: p, resources, encounters };
}

const shared = (): Resource[] => [
  { resourceType: 'Practitioner', id: 'dr' },
  { resourceType: 'Organization', id: 'payer' },
  {
    resourceType: 'Location',
    id: 'clinic',
    type: [coding('11', 'https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set')],
  },
];

export const entryOf = (resource: Resource) => ({ fullUrl: `${BASE}/${resource.resourceType}/${resource.id}`, resource });

/** The resources of a Bundle with `sessions` sessions, in courses of 35, a course at a time. */
function* syntheticResources(sessions: number): Generator<Resource[]> {
  yield shared();
  for (let patient = 0, left = sessions; left > 0; patient++, left -= 35) yield course(patient, Math.min(35, left)).resources;
}

/** A Bundle with `sessions` sessions, in courses of 35. */
export function syntheticBundle(sessions: number): { resourceType: 'Bundle'; type: 'collection'; entry: ReturnType<typeof entryOf>[] } {
  return { resourceType: 'Bundle', type: 'collection', entry: [...syntheticResources(sessions)].flat().map(entryOf) };
}

/**
 * Writes `JSON.stringify(syntheticBundle(sessions))` to `path` a course at a time, so that a 100,000-session
 * Bundle (~300 MB of JSON) never exists as objects in the writing process. Returns the bytes written.
 */
export function writeSyntheticBundle(path: string, sessions: number): number {
  const fd = openSync(path, 'w');
  let bytes = 0;
  const write = (text: string) => {
    const buffer = Buffer.from(text);
    for (let offset = 0; offset < buffer.length;) offset += writeSync(fd, buffer, offset);
    bytes += buffer.length;
  };
  try {
    write('{"resourceType":"Bundle","type":"collection","entry":[');
    let first = true;
    for (const resources of syntheticResources(sessions)) {
      const entries = resources.map((resource) => JSON.stringify(entryOf(resource))).join(',');
      write(first ? entries : `,${entries}`);
      first = false;
    }
    write(']}');
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** A search answer as an EHR's server gives it; `included` are the `_revinclude` matches, marked as such. */
const searchset = (resources: Resource[], included: Resource[] = [], more = false) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  // A page limited by _count says that more exist.
  ...(more ? { link: [{ relation: 'next', url: `${BASE}/page-2` }] } : {}),
  entry: [
    ...resources.map((resource) => ({ ...entryOf(resource), search: { mode: 'match' } })),
    ...included.map((resource) => ({ ...entryOf(resource), search: { mode: 'include' } })),
  ],
});

const startOf = (r: Resource): number => Date.parse((r.performedPeriod as { start: string } | undefined)?.start ?? '');

/** What a newest-first template asks for (`_count`): the synthetic EHR answers as the template says. */
const countOf = (key: string): number => Number(/_count=(\d+)/.exec(PREFETCH[key]!.template)?.[1]);
const RECORDS_COUNT = countOf('ammRecords');
const FRACTIONS_COUNT = countOf('latestFractions');

/**
 * An encounter-discharge request for session `index` (by default the last: the session that just ended) of a course
 * of `sessions` AMM fractions, with every prefetch key
 * filled as an EHR honouring the templates would fill it (cds-services/encounter-discharge/definition.ts): the
 * session's procedures, the five latest fractions, the ten latest AMM records, the orders, the coverage, and the
 * signatures through _revinclude.
 */
export function dischargeRequest(sessions = 35, index = sessions - 1) {
  const c = course(0, sessions);
  const of = (...types: string[]) => c.resources.filter((r) => types.includes(r.resourceType));
  const encounter = `Encounter/${c.encounters[index]}`;
  const session = of('Procedure').filter((p) => (p.encounter as { reference: string }).reference === encounter);
  const newestFirst = (rs: Resource[]) => [...rs].sort((a, b) => startOf(b) - startOf(a));
  const latestFractions = newestFirst(of('Procedure')).slice(0, FRACTIONS_COUNT);
  const records = of('DocumentReference');
  const recordStart = (d: Resource) => Date.parse((d.context as { period: { start: string } }).period.start);
  const latestRecords = [...records].sort((a, b) => recordStart(b) - recordStart(a)).slice(0, RECORDS_COUNT);
  const targeting = (rs: Resource[]) => {
    const refs = new Set(rs.map((r) => `${r.resourceType}/${r.id}`));
    return of('Provenance').filter((p) => refs.has((p.target as { reference: string }[])[0]!.reference));
  };
  return {
    hook: 'encounter-discharge',
    hookInstance: '0c7ad3a5-6d43-4a2c-9a3b-1e2f3a4b5c6d',
    context: { userId: 'Practitioner/dr', patientId: c.patient, encounterId: c.encounters[index] },
    prefetch: {
      encounter: c.resources.find((r) => r.id === c.encounters[index]),
      sessionProcedures: searchset(session),
      latestFractions: searchset(latestFractions, [], sessions > FRACTIONS_COUNT),
      treatmentOrders: searchset(of('ServiceRequest')),
      ammRecords: searchset(latestRecords, [], records.length > RECORDS_COUNT),
      coverage: searchset(of('Coverage')),
      fractionSignatures: searchset(session, targeting(session)),
      ammRecordSignatures: searchset(latestRecords, targeting(latestRecords), records.length > RECORDS_COUNT),
    },
  };
}
