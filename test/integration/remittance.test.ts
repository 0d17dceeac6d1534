import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { readRemittanceText } from '../../src/fhir/remittance/read.js';
import { determineBundle } from '../../src/pipeline.js';
import { testApp } from '../helpers/app.js';
import { approval, bundle, cbct, fractionResource, medicarePatient } from '../helpers/bundles.js';
import { cli } from '../helpers/department.js';
import { AS_OF } from '../helpers/facts.js';

/** Remittance through the one pipeline: the CLI with 835 files, the API with an 835 Binary or an EOB (spec E). */

const CPT = 'http://www.ama-assn.org/go/cpt';
const record = (extra: Record<string, unknown>[] = []) =>
  bundle([
    ...medicarePatient('MRN-P1', { subscriberId: 'MBI-P1' }),
    fractionResource('fx-1', '2026-03-02T15:00:00Z', { extension: [...fractionResource('x', null).extension, cbct()] }),
    approval('appr-1', 'Procedure/fx-1', '2026-03-02T16:00:00Z'),
    ...[
      ['chg-1', '77407', [], 'L1'],
      ['chg-2', '77387', ['26'], 'L2'],
    ].map(([id, code, modifiers, line]) => ({
      resourceType: 'ChargeItem',
      id,
      identifier: [{ system: 'https://ehr.example.org/charge', value: line }],
      status: 'billable',
      code: { coding: [{ system: CPT, code }, ...(modifiers as string[]).map((m) => ({ system: CPT, code: m }))] },
      subject: { reference: 'Patient/p1' },
      occurrenceDateTime: '2026-03-02',
      service: [{ reference: 'Procedure/fx-1' }],
    })),
    ...extra,
  ]);

/** 77407 paid $0 with only CO-45 (E-ZERO-PAY), 77387-26 paid in full. */
const ERA = [
  'ISA*00*          *00*          *ZZ*PAYERID        *ZZ*CLINICID       *260501*1200*^*00501*000000001*0*P*:',
  'GS*HP*PAYERID*CLINICID*20260501*1200*1*X*005010X221A1',
  'ST*835*0001',
  'N1*PR*MEDICARE PART B',
  'CLP*MRN-P1*1*700*36.74**MB*PCN-1*11*1',
  'SVC*HC:77407*600*0**1',
  'DTM*472*20260302',
  'CAS*CO*45*600',
  'REF*6R*L1',
  'SVC*HC:77387:26*100*36.74**1',
  'DTM*472*20260302',
  'CAS*CO*45*63.26',
  'REF*6R*L2',
  'SE*12*0001',
  'GE*1*1',
  'IEA*1*000000001',
]
  .map((s) => `${s}~`)
  .join('\n');
const BROKEN_ERA = ERA.replace('SE*12*0001~\n', '');

const rules = (findings: readonly { rule: string }[]) => findings.map((f) => f.rule);

