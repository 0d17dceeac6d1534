import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/engine/evaluate.js';
import { RULE_CATALOG } from '../../../../src/engine/rules/index.js';
import { UtilizationCounter } from '../../../../src/engine/utilization.js';
import { A_UTIL } from '../../../../src/engine/rules/A-UTIL.js';
import { engineInput, fraction } from '../../../helpers/facts.js';

/** A-UTIL (spec A): the 77412 share of a population; fewer than 20 sessions or a single patient is no population. */
const sessionsOf = (patient: string, count: number, level: '77412' | '77407', month = '03', location?: string) =>
  Array.from({ length: count }, (_, i) => ({
    supportedDeliveryCode: level,
    dateOfService: `2026-${month}-${String(i + 1).padStart(2, '0')}`,
    patient,
    location: location ? { ref: location } : null,
  }));

describe('A-UTIL: 77412 share of a population', () => {
  it.each([
    ['one patient, 30 sessions all 77412 (one course is not a population)', [...sessionsOf('Patient/a', 30, '77412')], false],
    ['two patients, 19 sessions all 77412 (fewer than 20)', [...sessionsOf('Patient/a', 10, '77412'), ...sessionsOf('Patient/b', 9, '77412')], false],
    ['two patients, 20 sessions, 50% 77412', [...sessionsOf('Patient/a', 10, '77412'), ...sessionsOf('Patient/b', 10, '77407')], true],
    [
      'two patients, 20 sessions, 35% 77412 (at the expectation)',
      [...sessionsOf('Patient/a', 7, '77412'), ...sessionsOf('Patient/b', 13, '77407')],
      false,
    ],
  ])('%s → finding: %s', (_label, sessions, expected) => {
    const counter = new UtilizationCounter();
    for (const s of sessions) counter.add(s);
    const findings = A_UTIL.population(counter.result().filter((g) => !g.scope.month && !g.scope.location));
    expect(findings.length > 0).toBe(expected);
    if (expected) expect(findings[0]).toMatchObject({ rule: 'A-UTIL', severity: 'info' });
  });

  it('per month and per location when known: each population judged on its own', () => {
    const counter = new UtilizationCounter();
    // March at the main site: 20 sessions, 50% 77412. April at the satellite: 20 sessions, 25%.
    for (const s of [...sessionsOf('Patient/a', 10, '77412', '03', 'Location/main'), ...sessionsOf('Patient/b', 10, '77407', '03', 'Location/main')])
      counter.add(s);
    for (const s of [...sessionsOf('Patient/c', 5, '77412', '04', 'Location/sat'), ...sessionsOf('Patient/d', 15, '77407', '04', 'Location/sat')])
      counter.add(s);
    const groups = counter.result();
    expect(groups[0]).toMatchObject({ scope: {}, sessions: 40, level3: 15, share: 0.375, population: true });
    expect(groups.find((g) => g.scope.month === '2026-04' && !g.scope.location)).toMatchObject({ sessions: 20, share: 0.25 });
    const messages = A_UTIL.population(groups).map((f) => f.message);
    expect(messages.some((m) => m.startsWith('sessions in March 2026:'))).toBe(true);
    expect(messages.some((m) => m.startsWith('sessions at Location/main:'))).toBe(true);
    expect(messages.some((m) => m.includes('April'))).toBe(false);
  });

  it('sessions without a 2026 delivery code do not count', () => {
    const counter = new UtilizationCounter();
    counter.add({ supportedDeliveryCode: null, dateOfService: '2026-03-02', patient: 'Patient/a' });
    expect(counter.result()).toEqual([]);
  });

  it('one patient course in a Bundle keeps its utilization figures but gives no A-UTIL finding', () => {
    const fractions = Array.from({ length: 25 }, (_, i) =>
      fraction({ start: `2026-03-${String(i + 1).padStart(2, '0')}T09:00:00Z`, plan: { isocenters: 2 } }),
    );
    const result = evaluate(engineInput({ fractions }));
    expect(result.utilization).toMatchObject({ sessions: 25, level3: 25, share: 1 });
    expect(result.findings.map((f) => f.rule)).not.toContain('A-UTIL');
  });

  it('a Bundle of several patients is a population', () => {
    const fractions = ['Patient/a', 'Patient/b'].flatMap((patient) =>
      Array.from({ length: 12 }, (_, i) =>
        fraction({ patient, start: `2026-03-${String(i + 1).padStart(2, '0')}T09:00:00Z`, plan: { isocenters: 2 } }),
      ),
    );
    expect(evaluate(engineInput({ fractions })).findings.map((f) => f.rule)).toContain('A-UTIL');
  });
});

describe('the rule catalog lists the B rules of the spec', () => {
  it.each(['B-MISSED', 'B-LEVEL', 'B-26', 'B-DUPLICATE', 'B-DELETED', 'B-UNMATCHED', 'B-NONE'])('%s', (id) => {
    const rule = RULE_CATALOG.find((r) => r.id === id);
    expect(rule?.sources.length).toBeGreaterThan(0);
  });
});
