import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { DETERMINATION_EXTENSION } from '../../src/cds/cards.js';
import type { Card } from '../../src/cds/types.js';
import { RULE_CATALOG } from '../../src/engine/rules/index.js';
import { testApp } from '../helpers/app.js';
import { allScenarios, scenario, type GoldenCase } from '../helpers/cases.js';
import { encounterDischargeRequest, orderSignRequest, patientIdOf, type Resource } from '../helpers/hook-requests.js';
import { useStandInEhr } from '../helpers/mock-fhir.js';

/**
 * The card policy (issue 21), with the service's defaults (CDS_INFO_CARDS off): a card only when someone has something
 * to do, one per concern, the most urgent first, in plain words, with the deadline of the next booked treatment and the
 * action that fits the reader.
 */
const DISCHARGE = '/cds-services/rt-billing-encounter-discharge';
const ORDER_SIGN = '/cds-services/rt-billing-order-sign';
const { app } = testApp({ CDS_INFO_CARDS: 'off', CLINIC_TIME_ZONE: 'America/Chicago' });
const THERAPIST = 'Practitioner/therapist-1';
const PHYSICIAN = 'Practitioner/dr-raman'; // who ordered the scenarios' treatments (ig among them)

// The day of scenario ig's last session (2026-03-10, 14:30 in Chicago), later that afternoon.
useStandInEhr('2026-03-10T21:00:00Z');

const encountersOf = (golden: GoldenCase) =>
  (golden.bundle as { entry: { resource: Resource }[] }).entry.filter((e) => e.resource.resourceType === 'Encounter').map((e) => e.resource.id!);

async function cardsOf(path: string, body: object): Promise<Card[]> {
  const res = await request(app).post(path).send(body);
  expect(res.status).toBe(200);
  return res.body.cards as Card[];
}

/** The case's Bundle with more resources (an appointment, a second draft order). */
const withResources = (golden: GoldenCase, ...more: Resource[]): GoldenCase => {
  const bundle = golden.bundle as { entry: { resource: Resource }[] };
  return { ...golden, bundle: { ...bundle, entry: [...bundle.entry, ...more.map((resource) => ({ resource }))] } };
};

const appointment = (id: string, start: string, status = 'booked'): Resource => ({
  resourceType: 'Appointment',
  id,
  status,
  start,
  end: new Date(Date.parse(start) + 15 * 60_000).toISOString(),
  basedOn: [{ reference: 'ServiceRequest/ig-rx' }],
  participant: [{ actor: { reference: `Patient/${patientIdOf(scenario('ig'))}` }, status: 'accepted' }],
});

describe('nothing to do, no card', () => {
  const clean = ['a1', 'a2', 'a3', 'a4'];
  it.each(clean)('scenario %s: every session discharged without a card (the codes go to the reviewer app)', async (tag) => {
    const golden = scenario(tag);
    for (const encounter of encountersOf(golden))
      expect(await cardsOf(DISCHARGE, encounterDischargeRequest(golden, encounter, { prefetch: true }))).toEqual([]);
  });

  it('CDS_INFO_CARDS=on brings back the codes card of a clean session, as information', async () => {
    const { app: informative } = testApp({ CDS_INFO_CARDS: 'on' });
    const res = await request(informative)
      .post(DISCHARGE)
      .send(encounterDischargeRequest(scenario('a1'), 'a1-enc-1', { prefetch: true }));
    expect(res.body.cards.map((c: Card) => [c.indicator, c.summary.startsWith('Bill 77402')])).toEqual([['info', true]]);
  });

  it('a session whose code cannot be derived still gets its card: the facts to document', async () => {
    const cards = await cardsOf(DISCHARGE, encounterDischargeRequest(scenario('mt'), 'mt-enc-1', { prefetch: true }));
    expect(cards.map((c) => [c.indicator, c.source.topic?.code])).toEqual([['critical', 'D-UNKNOWN']]);
  });
});

