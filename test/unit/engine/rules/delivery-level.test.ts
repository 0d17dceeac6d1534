import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/engine/evaluate.js';
import { deriveLevel } from '../../../../src/engine/level.js';
import type { LevelFacts } from '../../../../src/engine/rules/rule.js';
import type { Modality, Technique } from '../../../../src/engine/types.js';
import { engineInput, fraction, MONITORED_BREATH_HOLD } from '../../../helpers/facts.js';

const facts = (modalities: Modality[], techniques: Technique[], photonIsocenters: number | null = 1, amm = false): LevelFacts => ({
  modalities: new Set(modalities),
  techniques: new Set(techniques),
  photonIsocenters,
  amm,
  unknown: [],
  otherTechniques: [],
});

describe('delivery level (D rules, evaluated in order)', () => {
  it.each([
    // [rule, facts, code]
    ['D-OUT', facts(['proton'], []), null],
    ['D-OUT', facts(['photon'], ['imrt', 'sbrt']), null],
    ['D-OUT', facts(['photon'], ['srs'], 1, true), null],
    ['D-OUT', facts(['electron'], ['superficial']), null],
    ['D-OUT', facts(['brachytherapy'], []), null],
    ['D-3-AMM', facts(['photon'], ['3d-crt'], 1, true), '77412'],
    ['D-3-AMM', facts(['photon'], [], 1, true), '77412'], // "any photon therapy with AMM": technique not needed
    ['D-3-ISO', facts(['photon'], ['2d'], 2), '77412'],
    ['D-3-ISO', facts(['photon'], ['imrt'], 3), '77412'],
    ['D-3-TSE', facts(['electron'], ['total-skin-electron']), '77412'],
    ['D-3-MIX', facts(['photon', 'electron'], ['3d-crt']), '77412'],
    ['D-2', facts(['photon'], ['3d-crt']), '77407'],
    ['D-2', facts(['photon'], ['imrt']), '77407'],
    ['D-2', facts(['photon'], ['2d', '3d-crt']), '77407'],
    ['D-1', facts(['photon'], ['2d']), '77402'],
    ['D-1', facts(['electron'], ['3d-crt']), '77402'],
    ['D-1', facts(['electron'], []), '77402'],
  ])('%s: %o → %s', (rule, input, code) => {
    const result = deriveLevel(input);
    expect(result.rule).toBe(rule);
    expect(result.code).toBe(code);
  });

  it.each([
    ['no modality', facts([], ['3d-crt']), 'modality'],
    ['photons without technique', facts(['photon'], []), 'photon technique'],
    ['photons with unknown isocenters', facts(['photon'], ['3d-crt'], null), 'isocenter count'],
  ])('D-UNKNOWN: %s names the missing fact and gives no code', (_label, input, missing) => {
    const result = deriveLevel(input);
    expect(result).toMatchObject({ rule: 'D-UNKNOWN', code: null });
    expect(result.missing.join(' ')).toContain(missing);
  });

  it('D-UNKNOWN does not block a later rule that gives the same code (isocenters unknown, mixed fields → 77412)', () => {
    expect(deriveLevel(facts(['photon', 'electron'], ['3d-crt'], null))).toMatchObject({ rule: 'D-3-MIX', code: '77412' });
  });

  it('D-3-ISO counts photon isocenters only: an electron reference point is not a photon isocenter', () => {
    const photon = fraction({
      encounter: 'Encounter/s',
      plan: { modalities: ['photon'], techniques: ['3d-crt'], isocenters: 1 },
      basedOn: ['ServiceRequest/plan-ph'],
    });
    const electron = fraction({
      encounter: 'Encounter/s',
      plan: { modalities: ['electron'], techniques: ['3d-crt'], isocenters: 1 },
      basedOn: ['ServiceRequest/plan-el'],
    });
    const [session] = evaluate(engineInput({ fractions: [photon, electron] })).sessions;
    expect(session?.deliveryRule).toBe('D-3-MIX');
    expect(session?.facts.photonIsocenters).toBe(1);
  });

  it('D-3-ISO: isocenters of two photon fractions in one session add up', () => {
    const a = fraction({ encounter: 'Encounter/s', basedOn: ['ServiceRequest/plan-a'] });
    const b = fraction({ encounter: 'Encounter/s', basedOn: ['ServiceRequest/plan-b'] });
    const [session] = evaluate(engineInput({ fractions: [a, b] })).sessions;
    expect(session).toMatchObject({ deliveryCode: '77412', deliveryRule: 'D-3-ISO' });
  });

  it('D-UNKNOWN: a missing isocenter count with two plans in the session is not guessed', () => {
    const a = fraction({ encounter: 'Encounter/s', plan: { isocenters: null }, basedOn: ['ServiceRequest/plan-a'] });
    const b = fraction({ encounter: 'Encounter/s', plan: { isocenters: null }, basedOn: ['ServiceRequest/plan-b'] });
    const [session] = evaluate(engineInput({ fractions: [a, b] })).sessions;
    expect(session).toMatchObject({ deliveryCode: null, deliveryRule: 'D-UNKNOWN' });
    expect(session?.findings.find((f) => f.rule === 'D-UNKNOWN')?.severity).toBe('critical');
  });

  it('a missing isocenter count is 1 when exactly one plan is treated', () => {
    const [session] = evaluate(engineInput({ fractions: [fraction({ plan: { isocenters: null } })] })).sessions;
    expect(session).toMatchObject({ deliveryCode: '77407', deliveryRule: 'D-2' });
  });

  it('D-UNKNOWN: a fraction without performedPeriod.start has no date of service and no code', () => {
    const [session] = evaluate(engineInput({ fractions: [fraction({ start: null, end: null })] })).sessions;
    expect(session).toMatchObject({ deliveryCode: null, supportedDeliveryCode: null, deliveryRule: 'D-UNKNOWN' });
    expect(session?.findings.map((f) => f.message).join(' ')).toContain('performedPeriod.start');
  });

  it('D-OUT: sessions before 2026-01-01 are outside the 2026 family', () => {
    const [session] = evaluate(engineInput({ fractions: [fraction({ start: '2025-12-30T09:00:00Z' })] })).sessions;
    expect(session).toMatchObject({ deliveryCode: null, deliveryRule: 'D-OUT' });
    expect(session?.outOfFamily).toContain('before 2026');
  });

  it('D-OUT: SBRT reports its family and an info finding', () => {
    const [session] = evaluate(engineInput({ fractions: [fraction({ plan: { techniques: ['imrt', 'sbrt'] } })] })).sessions;
    expect(session?.outOfFamily).toContain('77373');
    expect(session?.findings.find((f) => f.rule === 'D-OUT')?.severity).toBe('info');
  });

  it.each([['not-done'], ['in-progress'], ['on-hold'], ['entered-in-error']])(
    'D-NOT-DELIVERED: a %s fraction forms no session and gets a top-level info finding',
    (status) => {
      const delivered = fraction();
      const notDelivered = fraction({ status });
      const result = evaluate(engineInput({ fractions: [delivered, notDelivered] }));
      expect(result.sessions.flatMap((s) => s.fractions)).toEqual([delivered.ref]);
      expect(result.findings).toContainEqual(expect.objectContaining({ rule: 'D-NOT-DELIVERED', severity: 'info', evidence: [notDelivered.ref] }));
    },
  );

  it('D-2D-AMM: 2D photons with AMM are 77412 with an info finding', () => {
    const fx = fraction({ plan: { techniques: ['2d'] }, delivered: MONITORED_BREATH_HOLD });
    const [session] = evaluate(engineInput({ fractions: [fx] })).sessions;
    expect(session?.deliveryCode).toBe('77412');
    expect(session?.findings.map((f) => f.rule)).toContain('D-2D-AMM');
  });

  it.each([
    ['one body site', ['sct|A'], true],
    ['no body site', [], true],
    ['two body sites', ['sct|A', 'sct|B'], false],
  ])('D-3-PAYER: 77412 by isocenters with %s → info %s', (_label, bodySites, expected) => {
    const [session] = evaluate(engineInput({ fractions: [fraction({ plan: { isocenters: 2 }, bodySites })] })).sessions;
    expect(session?.supportedDeliveryRule).toBe('D-3-ISO');
    expect(session?.findings.some((f) => f.rule === 'D-3-PAYER')).toBe(expected);
  });
});
