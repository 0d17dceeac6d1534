import nock from 'nock';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Card, CdsResponse } from '../../src/cds/types.js';
import type { SessionDetermination } from '../../src/engine/types.js';
import { testApp } from '../helpers/app.js';
import { codesCardOf, sessionOf as sessionOfCard } from '../helpers/cards.js';
import { scenario } from '../helpers/cases.js';
import { r4Errors } from '../helpers/fhir-validate.js';
import { EHR, encounterDischargeRequest, orderSignRequest, resourcesOf } from '../helpers/hook-requests.js';
import { mockFhirServer, useStandInEhr } from '../helpers/mock-fhir.js';

/**
 * The hooks under the behaviours of real EHRs (issue: "Hooks that stay right with real EHRs"): a FHIR server that
 * ignores _revinclude, prefetch filled only for the recommended queries, `null` values, paginated prefetch, an
 * unreachable fhirServer, a newer client's unknown fields. Through the hook endpoints, against a stand-in server.
 */
const { app } = testApp();
const DISCHARGE = '/cds-services/rt-billing-encounter-discharge';
const ORDER_SIGN = '/cds-services/rt-billing-order-sign';

useStandInEhr();

/** Who discharges the session in the Task tests: not the ordering physician (who is offered a link to sign instead). */
const THERAPIST = 'Practitioner/therapist-1';

const sessionOf = (body: CdsResponse): SessionDetermination => sessionOfCard(codesCardOf(body.cards)!);
const everyFinding = (body: CdsResponse) => sessionOf(body).findings;
/** encounter-discharge for a scenario (by its tag) and one of its encounters. */
const discharge = async (tag: string, encounter: string, options: Parameters<typeof encounterDischargeRequest>[2]) => {
  const res = await request(app)
    .post(DISCHARGE)
    .send(encounterDischargeRequest(scenario(tag), encounter, options));
  expect(res.status).toBe(200);
  return res.body as CdsResponse;
};

/** The first sessions the issue names, each fully documented or with its next fraction recorded. */
const FIRST_SESSIONS = [
  ['a4', 'a4-enc-1'],
  ['am', 'am-enc-1'],
  ['ig', 'ig-enc-1'],
  ['a2', 'a2-enc-1'],
] as const;

describe('an EHR whose FHIR server silently ignores _revinclude, and no fhirServer', () => {
  it.each(FIRST_SESSIONS)(
    '%s %s: signatures "could not be checked" — no critical, nothing "missing" or "lost", the code kept',
    async (name, encounter) => {
      const complete = await discharge(name, encounter, { prefetch: true });
      const body = await discharge(name, encounter, { prefetch: { revinclude: false } });
      const session = sessionOf(body);
      expect(session.deliveryCode).toBe(sessionOf(complete).deliveryCode);
      expect(session.supportedDeliveryCode).toBe(sessionOf(complete).supportedDeliveryCode);
      expect(body.cards.filter((c) => c.indicator === 'critical')).toEqual([]);
      expect(session.igrtStatus).not.toBe('not-supportable');
      const unchecked = session.findings.filter((f) => f.rule === 'I-SIGN' || f.rule === 'A-SIGN');
      expect(unchecked.length).toBeGreaterThan(0);
      for (const f of unchecked) {
        expect(f).toMatchObject({ severity: 'warning', couldNotBeChecked: true });
        expect(f.message).toContain('could not be checked');
      }
      expect(body.cards.map((c) => c.summary).join(' ')).not.toMatch(/lost|missing/);
    },
  );

  it('a4 session 1: 77412, no A-RECORD (the AMM records come through the recommended query), the signatures unconfirmed', async () => {
    const body = await discharge('a4', 'a4-enc-1', { prefetch: { revinclude: false } });
    expect(sessionOf(body)).toMatchObject({ deliveryCode: '77412', supportedDeliveryCode: '77412', igrtStatus: 'pending' });
    expect(everyFinding(body).map((f) => f.rule)).not.toContain('A-RECORD');
    expect(codesCardOf(body.cards)!.summary).toContain('could not be checked');
  });
});