describe('one card per concern, most urgent first, in plain words', () => {
  it('two draft orders lacking the same necessity statement: one card naming both', async () => {
    const golden = scenario('gn');
    const body = orderSignRequest(golden, { prefetch: true }) as unknown as { context: { draftOrders: { entry: { resource: Resource }[] } } };
    const [first] = body.context.draftOrders.entry;
    body.context.draftOrders.entry.push({ resource: { ...first!.resource, id: `${first!.resource.id}-boost` } });
    const cards = await cardsOf(ORDER_SIGN, body);
    const need = cards.filter((c) => c.source.topic?.code === 'A-NEED');
    expect(need).toHaveLength(1);
    expect(need[0]!.summary).toMatch(/\(2 orders\)$/);
    expect(need[0]!.detail).toContain(`ServiceRequest/${first!.resource.id}-boost`);
    const part = need[0]!.extension![DETERMINATION_EXTENSION] as { subjects: { order: string }[] };
    expect(part.subjects.map((s) => s.order)).toHaveLength(2);
    // One card per rule across the orders.
    const topics = cards.map((c) => c.source.topic?.code);
    expect(new Set(topics).size).toBe(topics.length);
  });

  const RULE_IDS = RULE_CATALOG.map((rule) => rule.id);
  const SEVERITY = { critical: 0, warning: 1, info: 2 } as const;
  it.each(allScenarios().map((g) => [g.name, g] as const))(
    '%s: critical before warning before info; no rule ID in a summary',
    async (_name, golden) => {
      const calls = [
        orderSignRequest(golden, { prefetch: true }),
        ...encountersOf(golden).map((encounter) => encounterDischargeRequest(golden, encounter, { prefetch: true, userId: THERAPIST })),
      ];
      for (const [index, body] of calls.entries()) {
        const cards = await cardsOf(index === 0 ? ORDER_SIGN : DISCHARGE, body);
        const ranks = cards.map((c) => SEVERITY[c.indicator]);
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        for (const card of cards) for (const id of RULE_IDS) expect(card.summary).not.toContain(`${id}:`);
      }
    },
  );
});

describe('what can no longer be prevented is a billing notice, not an alarm', () => {
  it('images approved after the next fraction: a warning to not bill 77387-26, with overrides that fit it', async () => {
    const cards = await cardsOf(DISCHARGE, encounterDischargeRequest(scenario('il'), 'il-enc-1', { prefetch: true }));
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({
      indicator: 'warning',
      summary: 'Do not bill 77387-26 for the session of 2026-02-23: images not approved before the next fraction',
    });
    expect(cards[0]!.overrideReasons!.map((r) => r.code)).toEqual(['signed-elsewhere', 'billing-corrected']);
    expect(cards[0]!.suggestions).toBeUndefined();
  });
});

describe('the deadline is the next booked treatment, in the clinic’s time', () => {
  const golden = withResources(
    scenario('ig'),
    appointment('ig-appt-before', '2026-03-09T19:30:00Z', 'fulfilled'),
    appointment('ig-appt-cancelled', '2026-03-11T13:00:00Z', 'cancelled'),
    appointment('ig-appt-next', '2026-03-11T19:15:00Z'),
    appointment('ig-appt-later', '2026-03-12T19:15:00Z'),
  );

  it('seen by the physician who must sign: the summary names the time, the link opens the session, no Task to oneself', async () => {
    const cards = await cardsOf(DISCHARGE, encounterDischargeRequest(golden, 'ig-enc-2', { prefetch: true, userId: PHYSICIAN }));
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({
      indicator: 'warning',
      summary: 'Approve the images of 2026-03-10 before 14:15 tomorrow (next treatment) to bill 77387-26',
    });
    expect(cards[0]!.suggestions).toBeUndefined();
    expect(cards[0]!.links!.map((l) => [l.type, l.label])).toEqual([['smart', 'Open the session to sign']]);
  });

  it('seen by the therapist: a Task for the physician, due at the next booked treatment', async () => {
    const cards = await cardsOf(DISCHARGE, encounterDischargeRequest(golden, 'ig-enc-2', { prefetch: true, userId: THERAPIST }));
    const task = cards[0]!.suggestions![0]!.actions[0]!.resource as unknown as Record<string, unknown>;
    expect(task).toMatchObject({
      resourceType: 'Task',
      owner: { reference: PHYSICIAN },
      requester: { reference: THERAPIST },
      restriction: { period: { end: '2026-03-11T19:15:00Z' } },
    });
  });

  it('no booked treatment: "before the next fraction", as the rule says', async () => {
    const cards = await cardsOf(DISCHARGE, encounterDischargeRequest(scenario('ig'), 'ig-enc-2', { prefetch: true }));
    expect(cards[0]!.summary).toBe('Approve the images of 2026-03-10 before the next fraction to bill 77387-26');
  });
});
