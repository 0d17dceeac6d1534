import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { DETERMINATION_EXTENSION } from '../../src/cds/cards.js';
import type { CdsResponse } from '../../src/cds/types.js';
import type { SessionDetermination } from '../../src/engine/types.js';
import { testApp } from '../helpers/app.js';

/**
 * encounter-discharge gathers the session's AMM records and their signatures from prefetch keys before the engine
 * sees them: what it keeps must be what the engine would resolve (FHIR reference rules: Type/id, absolute URL,
 * urn:uuid fullUrl), and every copy of a resource it receives is checked. From an outside review of the
 * performance work (each of these once changed the answer or the status).
 */
const { app } = testApp();
const DISCHARGE = '/cds-services/rt-billing-encounter-discharge';
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/discharge-references/${name}.json`, import.meta.url), 'utf8')) as object;
const sessionOf = (body: CdsResponse): SessionDetermination => body.cards[0]!.extension![DETERMINATION_EXTENSION] as SessionDetermination;

describe('encounter-discharge: records and signatures however they point at their target', () => {
  it('a Provenance signing the AMM record, found in the prefetch under its urn:uuid: 77412 + 77387-26 billable', async () => {
    const res = await request(app).post(DISCHARGE).send(fixture('signature-by-urn-uuid'));
    expect(res.status).toBe(200);
    expect(sessionOf(res.body as CdsResponse)).toMatchObject({ deliveryCode: '77412', supportedDeliveryCode: '77412', igrtStatus: 'billable' });
  });

  it("an AMM record whose context.related is the fraction's urn:uuid fullUrl is the session's, with its signature", async () => {
    const res = await request(app).post(DISCHARGE).send(fixture('record-relates-by-urn-uuid'));
    expect(res.status).toBe(200);
    const session = sessionOf(res.body as CdsResponse);
    expect(session).toMatchObject({ deliveryCode: '77412', supportedDeliveryCode: '77412', igrtStatus: 'billable' });
    expect(session.findings.map((f) => f.rule)).not.toContain('A-SIGN');
  });
});

describe('encounter-discharge: every copy of a resource is validated', () => {
  it('the session fraction valid in sessionProcedures but invalid in latestFractions: 400 naming the second copy', async () => {
    const res = await request(app).post(DISCHARGE).send(fixture('invalid-copy-in-second-key'));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('prefetch.latestFractions.entry[0].resource.status');
  });

  it('a malformed identifier (an object, not a list) is not read and refuses nothing', async () => {
    const res = await request(app).post(DISCHARGE).send(fixture('malformed-identifier'));
    expect(res.status).toBe(200);
    expect(sessionOf(res.body as CdsResponse)).toMatchObject({ deliveryCode: '77412' });
  });
});