describe('CLI: rt-billing evaluate BUNDLE REMITTANCE...', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtb-remit-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const bundleFile = write('p1.bundle.json', JSON.stringify(record()));

  it('an 835 beside the Bundle: one determination, E-ZERO-PAY on the session, the remittance lines listed', async () => {
    const { code, stdout } = await cli(['evaluate', bundleFile, write('march.835', ERA), '--as-of', AS_OF]);
    expect(code).toBe(0);
    const determination = JSON.parse(stdout);
    expect(rules(determination.sessions[0].findings)).toContain('E-ZERO-PAY');
    expect(determination.remittance).toHaveLength(2);
    expect(determination.remittance[0]).toMatchObject({
      matchedBy: 'control-number',
      charge: 'ChargeItem/chg-1',
      rule: 'E-ZERO-PAY',
      appealable: true,
    });
  });

  it('a malformed 835: named by file and segment on stderr, exit 3, the other remittance still evaluated', async () => {
    const { code, stdout, stderr } = await cli(['evaluate', bundleFile, write('bad.835', BROKEN_ERA), write('good.835', ERA), '--as-of', AS_OF]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/bad\.835, segment 3: the transaction set has no SE trailer/);
    expect(stderr).not.toContain('MRN-P1');
    expect(rules(JSON.parse(stdout).sessions[0].findings)).toContain('E-ZERO-PAY');
  });

  it('a ClaimResponse (use claim) in a .remit.json answers a Claim of the record: its codes and lines come from that Claim', async () => {
    const cpt = (code: string) => ({ coding: [{ system: CPT, code }] });
    const withClaim = record().entry.filter((e) => e.resource.resourceType !== 'ChargeItem');
    const claim = {
      resourceType: 'Claim',
      id: 'cl-1',
      status: 'active',
      use: 'claim',
      patient: { reference: 'Patient/p1' },
      created: '2026-03-03',
      item: [
        { sequence: 1, productOrService: cpt('77407'), servicedDate: '2026-03-02' },
        { sequence: 2, productOrService: cpt('77387'), modifier: [cpt('26')], servicedDate: '2026-03-02' },
      ],
    };
    const file = write(
      'claim.bundle.json',
      JSON.stringify({ ...record(), entry: [...withClaim, { fullUrl: 'https://ehr.example.org/fhir/Claim/cl-1', resource: claim }] }),
    );
    const response = {
      resourceType: 'ClaimResponse',
      id: 'cr-1',
      status: 'active',
      use: 'claim',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      patient: { reference: 'Patient/p1' },
      created: '2026-04-01',
      insurer: { display: 'Medicare' },
      outcome: 'complete',
      request: { reference: 'Claim/cl-1' },
      item: [
        { itemSequence: 1, adjudication: [{ category: { coding: [{ code: 'benefit' }] }, amount: { value: 317.64 } }] },
        {
          itemSequence: 2,
          adjudication: [
            { category: { coding: [{ code: 'benefit' }] }, amount: { value: 0 } },
            { category: { coding: [{ code: 'denied' }] }, reason: { coding: [{ code: 'CO-97' }] }, amount: { value: 100 } },
          ],
        },
      ],
    };
    const { code, stdout } = await cli(['evaluate', file, write('claim.remit.json', JSON.stringify(response)), '--as-of', AS_OF]);
    expect(code).toBe(0);
    const determination = JSON.parse(stdout);
    expect(rules(determination.sessions[0].findings)).toContain('E-DENIED-26');
    expect(determination.remittance[1]).toMatchObject({ matchedBy: 'control-number', charge: 'Claim/cl-1', rule: 'E-DENIED-26' });
  });

  it('a bad policy file in --policies: exit 2 naming the file and field', async () => {
    const policies = mkdtempSync(join(tmpdir(), 'rtb-pol-'));
    writeFileSync(
      join(policies, 'acme.yaml'),
      'id: acme\nversion: 1\nname: Acme\nsource: manual\neffective: { from: 2026-01-01 }\napplies: { payorNames: [Acme] }\nrates:\n  - { code: "77412", amount: lots, from: 2026-01-01 }\n',
    );
    const { code, stderr } = await cli(['evaluate', bundleFile, '--policies', policies, '--as-of', AS_OF]);
    expect(code).toBe(2);
    expect(stderr).toContain('acme.yaml: rates[0].amount');
  });
});

describe('department runs with 835 files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtb-dept-remit-'));
  const input = join(dir, 'bundles');
  mkdirSync(input);
  writeFileSync(join(input, 'p1.json'), JSON.stringify(record()));
  const strangerEra = ERA.replace('CLP*MRN-P1*', 'CLP*MRN-NOT-HERE*');
  writeFileSync(join(dir, 'march.835'), ERA);
  writeFileSync(join(dir, 'stranger.835'), strangerEra);

  it('each patient takes the claims that match it; a claim of no patient is an E-UNMATCHED error record', async () => {
    const { code, stdout } = await cli([
      'evaluate',
      input,
      join(dir, 'march.835'),
      join(dir, 'stranger.835'),
      '--format',
      'ndjson',
      '--as-of',
      AS_OF,
    ]);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const patient = lines.find((l) => l.patient === 'Patient/p1') as unknown as {
      sessions: { findings: { rule: string }[] }[];
      remittance: unknown[];
    };
    expect(rules(patient.sessions[0]!.findings)).toContain('E-ZERO-PAY');
    expect(patient.remittance).toHaveLength(2);
    const unmatched = lines.filter((l) => 'error' in l).map((l) => (l.error as { message: string }).message);
    expect(unmatched).toEqual([expect.stringMatching(/^E-UNMATCHED: the remittance claim at stranger\.835 segment 5/)]);
    expect(unmatched[0]).not.toContain('MRN-NOT-HERE');
    expect(code).toBe(3);
  });

  it('the report has a denials section: by payer, reason, code and rule, the appealable and recoverable amounts', async () => {
    const html = join(dir, 'report.html');
    await cli(['report', input, join(dir, 'march.835'), '--html', html, '--as-of', AS_OF]);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Denials and payments (E rules)');
    expect(page).toMatch(/E-ZERO-PAY/);
    // 77407 at the Medicare non-facility rate $317.64, paid $0: denied, appealable and recoverable.
    expect(page).toMatch(/Denied or short-paid: <strong>\$317\.64<\/strong>/);
    expect(page).toMatch(/of which <strong>\$317\.64<\/strong> recoverable/);
  });
});

