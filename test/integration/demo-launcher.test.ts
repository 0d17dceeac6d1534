import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startService, type RunningService } from '../../src/start.js';
import { demoPatient } from '../helpers/cases.js';

/**
 * The demo FHIR server behind the SMART reference launcher (smart-launcher-v2): the queries its patient picker,
 * encounter picker and automatic encounter selection send (src/components/*Picker, backend/routes/auth/
 * authorize.ts getFirstEncounterId), and reference searches with a bare id as FHIR servers answer them.
 */
let service: RunningService;
let fhir: string;
beforeAll(async () => {
  service = await startService(loadConfig({ PORT: '0', DEMO: 'on', FEEDBACK_DB_PATH: ':memory:', LOG_LEVEL: 'silent' }), pino({ level: 'silent' }));
  fhir = `${service.url}/fhir`;
}, 30_000);
afterAll(() => service.close());

type Bundle = { resourceType: string; total?: number; entry?: { resource: { resourceType: string; id: string; period?: { start?: string } } }[] };
const search = async (query: string): Promise<Bundle> => {
  const res = await fetch(`${fhir}/${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Bundle;
};
const ids = (bundle: Bundle) => (bundle.entry ?? []).map((e) => e.resource.id);
const A4 = demoPatient('a4');

describe('the demo FHIR server answers the SMART launcher', () => {
  it('encounter picker: Encounter?patient=<bare id>, newest first', async () => {
    const bundle = await search(`Encounter?_count=10&patient=${A4}&_sort:desc=date`);
    expect(ids(bundle)).toEqual(['a4-enc-2', 'a4-enc-1']);
  });

  it('automatic encounter: Encounter/?_count=1&_sort:desc=date&patient=<id> gives the latest', async () => {
    expect(ids(await search(`Encounter/?_count=1&_sort:desc=date&patient=${A4}`))).toEqual(['a4-enc-2']);
  });

  it('patient picker: a summary page, by name, by id list', async () => {
    expect(ids(await search('Patient?_format=json&_summary=true&_count=10&_sort:desc=birthdate')).length).toBeGreaterThanOrEqual(8);
    expect(ids(await search('Patient?_format=json&_summary=true&_count=10&_sort:asc=family&name:contains=Unsigned')).sort()).toEqual([
      demoPatient('am'),
      demoPatient('ig'),
    ]);
    expect(ids(await search(`Patient?_summary=true&_count=10&_id=${A4},${demoPatient('a1')}`)).sort()).toEqual([demoPatient('a1'), A4]);
  });

  it.each(['Encounter?patient', 'Procedure?patient', 'Procedure?subject', 'ServiceRequest?patient', 'Coverage?beneficiary', 'Coverage?patient'])(
    '%s=<bare id> finds what =Patient/<id> finds',
    async (prefix) => {
      const bare = ids(await search(`${prefix}=${A4}`)).sort();
      expect(bare.length).toBeGreaterThan(0);
      expect(bare).toEqual(ids(await search(`${prefix}=Patient/${A4}`)).sort());
    },
  );

  it('a type modifier names the type (subject:Patient=<id>); an unknown id finds nothing', async () => {
    expect(ids(await search(`Procedure?subject:Patient=${A4}`))).toEqual(ids(await search(`Procedure?subject=Patient/${A4}`)));
    expect(ids(await search('Encounter?patient=no-such-patient'))).toEqual([]);
  });
});
