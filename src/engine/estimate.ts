import { policyName, policyRate, type PolicyMatch } from './policy.js';
import type { BillingLine, RateEstimate, SessionMoney, SiteOfService } from './types.js';

/**
 * Estimated payment for the lines to bill (rule R, P-RATE): the rates of the payer policy that matched the patient's
 * coverage; none when no policy matched (P-MATCH). Shown to reviewers, never used to decide a code.
 */
export function estimatePayment(
  lines: readonly BillingLine[],
  match: PolicyMatch,
  setting: SiteOfService | undefined,
  date: string | null,
): RateEstimate | null {
  const policy = match.policy;
  if (!policy || !match.coverage || !date) return null;
  const billed = lines.filter((line) => line.status !== 'bundled');
  const priced = billed.map((line) => {
    const amountIn = (site: SiteOfService) => {
      const row = policyRate(policy, line.code, site, date);
      return row ? { row, amount: row.amount === null ? null : row.amount * line.units } : undefined;
    };
    const [nonFacility, facility] = [amountIn('non-facility'), amountIn('facility')];
    const known = setting ? amountIn(setting) : nonFacility?.amount === facility?.amount ? nonFacility : undefined;
    if (known) return { code: line.code, amount: known.amount, ...(known.row.note ? { note: known.row.note } : {}) };
    if (setting || (!nonFacility && !facility)) return { code: line.code, amount: null, note: 'no rate on file for this payer' };
    // The rate depends on where the session took place, and that is not known: both figures, no guess.
    const figure = (priced: typeof nonFacility) => (priced?.amount != null ? `$${priced.amount.toFixed(2)}` : 'no rate');
    return {
      code: line.code,
      amount: null,
      note: `site of service unknown: ${figure(nonFacility)} non-facility (office), ${figure(facility)} hospital outpatient`,
    };
  });
  const amounts = priced.map((p) => p.amount);
  const settingUnknown = !setting && priced.some((p) => p.note?.startsWith('site of service unknown'));
  const numbers = amounts.filter((a): a is number => a !== null);
  return {
    payer: match.coverage.kind,
    state: match.coverage.state,
    setting: setting ?? 'unknown',
    lines: priced,
    // A total that leaves out a line priced only by site would understate the session.
    total: settingUnknown || numbers.length === 0 ? null : Math.round(numbers.reduce((a, b) => a + b, 0) * 100) / 100,
    source: `${policyName(policy)}: ${policy.source}`,
    effectiveFrom: date.slice(0, 10),
    policy: policy.id,
  };
}

/**
 * A session's money by status: the lines to bill, the pending 77387-26 (at risk until signed), and the units lost
 * (`lost`: what the record no longer supports). Priced as `estimatePayment` prices them.
 */
export function sessionMoney(
  lines: readonly BillingLine[],
  lost: readonly BillingLine[],
  match: PolicyMatch,
  setting: SiteOfService | undefined,
  date: string | null,
  noCode: boolean,
): SessionMoney {
  const worth = (group: readonly BillingLine[]): number | null =>
    group.length === 0
      ? 0
      : (estimatePayment(
          group.map((line) => ({ ...line, status: 'bill' as const })),
          match,
          setting,
          date,
        )?.total ?? null);
  return {
    billable: worth(lines.filter((line) => line.status === 'bill')),
    atRisk: worth(lines.filter((line) => line.status === 'pending')),
    lost: worth(lost),
    noCode,
  };
}
