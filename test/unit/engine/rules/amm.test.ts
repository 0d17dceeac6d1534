import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/engine/evaluate.js';
import { ownWords } from '../../../../src/engine/rules/A-NEED-SPECIFIC.js';
import { qualifiesAsAmm } from '../../../../src/engine/rules/A-QUAL.js';
import type { MotionFacts } from '../../../../src/engine/types.js';
import {
  ammRecord,
  engineInput,
  fraction,
  MONITORED_BREATH_HOLD,
  NO_MOTION,
  prescription,
  signature,
  SPECIFIC_NECESSITY,
} from '../../../helpers/facts.js';

const motion = (m: Partial<MotionFacts>): MotionFacts => ({ ...NO_MOTION, ...m });
const BEAM_ON = '2026-03-02T09:00:00Z';
const BEAM_OFF = '2026-03-02T09:12:00Z';
const AMM_ORDER = prescription({ ordered: MONITORED_BREATH_HOLD, ammNecessity: SPECIFIC_NECESSITY });

/** A fully documented AMM fraction; override one part to break it. */
function ammFraction(overrides: Parameters<typeof fraction>[0] = {}) {
  return fraction({
    start: BEAM_ON,
    end: BEAM_OFF,
    delivered: MONITORED_BREATH_HOLD,
    ammRecords: [ammRecord(BEAM_ON, BEAM_OFF, [signature('2026-03-02T12:00:00Z')])],
    ...overrides,
  });
}

const sessionOf = (fx: ReturnType<typeof fraction>, order = AMM_ORDER, more: ReturnType<typeof fraction>[] = []) =>
  evaluate(engineInput({ fractions: [fx, ...more], prescriptions: [order] })).sessions.find((s) => s.fractions.includes(fx.ref))!;
const rules = (findings: readonly { rule: string }[]) => findings.map((f) => f.rule);

describe('A-QUAL: only monitoring during beam-on qualifies', () => {
  it.each([
    ['surface guidance during beam-on', motion({ intrafraction: ['surface'] }), true],
    ['fiducial tracking', motion({ intrafraction: ['fiducial-tracking'] }), true],
    ['respiratory gating', motion({ respiratory: ['gating'] }), true],
    ['real-time tracking', motion({ respiratory: ['real-time-tracking'] }), true],
    ['breath hold with monitoring', motion({ respiratory: ['breath-hold'], intrafraction: ['surface'] }), true],
    ['breath hold alone', motion({ respiratory: ['breath-hold'] }), false],
    ['abdominal compression', motion({ respiratory: ['abdominal-compression'] }), false],
    ['ITV', motion({ respiratory: ['itv'] }), false],
    ['free breathing', motion({ respiratory: ['free-breathing'] }), false],
    ['surface imaging for setup only', motion({ imageGuidance: ['surface'] }), false],
  ])('%s → %s', (_label, facts, expected) => {
    expect(qualifiesAsAmm(facts)).toBe(expected);
  });

  it('A-QUAL warns when compression is labelled motion management without monitoring, and the level stays 77407', () => {
    const session = sessionOf(fraction({ delivered: { respiratory: ['abdominal-compression'] } }));
    expect(session.deliveryCode).toBe('77407');
    expect(session.findings).toContainEqual(expect.objectContaining({ rule: 'A-QUAL', severity: 'warning' }));
  });

  it('A-QUAL does not warn about free breathing', () => {
    expect(rules(sessionOf(fraction({ delivered: { respiratory: ['free-breathing'] } })).findings)).not.toContain('A-QUAL');
  });

  it('A-QUAL on an order: breath hold without monitoring', () => {
    const result = evaluate(engineInput({ prescriptions: [prescription({ ordered: { respiratory: ['breath-hold'] } })] }));
    expect(result.orders[0]?.expectedDeliveryCode).toBe('77407');
    expect(rules(result.orders[0]!.findings)).toContain('A-QUAL');
  });
});