describe('prefetch filled only for the recommended queries', () => {
  it('with a fhirServer that ignores _revinclude: the service reads Provenance?target= and gets the complete answer', async () => {
    const golden = scenario('a4');
    const complete = await discharge('a4', 'a4-enc-1', { prefetch: true });
    const server = mockFhirServer(EHR, resourcesOf(golden), { revinclude: false });
    const body = await discharge('a4', 'a4-enc-1', { prefetch: { recommendedOnly: true }, fhirServer: EHR });
    expect(sessionOf(body)).toMatchObject({ supportedDeliveryCode: '77412', igrtStatus: 'billable' });
    expect(body.cards.map((c) => c.summary)).toEqual(complete.cards.map((c) => c.summary));
    const provenance = server.requests.filter((r) => r.path.startsWith('/fhir/Provenance?target='));
    expect(provenance.length).toBeGreaterThan(0);
    // Nothing the prefetch held is asked for again.
    expect(server.requests.filter((r) => r.path.startsWith('/fhir/DocumentReference?patient'))).toEqual([]);
  });

  it('without a fhirServer: 200, the signatures "could not be checked"', async () => {
    const body = await discharge('ig', 'ig-enc-1', { prefetch: { recommendedOnly: true } });
    expect(body.cards.filter((c) => c.indicator === 'critical')).toEqual([]);
    expect(sessionOf(body).findings.find((f) => f.rule === 'I-SIGN')).toMatchObject({ couldNotBeChecked: true });
  });
});

describe('null is "no data"', () => {
  it('order-sign for a patient with no authorizations on file (null): cards, and nothing fetched', async () => {
    const server = mockFhirServer(EHR, resourcesOf(scenario('gn')));
    const res = await request(app)
      .post(ORDER_SIGN)
      .send(
        orderSignRequest(scenario('gn'), {
          prefetch: { nulls: ['preauthorizations', 'preauthorizationResponses', 'coverage'] },
          fhirServer: EHR,
        }),
      );
    expect(res.status).toBe(200);
    expect((res.body.cards as Card[]).length).toBeGreaterThan(0);
    expect((res.body.cards as Card[]).map((c) => c.source.topic?.code)).toContain('A-NEED');
    expect(server.requests).toEqual([]);
  });

  it('encounter-discharge with no AMM records on file (null): the record is missing, not "could not be checked"', async () => {
    const body = await discharge('a4', 'a4-enc-1', { prefetch: { nulls: ['ammRecords', 'ammRecordSignatures'] } });
    const record = everyFinding(body).find((f) => f.rule === 'A-RECORD');
    expect(record?.couldNotBeChecked).toBeUndefined();
    expect(record?.message).toContain('no AMM record');
  });
});

