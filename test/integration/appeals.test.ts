import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appealPackets } from '../../src/appeals/packet.js';
import { read835 } from '../../src/fhir/remittance/x12.js';
import { parseBundle } from '../../src/fhir/parse.js';
import { evaluateEntries } from '../../src/pipeline.js';
import { approval, bundle, cbct, fractionResource, medicarePatient } from '../helpers/bundles.js';
import { cli } from '../helpers/department.js';
import { AS_OF } from '../helpers/facts.js';
import { r4Errors } from '../helpers/fhir-validate.js';

/** Appeal packets (spec E): one per appealable line, the session's evidence only, an R4 DocumentReference. */
const CPT = 'http://www.ama-assn.org/go/cpt';
const charge = (id: string, code: string, modifiers: string[], fx: string, date: string, line: string) => ({
  resourceType: 'ChargeItem',
  id,
  identifier: [{ system: 'https://ehr.example.org/charge', value: line }],
  status: 'billable',
  code: { coding: [{ system: CPT, code }, ...modifiers.map((m) => ({ system: CPT, code: m }))] },
  subject: { reference: 'Patient/p1' },
  occurrenceDateTime: date,
  service: [{ reference: `Procedure/${fx}` }],
});
const withCbct = (id: string, start: string) => fractionResource(id, start, { extension: [...fractionResource('x', null).extension, cbct()] });
const RECORD = bundle([
  ...medicarePatient('MRN-SECRET-1'),
  withCbct('fx-1', '2026-03-02T15:00:00Z'),
  approval('appr-1', 'Procedure/fx-1', '2026-03-02T16:00:00Z'),
  withCbct('fx-2', '2026-03-03T15:00:00Z'),
  approval('appr-2', 'Procedure/fx-2', '2026-03-03T16:00:00Z'),
  charge('chg-1', '77407', [], 'fx-1', '2026-03-02', 'L1'),
  charge('chg-2', '77387', ['26'], 'fx-1', '2026-03-02', 'L2'),
  charge('chg-3', '77407', [], 'fx-2', '2026-03-03', 'L3'),
  charge('chg-4', '77387', ['26'], 'fx-2', '2026-03-03', 'L4'),
]);

/** The first session's 77387-26 denied CO-97; the rest paid. */
const ERA = [
  'ISA*00*          *00*          *ZZ*PAYERID        *ZZ*CLINICID       *260501*1200*^*00501*000000001*0*P*:',
  'GS*HP*PAYERID*CLINICID*20260501*1200*1*X*005010X221A1',
  'ST*835*0001',
  'N1*PR*MEDICARE PART B',
  'CLP*MRN-SECRET-1*1*1400*672.02**MB*PCN-9*11*1',
  'SVC*HC:77407*600*317.64**1',
  'DTM*472*20260302',
  'REF*6R*L1',
  'SVC*HC:77387:26*100*0**1',
  'DTM*472*20260302',
  'CAS*CO*97*100',
  'REF*6R*L2',
  'LQ*HE*M80',
  'SVC*HC:77407*600*317.64**1',
  'DTM*472*20260303',
  'REF*6R*L3',
  'SVC*HC:77387:26*100*36.74**1',
  'DTM*472*20260303',
  'REF*6R*L4',
  'SE*18*0001',
  'GE*1*1',
  'IEA*1*000000001',
]
  .map((s) => `${s}~`)
  .join('\n');

describe('appeal packets', () => {
  const evaluation = evaluateEntries(parseBundle(RECORD), { asOf: AS_OF }, read835(ERA, 'march.835'));
  const packets = appealPackets(evaluation, '2026-05-02T12:00:00Z');

  it('one packet, for the denied 77387-26 of the first session, named by session and code', () => {
    expect(packets.map((p) => p.name)).toEqual(['appeal-2026-03-02-fx-1-77387-26']);
  });

  it('the HTML has the claim line and its denial with CARC wording, the 2026 rule and source, and only that session', () => {
    const html = packets[0]!.html;
    expect(html).toContain('CO-97');
    expect(html).toContain('included in the payment/allowance for another service');
    expect(html).toContain('M80');
    expect(html).toMatch(/professional component \(77387-26\) is separately reportable/);
    expect(html).toContain('001 (ACROinsights 2026 No. 1');
    expect(html).toContain('Procedure/fx-1');
    expect(html).toMatch(/Image approval Procedure\/fx-1/);
    expect(html).not.toContain('fx-2');
    expect(html).not.toContain('MRN-SECRET-1');
  });

  it('the DocumentReference is valid R4, its content the same document', () => {
    const doc = packets[0]!.documentReference as { content: { attachment: { data: string; contentType: string } }[]; subject: unknown };
    expect(r4Errors(doc)).toEqual([]);
    expect(Buffer.from(doc.content[0]!.attachment.data, 'base64').toString('utf8')).toBe(packets[0]!.html);
    expect(doc.subject).toEqual({ reference: 'Patient/p1' });
  });

  it('rt-billing appeal writes the HTML and the DocumentReference', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtb-appeal-'));
    writeFileSync(join(dir, 'record.json'), JSON.stringify(RECORD));
    writeFileSync(join(dir, 'march.835'), ERA);
    const out = join(dir, 'packets');
    const { code, stderr } = await cli(['appeal', join(dir, 'record.json'), join(dir, 'march.835'), '--out', out, '--as-of', AS_OF]);
    expect(code).toBe(0);
    expect(stderr).toContain('1 appeal packet written');
    expect(readdirSync(out).sort()).toEqual(['appeal-2026-03-02-fx-1-77387-26.html', 'appeal-2026-03-02-fx-1-77387-26.json']);
    expect(JSON.parse(readFileSync(join(out, 'appeal-2026-03-02-fx-1-77387-26.json'), 'utf8')).resourceType).toBe('DocumentReference');
  });
});