describe('A-ORDER: AMM ordered by the physician', () => {
  it('a documented session has no A findings and bills 77412', () => {
    const session = sessionOf(ammFraction());
    expect(session).toMatchObject({ deliveryCode: '77412', supportedDeliveryCode: '77412' });
    expect(rules(session.findings).filter((r) => r.startsWith('A-'))).toEqual([]);
  });

  it.each([
    ['no prescription linked', { prescription: null }, AMM_ORDER],
    ['prescription on hold', {}, prescription({ ...AMM_ORDER, status: 'on-hold' })],
    ['requester not a Practitioner', {}, prescription({ ...AMM_ORDER, requesterIsPractitioner: false })],
    ['prescription without motion management', {}, prescription({ ammNecessity: SPECIFIC_NECESSITY })],
  ])('%s: critical, and 77412 falls back to 77407 when it rests on AMM alone', (_label, override, order) => {
    const session = sessionOf(ammFraction(override), order);
    expect(session).toMatchObject({ deliveryCode: '77412', deliveryRule: 'D-3-AMM', supportedDeliveryCode: '77407', supportedDeliveryRule: 'D-2' });
    expect(session.findings).toContainEqual(expect.objectContaining({ rule: 'A-ORDER', severity: 'critical' }));
  });

  it('an order carrying breath hold, delivered with monitoring during beam-on, is an AMM order: 77412 stands', () => {
    const order = prescription({ ordered: { respiratory: ['breath-hold'] }, ammNecessity: SPECIFIC_NECESSITY });
    const session = sessionOf(ammFraction(), order);
    expect(session.supportedDeliveryCode).toBe('77412');
    expect(rules(session.findings)).not.toContain('A-ORDER');
  });

  it('a warning, not critical, when Level 3 also holds through D-3-ISO', () => {
    const session = sessionOf(ammFraction({ plan: { isocenters: 2 } }), prescription({ ordered: {} }));
    expect(session.supportedDeliveryCode).toBe('77412');
    expect(session.findings).toContainEqual(expect.objectContaining({ rule: 'A-ORDER', severity: 'warning' }));
  });

  it('a draft order being signed is the order whatever its status', () => {
    const draft = prescription({ ...AMM_ORDER, status: 'draft' });
    const input = engineInput({ fractions: [ammFraction()], prescriptions: [draft], draftOrders: [draft.ref] });
    expect(rules(evaluate(input).sessions[0]!.findings)).not.toContain('A-ORDER');
  });

  it('on an order: AMM without a Practitioner requester warns', () => {
    const result = evaluate(engineInput({ prescriptions: [prescription({ ...AMM_ORDER, requesterIsPractitioner: false })] }));
    expect(rules(result.orders[0]!.findings)).toContain('A-ORDER');
  });
});

describe('A-NEED and A-NEED-SPECIFIC: patient-specific necessity', () => {
  it.each([
    ['DIBH', 0],
    ['DIBH with surface guidance (AlignRT) for breath hold monitoring', 0],
    ['Left-sided breast: heart in field', 5],
    [SPECIFIC_NECESSITY, 20],
  ])('own words of %j: at least %i', (statement, atLeast) => {
    expect(ownWords(statement).length).toBeGreaterThanOrEqual(atLeast);
    if (atLeast === 0) expect(ownWords(statement)).toEqual([]);
  });

  it('A-NEED: a session with AMM and no statement warns; the code stays 77412', () => {
    const session = sessionOf(ammFraction(), prescription({ ordered: MONITORED_BREATH_HOLD }));
    expect(session.supportedDeliveryCode).toBe('77412');
    expect(session.findings).toContainEqual(expect.objectContaining({ rule: 'A-NEED', severity: 'warning' }));
  });

  it.each([
    ['no statement', null, 'A-NEED'],
    ['whitespace only', '   ', 'A-NEED'],
    ['"DIBH"', 'DIBH', 'A-NEED-SPECIFIC'],
    ['"Gating used for respiratory motion"', 'Gating used for respiratory motion', 'A-NEED-SPECIFIC'],
  ])('on an order with AMM, %s → %s', (_label, ammNecessity, rule) => {
    const result = evaluate(engineInput({ prescriptions: [prescription({ ordered: { respiratory: ['gating'] }, ammNecessity })] }));
    const found = rules(result.orders[0]!.findings);
    expect(found).toContain(rule);
    expect(found).not.toContain(rule === 'A-NEED' ? 'A-NEED-SPECIFIC' : 'A-NEED');
  });

  it('no necessity findings on an order without motion management (free breathing)', () => {
    const result = evaluate(engineInput({ prescriptions: [prescription({ ordered: { respiratory: ['free-breathing'] } })] }));
    expect(rules(result.orders[0]!.findings)).not.toContain('A-NEED');
  });

  it('A-NEED on every order that carries motion management, qualifying or not (compression)', () => {
    const result = evaluate(engineInput({ prescriptions: [prescription({ ordered: { respiratory: ['abdominal-compression'] } })] }));
    expect(rules(result.orders[0]!.findings)).toEqual(expect.arrayContaining(['A-NEED', 'A-QUAL']));
  });

  it('A-NEED-SPECIFIC on a session', () => {
    const session = sessionOf(ammFraction(), prescription({ ordered: MONITORED_BREATH_HOLD, ammNecessity: 'DIBH' }));
    expect(rules(session.findings)).toContain('A-NEED-SPECIFIC');
    expect(session.supportedDeliveryCode).toBe('77412');
  });
});

