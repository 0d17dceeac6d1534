import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DETERMINATION_EXTENSION } from '../../src/cds/cards.js';
import type { Card } from '../../src/cds/types.js';
import { runCli } from '../../src/cli/main.js';
import type { Determination, Finding, OrderDetermination } from '../../src/engine/types.js';
import { CODEX_IG_EXPECTATIONS, type CodexExpectation } from '../fixtures/codex-ig-expectations.js';
import { testApp } from '../helpers/app.js';
import { AS_OF } from '../helpers/facts.js';
import { encounterDischargeRequest, orderSignRequest, type Resource } from '../helpers/hook-requests.js';
import { mockFhirServer } from '../helpers/mock-fhir.js';
import { codesCardOf } from '../helpers/cards.js';
import { sharedAvailable, sharedPath } from '../helpers/shared.js';

/**
 * HL7's own CodeX RT examples (../shared/examples/codex-ig, written by the IG's authors, not for this project),
 * through the CLI, the direct API and both hooks, against expectations written from the spec
 * (test/fixtures/codex-ig-expectations.ts).
 */
const EXAMPLES = sharedPath('examples', 'codex-ig');
const EHR = 'https://ehr.example.org/fhir';
const { app } = testApp();

const bundleOf = (file: string) => JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as { entry: { resource: Resource }[] };
const rules = (findings: readonly Finding[]) => findings.map((f) => f.rule);
const asGolden = (expectation: CodexExpectation) => ({
  name: expectation.file,
  bundle: bundleOf(expectation.file),
  expected: { description: '', rules: [], sessions: [], orders: [] },
});

