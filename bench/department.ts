/**
 * A generated department as a FHIR Bulk Data export (one NDJSON file per resource type): courses of 35 weekday
 * fractions started over five months at two locations, a third with AMM (77412), some 2D (77402), the rest IMRT
 * (77407); the record-and-verify system's charges on file, some wrong on purpose (a level too high, a 77387-26
 * missed, a deleted G-code, a duplicate, 77412 for a session whose AMM record is missing); courses still under way
 * at the snapshot with their last images not yet approved. Written one patient at a time: memory stays flat.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { course, TWO_D, type Resource } from './synthetic.js';

const CPT = 'http://www.ama-assn.org/go/cpt';
const HCPCS = 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
const POS = 'https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set';
/** The export's snapshot: courses that would end later are still under way. */
const SNAPSHOT = Date.parse('2026-06-30T23:59:59Z');
const FIRST_START = Date.parse('2026-01-05T08:00:00Z');

export interface DepartmentStats {
  readonly patients: number;
  readonly sessions: number;
  readonly resources: number;
  readonly bytes: number;
}

function weekdaysBetween(from: number, to: number): number {
  let count = 0;
  for (let day = from; day <= to; day += 86_400_000) if (![0, 6].includes(new Date(day).getUTCDay())) count += 1;
  return count;
}

const charge = (
  id: string,
  patient: string,
  codes: { system: string; code: string }[],
  date: string,
  encounter: string,
  fraction: string,
): Resource => ({
  resourceType: 'ChargeItem',
  id,
  identifier: [{ system: 'https://bench.example/charge', value: id }],
  status: 'billable',
  code: { coding: codes },
  subject: { reference: patient },
  occurrenceDateTime: date.slice(0, 10),
  quantity: { value: 1 },
  context: { reference: `Encounter/${encounter}` },
  service: [{ reference: `Procedure/${fraction}` }],
});

/** One patient's resources: the course and the charges on file. */
export function departmentPatient(index: number, fractions = 35): { resources: Resource[]; sessions: number } {
  const amm = index % 3 === 0;
  const twoD = !amm && index % 9 === 4;
  // Starts spread over five months in a scrambled order: any slice of patients has early and late courses.
  const start = FIRST_START + ((index * 37) % 150) * 86_400_000;
  const sessions = Math.max(1, Math.min(fractions, weekdaysBetween(start, SNAPSHOT)));
  const underWay = sessions < fractions;
  const missingRecord = amm && index % 11 === 1 ? [3] : [];
  const { resources, encounters, patient } = course(index, sessions, {
    start: new Date(start).toISOString(),
    amm,
    ...(twoD ? { technique: TWO_D } : {}),
    location: index % 3 === 1 ? 'satellite' : 'main',
    weekdays: true,
    unsignedLast: underWay,
    withoutAmmRecord: missingRecord,
  });
  const level = amm ? '77412' : twoD ? '77402' : '77407';
  const ref = `Patient/${patient}`;
  const fractionsOf = resources.filter((r) => r.resourceType === 'Procedure');
  const charges: Resource[] = [];
  encounters.forEach((encounter, s) => {
    const fraction = fractionsOf[s]!;
    const date = (fraction.performedPeriod as { start: string }).start;
    const id = `${patient}-chg-${s}`;
    // Deliberate errors, each on some patients: what a reviewer must find.
    const delivery =
      index % 13 === 5 && s === 7 ? { system: HCPCS, code: 'G6015' } : { system: CPT, code: index % 10 === 3 && s === 5 && !amm ? '77412' : level };
    charges.push(charge(`${id}-d`, ref, [delivery], date, encounter, fraction.id));
    if (index % 17 === 8 && s === 8) charges.push(charge(`${id}-d2`, ref, [delivery], date, encounter, fraction.id));
    const pending = underWay && s === sessions - 1;
    if (!pending && !(index % 7 === 2 && s === 6))
      charges.push(
        charge(
          `${id}-26`,
          ref,
          [
            { system: CPT, code: '77387' },
            { system: CPT, code: '26' },
          ],
          date,
          encounter,
          fraction.id,
        ),
      );
  });
  // The clinic's MRN: an 835 names the patient by it (CLP01).
  const identified = resources.map((r) =>
    r.resourceType === 'Patient' ? { ...r, identifier: [{ system: 'https://bench.example/mrn', value: `MRN-${patient}` }] } : r,
  );
  return { resources: [...identified, ...charges], sessions };
}

/** Medicare 2026 rates the generated payer pays (policies/medicare-national.yaml, non-facility). */
const PAID: Record<string, number> = { '77402': 79.49, '77407': 317.64, '77412': 391.46, '77387-26': 36.74 };

/**
 * One X12 835 per month of service (what a clinic receives from its clearinghouse): a claim per patient and month,
 * a line per charge with its control number (REF*6R), mostly paid at the Medicare rate, some 77387-26 denied CO-97
 * and some 77412 paid $0, so the E rules have work to do. Written as the charges are generated: memory stays flat.
 */
