import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SessionDetermination } from '../../src/engine/types.js';
import { determineBundle } from '../../src/pipeline.js';
import { reportFromInput } from '../../src/report/collect.js';
import { renderReport } from '../../src/report/html.js';
import { CASES_DIR, goldenCase } from '../helpers/cases.js';

/**
 * Money as reviewers and managers think of it (issue 21): billable, at risk until signed, lost — per session in the
 * determination, and for the department in the report, beside (not inside) the charges to fix.
 */
const OPTIONS = { asOf: '2026-11-25', clinicTimeZone: 'America/Chicago' };
const sessionsOf = (name: string) => determineBundle(goldenCase(name).bundle, OPTIONS).sessions;
const price = (session: SessionDetermination, code: string) => session.estimate?.lines.find((l) => l.code === code)?.amount ?? null;

describe.skipIf(!existsSync(CASES_DIR))('money per session', () => {
  it('77387-26 pending: at risk until signed, not in the billable amount', () => {
    const pending = sessionsOf('igrt-unsigned-last-fraction').find((s) => s.igrtStatus === 'pending')!;
    const unit = price(pending, '77387-26')!;
    expect(unit).toBeGreaterThan(0);
    expect(pending.money).toMatchObject({ atRisk: unit, lost: 0, noCode: false });
    expect(pending.money.billable).toBe(price(pending, pending.supportedDeliveryCode!));
  });

  it('77387-26 signed after the next fraction: lost, priced as the unit a signed session bills', () => {
    const sessions = sessionsOf('amm-record-unsigned-next-started');
    const lost = sessions.find((s) => s.igrtStatus === 'not-supportable')!;
    const billed = sessions.find((s) => s.igrtStatus === 'billable')!;
    expect(lost.money).toMatchObject({ atRisk: 0, lost: price(billed, '77387-26') });
    expect(lost.money.lost).toBeGreaterThan(0);
  });

  it('a session whose code cannot be derived: no code (lost until the record is completed), nothing priced', () => {
    const [session] = sessionsOf('missing-technique');
    expect(session!.money).toEqual({ billable: 0, atRisk: 0, lost: 0, noCode: true });
  });
});

describe.skipIf(!existsSync(CASES_DIR))('the report on the golden cases', async () => {
  const data = await reportFromInput(CASES_DIR, undefined, undefined, OPTIONS);
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
    expect(lostUnit).toMatchObject({ patient: 'Patient/pat-igrt-approved-after-next-fraction', date: '2026-06-01' });
    expect(lostUnit.amount).toBeGreaterThan(0);
    expect(html).toContain('data-filter="actions"');
  });

  it('signature timeliness per physician: in time, late, and the median time to sign', () => {
    const [physician] = data.timeliness;
    expect(physician).toMatchObject({ physician: 'Practitioner/dr-ro', late: 1 });
    expect(physician!.inTime).toBeGreaterThan(0);
    expect(physician!.medianHours).toBeGreaterThan(0);
  });

  it('the 77412 share of a population too small to judge is "not judged", never red', () => {
    expect(html).toContain('77412 share: not judged');
    expect(html).not.toMatch(/<div class="tile alert"><span class="muted">77412 share/);
  });
});
