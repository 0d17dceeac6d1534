import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionDetermination } from '../../src/engine/types.js';
import { determineBundle } from '../../src/pipeline.js';
import { reportFromInput } from '../../src/report/collect.js';
import { renderReport } from '../../src/report/html.js';
import { patientIdOf } from '../helpers/hook-requests.js';
import { scenario, scenarioFile } from '../helpers/cases.js';

/**
 * Money as reviewers and managers think of it (issue 21): billable, at risk until signed, lost — per session in the
 * determination, and for the department in the report, beside (not inside) the charges to fix.
 */
const OPTIONS = { asOf: '2026-11-25', clinicTimeZone: 'America/Chicago' };
const sessionsOf = (tag: string) => determineBundle(scenario(tag).bundle, OPTIONS).sessions;
const price = (session: SessionDetermination, code: string) => session.estimate?.lines.find((l) => l.code === code)?.amount ?? null;

describe('money per session', () => {
  it('77387-26 pending: at risk until signed, not in the billable amount', () => {
    const pending = sessionsOf('ig').find((s) => s.igrtStatus === 'pending')!;
    const unit = price(pending, '77387-26')!;
    expect(unit).toBeGreaterThan(0);
    expect(pending.money).toMatchObject({ atRisk: unit, lost: 0, noCode: false });
    expect(pending.money.billable).toBe(price(pending, pending.supportedDeliveryCode!));
  });

  it('77387-26 signed after the next fraction: lost, priced as the unit a signed session bills', () => {
    const sessions = sessionsOf('am');
    const lost = sessions.find((s) => s.igrtStatus === 'not-supportable')!;
    const billed = sessions.find((s) => s.igrtStatus === 'billable')!;
    expect(lost.money).toMatchObject({ atRisk: 0, lost: price(billed, '77387-26') });
    expect(lost.money.lost).toBeGreaterThan(0);
  });

  it('a session whose code cannot be derived: no code (lost until the record is completed), nothing priced', () => {
    const [session] = sessionsOf('mt');
    expect(session!.money).toEqual({ billable: 0, atRisk: 0, lost: 0, noCode: true });
  });
});

/**
 * A department of Medicare patients from the scenarios: one 77387-26 pending (ig), two lost (am's unsigned tracking
 * log, il's late approval), one session without a code (mt), and clean courses (a1, a2, a4).
 */
const DEPARTMENT = mkdtempSync(join(tmpdir(), 'rt-billing-money-'));
for (const tag of ['a1', 'a2', 'a4', 'ig', 'il', 'am', 'mt']) copyFileSync(scenarioFile(tag), join(DEPARTMENT, `${tag}.json`));
afterAll(() => rmSync(DEPARTMENT, { recursive: true, force: true }));

describe('the report on a department of scenarios', async () => {
  const data = await reportFromInput(DEPARTMENT, undefined, undefined, OPTIONS);
  const html = renderReport(data, { interactive: false });

  it('lost and at-risk amounts count the 77387-26 units and the sessions without a code, apart from the charges', () => {
    const { money } = data.summary;
    expect(money.atRiskSessions).toBe(1);
    expect(money.lostSessions).toBe(2);
    expect(money.noCodeSessions).toBe(1);
    expect(money.lost).toBeCloseTo(2 * money.atRisk, 2); // one 77387-26 at risk, two lost, one payer
    expect(data.summary.charges.amountAtRisk).toBe(0); // no charges in these cases: the money above is not "charges"
    expect(html).toMatch(/Lost \(2 × 77387-26, 1 session without a code\)<\/span><b>\$\d+\.\d\d<\/b>/);
  });

  it('every warning and critical is listed with patient, date, rule, amount and deadline, most urgent first', () => {
    const counted = data.summary.findingsByRule.reduce((sum, rule) => sum + rule.critical + rule.warning, 0);
    expect(data.actions.length).toBe(counted);
    const severities = data.actions.map((a) => a.severity);
    expect(severities).toEqual([...severities].sort((a, b) => (a === b ? 0 : a === 'critical' ? -1 : 1)));
    const lostUnit = data.actions.find((a) => a.rule === 'I-SIGN' && a.severity === 'critical')!;
    expect(lostUnit).toMatchObject({ patient: `Patient/${patientIdOf(scenario('il'))}`, date: '2026-02-23' });
    expect(lostUnit.amount).toBeGreaterThan(0);
    expect(html).toContain('data-filter="actions"');
  });

  it('signature timeliness per physician: in time, late, and the median time to sign', () => {
    const physician = data.timeliness.find((p) => p.physician === 'Practitioner/dr-raman'); // il's late approval
    expect(physician).toMatchObject({ late: 1 });
    expect(physician!.inTime).toBeGreaterThan(0);
    expect(physician!.medianHours).toBeGreaterThan(0);
  });

  it('the 77412 share of a population too small to judge is "not judged", never red', () => {
    expect(html).toContain('77412 share: not judged');
    expect(html).not.toMatch(/<div class="tile alert"><span class="muted">77412 share/);
  });
});