class MonthlyRemittance {
  private readonly files = new Map<string, { stream: WriteStream; segments: number }>();
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  get paths(): string[] {
    return [...this.files.keys()].sort().map((month) => join(this.dir, `${month}.835`));
  }

  async add(index: number, charges: readonly Resource[]): Promise<void> {
    const byMonth = new Map<string, Resource[]>();
    for (const charge of charges) {
      const month = String(charge.occurrenceDateTime).slice(0, 7);
      byMonth.set(month, [...(byMonth.get(month) ?? []), charge]);
    }
    for (const [month, list] of byMonth) {
      const segments: string[] = [];
      const patient = String((list[0]!.subject as { reference: string }).reference).split('/')[1];
      const lines = list.map((charge, n) => {
        const coding = (charge.code as { coding: { code: string }[] }).coding;
        const code = coding.map((c) => c.code).join('-');
        const zero = (index % 19 === 3 && n === 0) || (code === '77387-26' && index % 23 === 4);
        const paid = zero ? 0 : (PAID[code] ?? 0);
        return { charge, code, paid, reason: zero && code === '77387-26' ? '97' : '45' };
      });
      const total = lines.reduce((sum, l) => sum + l.paid, 0);
      segments.push(`CLP*MRN-${patient}*1*${(lines.length * 600).toFixed(2)}*${total.toFixed(2)}**MB*${patient}-${month}*11*1`);
      for (const line of lines) {
        const [cpt, modifier] = line.code.split('-');
        segments.push(`SVC*HC:${cpt}${modifier ? `:${modifier}` : ''}*600.00*${line.paid.toFixed(2)}**1`);
        segments.push(`DTM*472*${String(line.charge.occurrenceDateTime).replaceAll('-', '')}`);
        segments.push(`CAS*CO*${line.reason}*${(600 - line.paid).toFixed(2)}`);
        segments.push(`REF*6R*${line.charge.id as string}`);
      }
      await this.write(month, segments);
    }
  }

  private async write(month: string, segments: readonly string[]): Promise<void> {
    let file = this.files.get(month);
    if (!file) {
      const stream = createWriteStream(join(this.dir, `${month}.835`));
      stream.write(
        [
          'ISA*00*          *00*          *ZZ*PAYERID        *ZZ*CLINICID       *260701*1200*^*00501*000000001*0*P*:',
          'GS*HP*PAYERID*CLINICID*20260701*1200*1*X*005010X221A1',
          'ST*835*0001',
          'N1*PR*MEDICARE PART B',
        ]
          .map((s) => `${s}~\n`)
          .join(''),
      );
      file = { stream, segments: 2 };
      this.files.set(month, file);
    }
    file.segments += segments.length;
    if (!file.stream.write(segments.map((s) => `${s}~\n`).join(''))) await once(file.stream, 'drain');
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.files.values()].map(async (file) => {
        file.stream.end(`SE*${file.segments + 1}*0001~\nGE*1*1~\nIEA*1*000000001~\n`);
        await once(file.stream, 'finish');
      }),
    );
  }
}

const SHARED: Resource[] = [
  { resourceType: 'Practitioner', id: 'dr' },
  { resourceType: 'Organization', id: 'payer' },
  { resourceType: 'Location', id: 'main', name: 'Main campus', type: [{ coding: [{ system: POS, code: '22' }] }] },
  { resourceType: 'Location', id: 'satellite', name: 'Satellite clinic', type: [{ coding: [{ system: POS, code: '11' }] }] },
];

/** Writes `patients` patients as a Bulk Data export into `dir`. */
export async function writeDepartment(
  dir: string,
  patients: number,
  fractions = 35,
  remittanceDir: string | null = null,
): Promise<DepartmentStats & { readonly remittance: readonly string[] }> {
  const remittance = remittanceDir ? new MonthlyRemittance(remittanceDir) : null;
  mkdirSync(dir, { recursive: true });
  const streams = new Map<string, WriteStream>();
  let bytes = 0;
  let resources = 0;
  let sessions = 0;
  const write = async (resource: Resource) => {
    let stream = streams.get(resource.resourceType);
    if (!stream) {
      stream = createWriteStream(join(dir, `${resource.resourceType}.ndjson`));
      streams.set(resource.resourceType, stream);
    }
    const line = `${JSON.stringify(resource)}\n`;
    bytes += Buffer.byteLength(line);
    resources += 1;
    if (!stream.write(line)) await once(stream, 'drain');
  };
  for (const resource of SHARED) await write(resource);
  for (let index = 0; index < patients; index++) {
    const patient = departmentPatient(index, fractions);
    sessions += patient.sessions;
    for (const resource of patient.resources) await write(resource);
    await remittance?.add(
      index,
      patient.resources.filter((r) => r.resourceType === 'ChargeItem'),
    );
  }
  await remittance?.close();
  await Promise.all(
    [...streams.values()].map(async (stream) => {
      stream.end();
      await once(stream, 'finish');
    }),
  );
  return { patients, sessions, resources, bytes, remittance: remittance?.paths ?? [] };
}