describe('a complete prefetch and an unreachable fhirServer', () => {
  it.each(['a4', 'il'])(
    '%s: 200 and the same answer as without a server; only optional facts the prefetch cannot hold are attempted',
    async (name) => {
      const alone = await discharge(name, `${name}-enc-1`, { prefetch: true });
      const attempted: string[] = [];
      nock('https://ehr.example.org')
        .get(/.*/)
        .reply(function refuse(uri) {
          attempted.push(uri.split('?')[0]!);
          return [503, ''];
        })
        .persist();
      const body = await discharge(name, `${name}-enc-1`, { prefetch: true, fhirServer: EHR });
      expect(body.cards.map((c) => [c.summary, c.indicator])).toEqual(alone.cards.map((c) => [c.summary, c.indicator]));
      // The session's Location (zone, site of service), the payer (estimates) and the signers' Practitioners (a
      // physician or not; a signer whose role is not read counts as one) are reachable by no recommended prefetch query.
      expect(attempted.every((path) => /^\/fhir\/(Location|Organization|Practitioner)\//.test(path))).toBe(true);
    },
  );
});

describe('paginated prefetch (a CDS client MAY paginate)', () => {
  it('page 1 plus a next link, with a fhirServer: the pages are read and the answer is the unpaginated one', async () => {
    const golden = scenario('il');
    const alone = await discharge('il', 'il-enc-1', { prefetch: true });
    mockFhirServer(EHR, resourcesOf(golden), { pageSize: 1 });
    const body = await discharge('il', 'il-enc-1', { prefetch: { pageSize: 1 }, fhirServer: EHR });
    expect(body.cards.map((c) => [c.summary, c.indicator])).toEqual(alone.cards.map((c) => [c.summary, c.indicator]));
    expect(sessionOf(body).igrtStatus).toBe(sessionOf(alone).igrtStatus);
  });

  it('a later fraction beyond the first page is still the next beam-on: the loss is still found', async () => {
    const golden = scenario('il');
    const alone = await discharge('il', 'il-enc-1', { prefetch: true });
    expect(sessionOf(alone).igrtStatus).toBe('not-supportable');
    mockFhirServer(EHR, resourcesOf(golden), { pageSize: 1 });
    const body = await discharge('il', 'il-enc-1', { prefetch: { pageSize: 1 }, fhirServer: EHR });
    expect(sessionOf(body).igrtStatus).toBe('not-supportable');
    // Settled (the next fraction began before the approval): a billing notice, as with every page at once.
    expect(body.cards.find((c) => c.source.topic?.code === 'I-SIGN')).toMatchObject({
      indicator: 'warning',
      summary: expect.stringMatching(/^Do not bill 77387-26/),
    });
  });

  it('pages that cannot be followed (no fhirServer): the data is incomplete, said as such, never a lost charge', async () => {
    const body = await discharge('ig', 'ig-enc-1', { prefetch: { pageSize: 1 } });
    expect(body.cards.filter((c) => c.indicator === 'critical')).toEqual([]);
    expect(sessionOf(body).findings.some((f) => f.couldNotBeChecked)).toBe(true);
  });
});

describe('what a newer client sends', () => {
  it('unknown top-level fields are ignored: 200', async () => {
    const body = {
      ...orderSignRequest(scenario('au'), { prefetch: true }),
      futureField: { anything: true },
      extension: { 'org.example.x': 1 },
    };
    const res = await request(app).post(ORDER_SIGN).send(body);
    expect(res.status).toBe(200);
    expect((res.body.cards as Card[]).length).toBeGreaterThan(0);
  });
});

describe('valid FHIR R4 out', () => {
  it('every resource suggested at order-sign (peer-to-peer request, draft preauthorization Claim) is valid R4', async () => {
    const res = await request(app)
      .post(ORDER_SIGN)
      .send(orderSignRequest(scenario('au'), { prefetch: true }));
    const resources = (res.body.cards as Card[]).flatMap((c) => c.suggestions ?? []).flatMap((s) => s.actions.map((a) => a.resource!));
    expect(resources.map((r) => r.resourceType).sort()).toEqual(['Claim', 'CommunicationRequest']);
    for (const resource of resources) expect(r4Errors(resource), resource.resourceType).toEqual([]);
    const claim = resources.find((r) => r.resourceType === 'Claim') as {
      created: string;
      provider: { reference: string };
      insurance: { coverage: { reference: string } }[];
    };
    expect(claim.created).toBe('2026-11-25T12:00:00.000Z');
    expect(claim.provider.reference).toBe('Practitioner/dr-eklund'); // who ordered scenario au
    expect(claim.insurance[0]!.coverage.reference).toMatch(/^Coverage\//);
  });

  it('without coverage on file no valid Claim can be written: a CommunicationRequest asks for the authorization, valid R4', async () => {
    const res = await request(app)
      .post(ORDER_SIGN)
      .send(orderSignRequest(scenario('ac'), { prefetch: { nulls: ['coverage'] } }));
    const resources = (res.body.cards as Card[]).flatMap((c) => c.suggestions ?? []).flatMap((s) => s.actions.map((a) => a.resource!));
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.every((r) => r.resourceType !== 'Claim')).toBe(true);
    for (const resource of resources) expect(r4Errors(resource), resource.resourceType).toEqual([]);
  });

  it('the Task asking the physician to approve images is valid R4, for the ordering physician', async () => {
    const body = await discharge('ig', 'ig-enc-2', { prefetch: true, userId: THERAPIST });
    const task = body.cards.flatMap((c) => c.suggestions ?? []).flatMap((s) => s.actions)[0]!.resource!;
    expect(task).toMatchObject({ resourceType: 'Task', status: 'requested', intent: 'order', focus: { reference: 'Procedure/ig-fx-2' } });
    expect(r4Errors(task)).toEqual([]);
  });

  it('error bodies are plain OperationOutcomes, valid R4', async () => {
    const res = await request(app).post(ORDER_SIGN).send({ hook: 'order-sign' });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body).sort()).toEqual(['issue', 'resourceType']);
    expect(r4Errors(res.body)).toEqual([]);
  });
});

describe('systemActions (CDS_SYSTEM_ACTIONS=physician-tasks, off by default)', () => {
  it('off: the Task is a card suggestion; on: a systemAction, and the card no longer offers it', async () => {
    const off = await discharge('ig', 'ig-enc-2', { prefetch: true, userId: THERAPIST });
    expect(off.systemActions).toBeUndefined();
    const { app: withActions } = testApp({ CDS_SYSTEM_ACTIONS: 'physician-tasks' });
    const res = await request(withActions)
      .post(DISCHARGE)
      .send(encounterDischargeRequest(scenario('ig'), 'ig-enc-2', { prefetch: true, userId: THERAPIST }));
    const body = res.body as CdsResponse;
    expect(body.systemActions).toHaveLength(1);
    expect(body.systemActions![0]).toMatchObject({ type: 'create', resource: { resourceType: 'Task' } });
    expect(r4Errors(body.systemActions![0]!.resource)).toEqual([]);
    expect(body.cards.flatMap((c) => c.suggestions ?? [])).toEqual([]);
  });
});
