import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { DETERMINATION_EXTENSION } from '../../src/cds/cards.js';
import type { Card, CdsResponse } from '../../src/cds/types.js';
import type { Finding, SessionDetermination } from '../../src/engine/types.js';
import { determineBundle } from '../../src/pipeline.js';
import { testApp } from '../helpers/app.js';
import { codesCardOf, sessionOf as sessionOfCard } from '../helpers/cards.js';
import { scenario } from '../helpers/cases.js';
import { EHR, encounterDischargeRequest, orderSignRequest, resourcesOf, type Resource } from '../helpers/hook-requests.js';
import { mockFhirServer, useStandInEhr } from '../helpers/mock-fhir.js';

/**
 * A record the service could read only in part — a page it could not follow, a plan or prescription that failed to
 * load, a signer's role it could not resolve, an EHR that reported a prefetch error — says "could not be checked",
 * never a lower code, a guessed fact or a lost charge (billing-rules.md, "Evidence that could not be read").
 */
const { app } = testApp();
const DISCHARGE = '/cds-services/rt-billing-encounter-discharge';
const ORDER_SIGN = '/cds-services/rt-billing-order-sign';

useStandInEhr();

const record = (name: string) => ({
  bundle: JSON.parse(readFileSync(new URL(`../fixtures/partly-read/${name}.json`, import.meta.url), 'utf8')) as unknown,
});
const without = (golden: { bundle: unknown }, ...refs: string[]): Resource[] =>
  resourcesOf(golden).filter((r) => !refs.includes(`${r.resourceType}/${r.id}`));
const sessionOf = (body: CdsResponse): SessionDetermination => sessionOfCard(codesCardOf(body.cards)!);
const rulesOf = (session: SessionDetermination) => session.findings.map((f) => f.rule);
const post = async (path: string, body: unknown) => {
  const res = await request(app)
    .post(path)
    .send(body as object);
  expect(res.status).toBe(200);
  return res.body as CdsResponse;
};

describe('a prescription chain read only in part', () => {
  const golden = record('phase-and-course-prescriptions');

  it('the record read whole: 77412 by D-3-AMM, no finding', () => {
    const [session] = determineBundle(golden.bundle, { asOf: '2026-11-25' }).sessions;
    expect(session).toMatchObject({ deliveryCode: '77412', supportedDeliveryCode: '77412', findings: [] });
  });

  const cases: [string, Parameters<typeof encounterDischargeRequest>[2], string | null][] = [
    ['the orders prefetch paginated and no fhirServer', { prefetch: { pageSize: 2 } }, null],
    ['the course prescription failing on the FHIR server', { prefetch: { omit: ['treatmentOrders'] }, fhirServer: EHR }, 'ServiceRequest/rx-course'],
  ];
  it.each(cases)('%s: A-ORDER "could not be checked", 77412 kept, no false A-NEED, nothing critical', async (_label, options, fail) => {
    if (fail) mockFhirServer(EHR, without(golden, fail));
    const body = await post(DISCHARGE, encounterDischargeRequest(golden, 'e1', options));
    const session = sessionOf(body);
    expect(session).toMatchObject({ deliveryCode: '77412', supportedDeliveryCode: '77412' });
    expect(session.findings.find((f) => f.rule === 'A-ORDER')).toMatchObject({ severity: 'warning', couldNotBeChecked: true });
    expect(rulesOf(session)).not.toContain('A-NEED');
    expect(body.cards.filter((c) => c.indicator === 'critical')).toEqual([]);
  });

  it('CLI/API: a Bundle without the course prescription is "could not be checked" too, naming it', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: without(golden, 'ServiceRequest/rx-course').map((resource) => ({ resource })),
    };
    const [session] = determineBundle(bundle, { asOf: '2026-11-25' }).sessions;
    expect(session!.supportedDeliveryCode).toBe('77412');
    const order = session!.findings.find((f) => f.rule === 'A-ORDER')!;
    expect(order).toMatchObject({ couldNotBeChecked: true });
    expect(order.message).toContain('ServiceRequest/rx-course');
  });
});

