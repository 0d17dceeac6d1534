import { findRate, RATES } from './tables/rates.js';
import { SOURCES } from './tables/sources.js';
import type { BillingLine, Payer, RateEstimate, SiteOfService } from './types.js';

/** The documents the rate table comes from, cited on every estimate. */
const RATE_SOURCES = [...new Set(RATES.map((r) => r.source))].map((key) => `${key} (${SOURCES[key].title})`).join('; ');

/** Estimated payment for the lines to bill (rule R): shown to reviewers, never used to decide a code. */
export function estimatePayment(
  lines: readonly BillingLine[],
  payer: Payer | undefined,
  setting: SiteOfService | undefined,
  date: string | null,
): RateEstimate | null {
  if (!payer || !date) return null;
  const effectiveSetting = setting ?? 'non-facility';
  const billed = lines.filter((line) => line.status !== 'bundled');
  const priced = billed.map((line) => {
    const row = findRate(line.code, payer.kind, payer.state, effectiveSetting, date);
    if (!row) return { code: line.code, amount: null, note: 'no rate on file for this payer' };
    const needsSetting = row.setting !== null && setting === undefined;
    return {
      code: line.code,
      amount: row.amount === null ? null : row.amount * line.units,
      ...(row.note || needsSetting
        ? { note: [row.note, needsSetting ? 'site of service unknown: non-facility rate shown' : undefined].filter(Boolean).join('; ') }
        : {}),
    };
  });
  const amounts = priced.map((p) => p.amount).filter((a): a is number => a !== null);
  return {
    payer: payer.kind,
    state: payer.state,
    setting: effectiveSetting,
    lines: priced,
    total: amounts.length === 0 ? null : Math.round(amounts.reduce((a, b) => a + b, 0) * 100) / 100,
    source: RATE_SOURCES,
    effectiveFrom: date.slice(0, 10),
  };
}
