import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.js';
import { scenario } from '../helpers/cases.js';
import { EHR, encounterDischargeRequest, orderSignRequest, resourcesOf } from '../helpers/hook-requests.js';
import { mockFhirServer, useStandInEhr } from '../helpers/mock-fhir.js';

/**
 * A hook answers for context.patientId only. An EHR that sends (or serves) another patient's records for it — a
 * prefetch wired to the wrong patient, an encounter or a draft order of someone else — gets a 400 naming
 * context.patientId, never that patient's codes and authorizations under this one's name.
 */
const { app } = testApp();
const DISCHARGE = '/cds-services/rt-billing-encounter-discharge';
const ORDER_SIGN = '/cds-services/rt-billing-order-sign';
const mine = scenario('a1');
const OTHER_PATIENT = 'a2-pt-40232';

useStandInEhr();

const asOtherPatient = <T extends { context: Record<string, unknown> }>(body: T): T => ({
  ...body,
  context: { ...body.context, patientId: OTHER_PATIENT },
});
const refusal = async (path: string, body: object) => {
  const res = await request(app).post(path).send(body);
  expect(res.status).toBe(400);
  const issue = (res.body as { issue: { expression?: string[]; diagnostics: string }[] }).issue[0]!;
  expect(issue.expression).toEqual(['context.patientId']);
  return issue.diagnostics;
};

describe('records of another patient than context.patientId', () => {
  it('the same request for its own patient is answered (control)', async () => {
    const res = await request(app)
      .post(DISCHARGE)
      .send(encounterDischargeRequest(mine, 'a1-enc-1', { prefetch: true }));
    expect(res.status).toBe(200);
    expect((res.body as { cards: unknown[] }).cards.length).toBeGreaterThan(0);
  });

  it("encounter-discharge with another patient's prefetch: 400, naming the records", async () => {
    const diagnostics = await refusal(DISCHARGE, asOtherPatient(encounterDischargeRequest(mine, 'a1-enc-1', { prefetch: true })));
    expect(diagnostics).toContain('Procedure/a1-fx-1 is Patient/a1-pt-40117');
  });

  it("encounter-discharge for another patient's encounter, read from fhirServer: 400", async () => {
    mockFhirServer(EHR, resourcesOf(mine));
    await refusal(DISCHARGE, asOtherPatient(encounterDischargeRequest(mine, 'a1-enc-1', { prefetch: false, fhirServer: EHR })));
  });

  it("order-sign with another patient's draft order: 400", async () => {
    const diagnostics = await refusal(ORDER_SIGN, asOtherPatient(orderSignRequest(mine, { prefetch: true })));
    expect(diagnostics).toContain('ServiceRequest/a1-rx is Patient/a1-pt-40117');
  });
});