describe('D-UNKNOWN when the plan holding a fact could not be read', () => {
  const golden = record('isocenters-on-plan');

  it('the record read whole: 77412 by D-3-ISO (two isocenters, on the plan)', () => {
    expect(determineBundle(golden.bundle, { asOf: '2026-11-25' }).sessions[0]).toMatchObject({ deliveryCode: '77412', deliveryRule: 'D-3-ISO' });
  });

  it('plans not sent and no fhirServer: no isocenter count is guessed; a warning card that says what to supply', async () => {
    const body = await post(DISCHARGE, encounterDischargeRequest(golden, 'e1', { prefetch: { omit: ['treatmentOrders'] } }));
    const session = sessionOf(body);
    expect(session).toMatchObject({ deliveryCode: null, deliveryRule: 'D-UNKNOWN' });
    const unknown = session.findings.find((f) => f.rule === 'D-UNKNOWN')!;
    expect(unknown).toMatchObject({ severity: 'warning', couldNotBeChecked: true });
    expect(unknown.message).toMatch(/isocenter count .*ServiceRequest\/plan.* could not be read/);
    expect(body.cards[0]).toMatchObject({ indicator: 'warning' });
    expect(body.cards[0]!.summary).toContain('could not be derived');
    expect(body.cards.map((c) => c.summary).join(' ')).not.toMatch(/missing/i);
  });

  it('a plan that fails to load is asked once, not once per level of the chain', async () => {
    const server = mockFhirServer(EHR, without(golden, 'ServiceRequest/plan'));
    await post(DISCHARGE, encounterDischargeRequest(golden, 'e1', { prefetch: { omit: ['treatmentOrders'] }, fhirServer: EHR }));
    expect(server.requests.filter((r) => r.path.endsWith('/ServiceRequest/plan'))).toHaveLength(1);
  });
});

describe('I-SIGN: a signer whose PractitionerRole could not be read', () => {
  it('signed first, in time, the attending after the next beam-on: "could not be checked", never "77387-26 lost"', async () => {
    const golden = record('unreadable-role-signs-first');
    const body = await post(DISCHARGE, encounterDischargeRequest(golden, 'enc-1', { prefetch: true }));
    const session = sessionOf(body);
    expect(session.igrtStatus).toBe('pending');
    const sign = session.findings.find((f) => f.rule === 'I-SIGN')!;
    expect(sign).toMatchObject({ severity: 'warning', couldNotBeChecked: true });
    expect(sign.message).toContain('Supply PractitionerRole/pr-9');
    expect(body.cards.filter((c) => c.indicator === 'critical')).toEqual([]);
  });
});