describe('A-RECORD: a record per fraction, beam-on to beam-off', () => {
  it.each([
    ['no record', []],
    ['a record that starts after beam-on', [ammRecord('2026-03-02T09:01:00Z', BEAM_OFF, [signature('2026-03-02T12:00:00Z')])]],
    ['a record that ends before beam-off', [ammRecord(BEAM_ON, '2026-03-02T09:10:00Z', [signature('2026-03-02T12:00:00Z')])]],
  ])('%s: warning, and the supportable code falls back to 77407', (_label, ammRecords) => {
    const session = sessionOf(ammFraction({ ammRecords }));
    expect(session).toMatchObject({ deliveryCode: '77412', supportedDeliveryCode: '77407' });
    expect(session.findings).toContainEqual(expect.objectContaining({ rule: 'A-RECORD', severity: 'warning' }));
  });

  it('a fraction without beam-off cannot be checked: the record is not accepted', () => {
    const session = sessionOf(ammFraction({ end: null }));
    expect(session.supportedDeliveryCode).toBe('77407');
    expect(session.findings.find((f) => f.rule === 'A-RECORD')?.message).toContain('performedPeriod');
  });
});

describe('A-SIGN: records signed before the next beam-on', () => {
  const NEXT = '2026-03-03T09:00:00Z';
  const next = () =>
    fraction({
      start: NEXT,
      delivered: MONITORED_BREATH_HOLD,
      ammRecords: [ammRecord(NEXT, '2026-03-03T09:12:00Z', [signature('2026-03-03T10:00:00Z')])],
    });

  it.each([
    ['unsigned, no later fraction: pending, warning', [], false, 'warning', 'pending'],
    ['unsigned, next fraction started: critical, 77387-26 lost', [], true, 'critical', 'not-supportable'],
    ['signed after the next beam-on: critical', [signature('2026-03-03T09:30:00Z')], true, 'critical', 'not-supportable'],
    [
      'signed by a non-Practitioner: critical',
      [signature('2026-03-02T12:00:00Z', { byPractitioner: false, by: 'Device/x' })],
      true,
      'critical',
      'not-supportable',
    ],
  ])('%s', (_label, signatures, withNext, severity, igrtStatus) => {
    const fx = ammFraction({ ammRecords: [ammRecord(BEAM_ON, BEAM_OFF, signatures)] });
    const session = sessionOf(fx, AMM_ORDER, withNext ? [next()] : []);
    expect(session.igrtStatus).toBe(igrtStatus);
    expect(session.supportedDeliveryCode).toBe('77412'); // A-SIGN never lowers the delivery code
    expect(session.findings).toContainEqual(expect.objectContaining({ rule: 'A-SIGN', severity }));
  });

  it('an unsigned AMM record is a warning when approved images keep 77387-26 billable', () => {
    const fx = ammFraction({
      delivered: { ...MONITORED_BREATH_HOLD, imageGuidance: ['cbct'] },
      ammRecords: [ammRecord(BEAM_ON, BEAM_OFF, [])],
      imageApprovals: [signature('2026-03-02T10:00:00Z')],
    });
    const session = sessionOf(fx, AMM_ORDER, [next()]);
    expect(session.igrtStatus).toBe('billable');
    expect(session.findings).toContainEqual(expect.objectContaining({ rule: 'A-SIGN', severity: 'warning' }));
  });
});

describe('A-ORDER through a phase prescription', () => {
  it('the course prescription that orders AMM counts, even when a phase prescription sits between', () => {
    const course = prescription({ ref: 'ServiceRequest/course', ordered: MONITORED_BREATH_HOLD, ammNecessity: SPECIFIC_NECESSITY });
    const phase = prescription({ ref: 'ServiceRequest/phase' });
    const fx = fraction({
      start: '2026-03-02T09:00:00Z',
      end: '2026-03-02T09:12:00Z',
      delivered: MONITORED_BREATH_HOLD,
      basedOn: ['ServiceRequest/plan', 'ServiceRequest/phase', 'ServiceRequest/course'],
      prescription: 'ServiceRequest/phase',
      ammRecords: [ammRecord('2026-03-02T09:00:00Z', '2026-03-02T09:12:00Z', [signature('2026-03-02T12:00:00Z')])],
    });
    const session = evaluate(engineInput({ fractions: [fx], prescriptions: [course, phase] })).sessions[0]!;
    expect(session.supportedDeliveryCode).toBe('77412');
    expect(session.findings.map((f) => f.rule)).not.toContain('A-ORDER');
    expect(session.findings.map((f) => f.rule)).not.toContain('A-NEED');
  });
});