async function viaCli(file: string): Promise<Determination> {
  let out = '';
  const code = await runCli(
    ['evaluate', join(EXAMPLES, file), '--as-of', AS_OF],
    (text) => (out += text),
    () => undefined,
  );
  expect(code).toBe(0);
  return JSON.parse(out) as Determination;
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterEach(() => nock.cleanAll());

describe.skipIf(!sharedAvailable)('HL7 CodeX RT examples (../shared/examples/codex-ig)', () => {
  it('covers every example bundle, in both date versions', () => {
    const bundles = readdirSync(EXAMPLES).filter((file) => file.endsWith('.bundle.json'));
    expect(bundles.length).toBeGreaterThanOrEqual(10);
    expect(CODEX_IG_EXPECTATIONS.map((e) => e.file).sort()).toEqual(bundles.sort());
  });

  describe.each(CODEX_IG_EXPECTATIONS)('$file', (expectation) => {
    it('the CLI answers as the spec says: sessions, orders, phases and their findings', async () => {
      const result = await viaCli(expectation.file);

      expect(result.sessions).toHaveLength(expectation.sessions.length);
      for (const expected of expectation.sessions) {
        const session = result.sessions.find((s) => s.fractions.join() === expected.fractions.join());
        expect(session, expected.fractions.join()).toBeDefined();
        expect(session).toMatchObject({
          deliveryCode: expected.deliveryCode,
          supportedDeliveryCode: expected.supportedDeliveryCode,
          igrtStatus: expected.igrtStatus,
        });
        expect(rules(session!.findings)).toEqual(expect.arrayContaining([...expected.findingRules]));
      }

      expect(result.orders.map((o) => o.order).sort()).toEqual(expectation.orders.map((o) => o.order).sort());
      for (const expected of expectation.orders) {
        const order = result.orders.find((o) => o.order === expected.order)!;
        expect(order, expected.order).toMatchObject({ expectedDeliveryCode: expected.expectedDeliveryCode, deliveryRule: expected.deliveryRule });
        if (expected.igrtProfessionalExpected !== undefined) expect(order.igrtProfessionalExpected).toBe(expected.igrtProfessionalExpected);
        expect(rules(order.findings)).toEqual(expect.arrayContaining([...expected.findingRules]));
      }

      expect(result.phases.map((p) => p.procedure).sort()).toEqual(expectation.phases.map((p) => p.procedure).sort());
      for (const expected of expectation.phases) {
        const phase = result.phases.find((p) => p.procedure === expected.procedure)!;
        expect(phase).toMatchObject({
          deliveryCode: expected.deliveryCode,
          deliveryRule: expected.deliveryRule,
          fractionsDelivered: expected.fractionsDelivered,
          fractionRecords: expected.fractionRecords,
          igrtProfessional: expected.igrtProfessional,
        });
        if (expected.outOfFamilyContains) expect(phase.outOfFamily).toContain(expected.outOfFamilyContains);
        if (expected.snapshots) expect(phase.snapshots).toEqual(expected.snapshots);
        expect(rules(phase.findings)).toEqual(expect.arrayContaining([...expected.findingRules]));
      }
    });

    it('is never silent about delivered treatment, and raises no FHIR-INPUT on a published code', async () => {
      const result = await viaCli(expectation.file);
      const delivered = bundleOf(expectation.file).entry.filter(
        (e) => e.resource.resourceType === 'Procedure' && ['completed', 'stopped'].includes(String(e.resource.status)),
      );
      expect(delivered.length).toBeGreaterThan(0);
      expect(result.sessions.length + result.phases.length).toBeGreaterThan(0);
      const everyFinding = [
        ...result.findings,
        ...result.sessions.flatMap((s) => s.findings),
        ...result.orders.flatMap((o) => o.findings),
        ...result.phases.flatMap((p) => p.findings),
      ];
      expect(rules(everyFinding)).not.toContain('FHIR-INPUT');
    });

    it('the direct API gives the CLI answer', async () => {
      const res = await request(app)
        .post(`/api/v1/evaluate?asOf=${AS_OF}`)
        .set('content-type', 'application/fhir+json')
        .send(bundleOf(expectation.file));
      expect(res.status).toBe(200);
      expect(res.body).toEqual(await viaCli(expectation.file));
    });

    if (expectation.orders.length > 0)
      it('order-sign with its prescriptions as draft orders: a card per order with the expected code', async () => {
        mockFhirServer(
          EHR,
          bundleOf(expectation.file).entry.map((e) => e.resource),
        );
        const res = await request(app)
          .post('/cds-services/rt-billing-order-sign')
          .send(orderSignRequest(asGolden(expectation), { prefetch: false, fhirServer: EHR }));
        expect(res.status).toBe(200);
        const cards = res.body.cards as Card[];
        for (const expected of expectation.orders) {
          const card = cards.find(
            (c) =>
              (c.extension?.[DETERMINATION_EXTENSION] as OrderDetermination | undefined)?.expectedDeliveryCode !== undefined &&
              (c.extension?.[DETERMINATION_EXTENSION] as OrderDetermination).order === expected.order,
          );
          expect(card, expected.order).toBeDefined();
          expect((card!.extension![DETERMINATION_EXTENSION] as OrderDetermination).deliveryRule).toBe(expected.deliveryRule);
          expect(card!.source.topic?.code).toBe(expected.deliveryRule);
          expect(card!.summary.length).toBeLessThan(140);
          // A course, its phases and plans are signed together: each card names the order it is about.
          expect(card!.detail).toContain(`\`${expected.order}\``);
        }
      });

    if (expectation.encounter !== undefined)
      it('encounter-discharge for its treatment session: the session codes card', async () => {
        mockFhirServer(
          EHR,
          bundleOf(expectation.file).entry.map((e) => e.resource),
        );
        const res = await request(app)
          .post('/cds-services/rt-billing-encounter-discharge')
          .send(encounterDischargeRequest(asGolden(expectation), expectation.encounter!, { prefetch: false, fhirServer: EHR }));
        expect(res.status).toBe(200);
        const [expected] = expectation.sessions;
        const card = codesCardOf(res.body.cards as Card[], expected!.fractions);
        expect(card).toBeDefined();
        expect(card!.extension![DETERMINATION_EXTENSION]).toMatchObject({ deliveryCode: expected!.deliveryCode, igrtStatus: expected!.igrtStatus });
      });
  });
});
