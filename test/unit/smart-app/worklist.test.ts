import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Determination, Finding, SessionDetermination } from '../../../src/engine/types.js';
import { determineBundle } from '../../../src/pipeline.js';
import { courseMoney, moneyText, sessionMoney } from '../../../smart-app/src/money.js';
import { deadlineText, information, toActOn } from '../../../smart-app/src/worklist.js';
import { AS_OF } from '../../helpers/facts.js';

/** The demo's records (fixtures/), as the reviewer app gets them from the API. */
const demo = (name: string): Determination =>
  determineBundle(JSON.parse(readFileSync(new URL(`../../../fixtures/${name}.json`, import.meta.url), 'utf8')), { asOf: AS_OF });

const finding = (rule: string, severity: Finding['severity'], extra: Partial<Finding> = {}): Finding => ({
  rule,
  severity,
  message: `${rule} message`,
  source: '001',
  evidence: [],
  ...extra,
});

describe('To act on (smart-app/src/worklist.ts)', () => {
  it('counts every warning and critical of orders, phases, sessions and the patient, none of the information', () => {
    const x6 = demo('x6-prostate-phase-counts-more-fractions');
    expect(toActOn(x6).map((item) => [item.subject.kind, item.finding.rule])).toEqual([['phase', 'D-COUNT']]);
    expect(toActOn(demo('au-lung-vmat-gating-authorized-lower')).map((item) => [item.subject.kind, item.finding.rule])).toEqual([
      ['order', 'C-AUTH-MISMATCH'],
    ]);
    expect(information(x6).every((item) => item.finding.severity === 'info')).toBe(true);
  });

  it('sorts by deadline: the next booked treatment, else the next beam-on; then severity; none last', () => {
    const base = demo('ig-pelvis-imrt-cbct-awaiting-approval');
    const session = (date: string, facts: Partial<SessionDetermination['facts']>, findings: Finding[]): SessionDetermination => ({
      ...base.sessions[0]!,
      encounter: `Encounter/${date}`,
      dateOfService: date,
      timeZone: 'America/Chicago',
      facts: { ...base.sessions[0]!.facts, nextBeamOn: null, nextTreatment: null, ...facts },
      findings,
    });
    const determination: Determination = {
      ...base,
      findings: [finding('P-1', 'critical')],
      sessions: [
        session('2026-06-01', { nextBeamOn: '2026-06-03T13:00:00Z' }, [finding('I-SIGN', 'warning')]),
        // The schedule books the next treatment earlier than the next fraction on record: that is the deadline.
        session('2026-06-02', { nextBeamOn: '2026-06-09T13:00:00Z', nextTreatment: '2026-06-02T20:00:00Z' }, [finding('A-SIGN', 'warning')]),
        // A loss that can no longer be prevented has no deadline left.
        session('2026-05-29', { nextBeamOn: '2026-05-30T13:00:00Z' }, [finding('A-SIGN', 'critical', { settled: true }), finding('D-TZ', 'info')]),
      ],
    };
    const items = toActOn(determination);
    expect(items.map((item) => `${item.subject.label} ${item.finding.rule}`)).toEqual([
      'Session 2026-06-02 A-SIGN',
      'Session 2026-06-01 I-SIGN',
      'Patient P-1',
      'Session 2026-05-29 A-SIGN',
    ]);
    expect(deadlineText(items[0]!)).toBe('before 2026-06-02 15:00 America/Chicago (next treatment)');
    expect(deadlineText(items[1]!)).toBe('before 2026-06-03 08:00 America/Chicago (next beam-on)');
    expect(items[3]!.deadline).toBeNull();
  });
});

describe('money (smart-app/src/money.ts)', () => {
  it('billable, at risk until signed and lost, from the service estimates', () => {
    const am = demo('am-pancreas-fiducial-tracking-log-unsigned');
    expect(courseMoney(am)).toMatchObject({
      billable: { amount: 819.66, unpriced: 0 },
      atRisk: { amount: 0, items: 0 },
      lost: { amount: 36.74, items: 1, unpriced: 0 },
      igrtLost: 1,
      sessionsWithoutCode: 0,
    });
    const ig = demo('ig-pelvis-imrt-cbct-awaiting-approval');
    expect(moneyText(courseMoney(ig).atRisk)).toBe('$36.74');
    expect(moneyText(sessionMoney(ig.sessions[1]!).billable)).toBe('$317.64');
  });

  it('counts what it cannot price: no payer, a session with no code, fractions only in summaries', () => {
    const x6 = demo('x6-prostate-phase-counts-more-fractions');
    expect(courseMoney(x6).summaryOnlyFractions).toBe(1);
    expect(courseMoney(demo('x4-breast-course-as-phase-summaries')).summaryOnlyFractions).toBe(36);
    const base = x6.sessions[0]!;
    const noCode: SessionDetermination = {
      ...base,
      deliveryCode: null,
      supportedDeliveryCode: null,
      lines: [],
      igrtStatus: 'none',
      money: { billable: 0, atRisk: 0, lost: 0, noCode: true },
    };
    expect(sessionMoney(noCode)).toMatchObject({ noCode: true, lost: { items: 1, unpriced: 1 } });
    expect(courseMoney({ ...x6, sessions: [noCode] }).sessionsWithoutCode).toBe(1);
  });
});