describe('API: remittance in the Bundle', () => {
  const binary = (text: string) => ({
    resourceType: 'Binary',
    id: 'era',
    contentType: 'application/EDI-X12',
    data: Buffer.from(text).toString('base64'),
  });

  it('an 835 Binary entry is joined; a malformed one is a 400 naming the entry and segment, not its content', async () => {
    const { app } = testApp();
    const ok = await request(app)
      .post('/api/v1/evaluate')
      .send(record([binary(ERA)]));
    expect(ok.status).toBe(200);
    expect(rules(ok.body.sessions[0].findings)).toContain('E-ZERO-PAY');
    const bad = await request(app)
      .post('/api/v1/evaluate')
      .send(record([binary(BROKEN_ERA)]));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/segment 3/);
    expect(JSON.stringify(bad.body)).not.toContain('MRN-P1');
  });

  it('an ExplanationOfBenefit denying 77387-26 (CARC 97) on a billable session: E-DENIED-26', async () => {
    const eob = {
      resourceType: 'ExplanationOfBenefit',
      id: 'eob-1',
      status: 'active',
      use: 'claim',
      patient: { reference: 'Patient/p1' },
      insurer: { display: 'Medicare' },
      item: [
        {
          sequence: 2,
          productOrService: { coding: [{ system: CPT, code: '77387' }] },
          modifier: [{ coding: [{ system: CPT, code: '26' }] }],
          servicedDate: '2026-03-02',
          adjudication: [
            { category: { coding: [{ code: 'submitted' }] }, amount: { value: 100 } },
            { category: { coding: [{ code: 'benefit' }] }, amount: { value: 0 } },
            { category: { coding: [{ code: 'denied' }] }, reason: { coding: [{ code: '97' }] }, amount: { value: 100 } },
          ],
        },
      ],
    };
    const { app } = testApp();
    const res = await request(app)
      .post('/api/v1/evaluate')
      .send(record([eob]));
    expect(res.status).toBe(200);
    expect(rules(res.body.sessions[0].findings)).toContain('E-DENIED-26');
    expect(res.body.remittance[0]).toMatchObject({ matchedBy: 'patient-date-code', charge: 'ChargeItem/chg-2' });
  });

  it('GET /rules lists the payer policies in force', async () => {
    const { app } = testApp();
    const res = await request(app).get('/rules').set('Accept', 'application/json');
    expect(res.body.policies.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining(['medicare-national', 'medicaid-tx', 'nia-managed']));
    expect(res.body.rules.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining(['E-DENIED-26', 'P-MATCH', 'P-EDIT']));
    const html = await request(app).get('/rules').set('Accept', 'text/html');
    expect(html.text).toContain('Payer policies in force');
  });
});

const REMIT_DIR = fileURLToPath(new URL('../../../shared/cases-remit/', import.meta.url));

describe.skipIf(!existsSync(REMIT_DIR))('remittance golden cases (../shared/cases-remit)', () => {
  const names = existsSync(REMIT_DIR)
    ? readdirSync(REMIT_DIR)
        .filter((f) => f.endsWith('.bundle.json'))
        .map((f) => f.replace('.bundle.json', ''))
    : [];
  it.each(names)('%s', (name) => {
    const companions = readdirSync(REMIT_DIR).filter((f) => f.startsWith(`${name}.`) && (f.endsWith('.835') || f.endsWith('.remit.json')));
    const claims = companions.flatMap((f) => readRemittanceText(readFileSync(join(REMIT_DIR, f), 'utf8'), f));
    const expected = JSON.parse(readFileSync(join(REMIT_DIR, `${name}.expected.json`), 'utf8')) as {
      sessions: { fractions: string[]; findingRules: string[]; absentFindingRules: string[] }[];
      topFindingRules: string[];
      absentTopFindingRules: string[];
    };
    const determination = determineBundle(JSON.parse(readFileSync(join(REMIT_DIR, `${name}.bundle.json`), 'utf8')), { asOf: AS_OF }, claims);
    for (const s of expected.sessions) {
      const session = determination.sessions.find((g) => g.fractions.join() === s.fractions.join())!;
      for (const rule of s.findingRules) expect([...rules(session.findings), ...rules(determination.findings)]).toContain(rule);
      for (const rule of s.absentFindingRules) expect(rules(session.findings)).not.toContain(rule);
    }
    for (const rule of expected.topFindingRules) expect(rules(determination.findings)).toContain(rule);
    for (const rule of expected.absentTopFindingRules) expect(rules(determination.findings)).not.toContain(rule);
  });
});