describe('a prefetch Bundle whose entry is an error OperationOutcome', () => {
  const golden = scenario('a4');
  const failed = {
    resourceType: 'Bundle',
    type: 'searchset',
    entry: [{ resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout' }] }, search: { mode: 'outcome' } }],
  };
  const withErrors = () => {
    const body = encounterDischargeRequest(golden, 'a4-enc-1', { prefetch: true }) as { prefetch: Record<string, unknown> };
    body.prefetch.ammRecords = failed;
    body.prefetch.ammRecordSignatures = failed;
    return body;
  };

  it('no fhirServer: the AMM records "could not be checked", not missing, and 77412 stays', async () => {
    const session = sessionOf(await post(DISCHARGE, withErrors()));
    expect(session.supportedDeliveryCode).toBe('77412');
    expect(session.findings.find((f) => f.rule === 'A-RECORD')).toMatchObject({ couldNotBeChecked: true });
  });

  it('with a fhirServer: the key is searched there, as for an OperationOutcome in place of the Bundle', async () => {
    const server = mockFhirServer(EHR, resourcesOf(golden));
    const complete = sessionOf(await post(DISCHARGE, encounterDischargeRequest(golden, 'a4-enc-1', { prefetch: true })));
    const session = sessionOf(
      await post(DISCHARGE, {
        ...withErrors(),
        fhirServer: EHR,
        fhirAuthorization: { access_token: 't', token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'x' },
      }),
    );
    expect(server.requests.some((r) => r.path.includes('DocumentReference?'))).toBe(true);
    expect(session).toMatchObject({ supportedDeliveryCode: complete.supportedDeliveryCode, igrtStatus: complete.igrtStatus });
    expect(rulesOf(session)).toEqual(rulesOf(complete));
  });

  it('an outcome that only warns about the search leaves the answer as it is', async () => {
    const body = encounterDischargeRequest(golden, 'a4-enc-1', { prefetch: true }) as { prefetch: Record<string, { entry: unknown[] }> };
    body.prefetch.ammRecords!.entry.push({
      resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code: 'informational' }] },
      search: { mode: 'outcome' },
    });
    expect(rulesOf(sessionOf(await post(DISCHARGE, body)))).not.toContain('A-RECORD');
  });
});

describe('77387-26 when the AMM records could not be read and the next fraction has begun', () => {
  it('the card does not say "once the guidance is signed": it is not confirmed, and A-RECORD says what decides it', async () => {
    const golden = scenario('am');
    const body = await post(DISCHARGE, encounterDischargeRequest(golden, 'am-enc-1', { prefetch: { omit: ['ammRecords', 'ammRecordSignatures'] } }));
    expect(body.cards[0]!.summary).toContain('77387-26 not confirmed');
    expect(body.cards[0]!.summary).not.toContain('once the guidance is signed');
    const record = sessionOf(body).findings.find((f) => f.rule === 'A-RECORD')!;
    expect(record.message).toMatch(/next fraction began .*: whether 77387-26 is billable depends on/);
  });
});

describe('D-COUNT at encounter-discharge (scenario x6: a phase reports 3 fractions, the record holds 2)', () => {
  const x6 = scenario('x6');

  it("with every fraction of the course in hand: D-COUNT for the session's phase, an information card (a feed problem)", async () => {
    const body = await post(DISCHARGE, encounterDischargeRequest(x6, 'x6-enc-2', { prefetch: true }));
    const phaseCard = body.cards.find((c) => c.source.topic?.code === 'D-COUNT')!;
    expect(phaseCard.indicator).toBe('info');
    const part = phaseCard.extension![DETERMINATION_EXTENSION] as { phase: string; findings: Finding[] };
    expect(part.phase).toBe('Procedure/x6-phase-1');
    expect(part.findings[0]!.message).toMatch(/reports 3 fractions delivered, but the record holds Treated Fractions for 2 sessions/);
  });

  it('with only a window of the latest fractions (more pages): no count, so nothing is called missing', async () => {
    const body = encounterDischargeRequest(x6, 'x6-enc-2', { prefetch: true }) as {
      prefetch: Record<string, Record<string, unknown>>;
    };
    body.prefetch.latestFractions!.link = [{ relation: 'next', url: `${EHR}/Procedure?page=2` }];
    const answer = await post(DISCHARGE, body);
    expect(answer.cards.length).toBeGreaterThan(0);
    expect(answer.cards.some((c) => c.source.topic?.code === 'D-COUNT')).toBe(false);
  });
});

describe('coverage that could not be read is not "no coverage on file"', () => {
  it('order-sign without the coverage key: the authorization request says it could not be read', async () => {
    const golden = scenario('au');
    const body = await post(ORDER_SIGN, orderSignRequest(golden, { prefetch: { omit: ['coverage'] } }));
    const texts = JSON.stringify(body.cards.flatMap((c: Card) => c.suggestions ?? []));
    expect(texts).toContain('could not be read');
    expect(texts).not.toContain('No active coverage is on file');
  });
});
