import type { PayerKind, SiteOfService } from '../types.js';
import type { SourceKey } from './sources.js';

/**
 * Payment rates for reviewer estimates (rule R). Data, not code: each row has its payer, setting,
 * effective dates and source. Estimates never decide a code.
 */
export interface RateRow {
  readonly code: string;
  readonly payer: PayerKind;
  /** Medicaid rates are per state; `null` for national rates. */
  readonly state: string | null;
  /** `null`: the same in both settings. */
  readonly setting: SiteOfService | null;
  /** `null`: no fixed rate (e.g. "I.C.", individual consideration). */
  readonly amount: number | null;
  readonly note?: string;
  readonly effectiveFrom: string;
  readonly effectiveTo: string | null;
  readonly source: SourceKey;
}

const medicare = (code: string, mpfs: number, opps: number | null): RateRow[] => [
  {
    code,
    payer: 'medicare',
    state: null,
    setting: 'non-facility',
    amount: mpfs,
    effectiveFrom: '2026-01-01',
    effectiveTo: '2026-12-31',
    source: '000',
  },
  ...(opps === null
    ? []
    : [
        {
          code,
          payer: 'medicare',
          state: null,
          setting: 'facility',
          amount: opps,
          effectiveFrom: '2026-01-01',
          effectiveTo: '2026-12-31',
          source: '000',
        } as RateRow,
      ]),
];

const medicaid = (
  state: string,
  code: string,
  amount: number | null,
  effectiveFrom = '2026-01-01',
  effectiveTo: string | null = '2026-12-31',
  note?: string,
): RateRow => ({
  code,
  payer: 'medicaid',
  state,
  setting: null,
  amount,
  effectiveFrom,
  effectiveTo,
  source: '000',
  ...(note ? { note } : {}),
});

export const RATES: readonly RateRow[] = [
  // Medicare 2026 national: MPFS non-facility / OPPS (000, 002).
  ...medicare('77402', 79.49, 104.24),
  ...medicare('77407', 317.64, 394.05),
  ...medicare('77412', 391.46, 564.51),
  {
    code: '77387-26',
    payer: 'medicare',
    state: null,
    setting: null,
    amount: 36.74,
    effectiveFrom: '2026-01-01',
    effectiveTo: '2026-12-31',
    source: '000',
  },
  // Medicaid, California.
  medicaid('CA', '77387-26', 0),
  medicaid('CA', '77402', 42.4),
  medicaid('CA', '77407', 38.77),
  medicaid('CA', '77412', 43.2),
  // Medicaid, Texas: new rates from 2026-03-01.
  medicaid('TX', '77387-26', 16.31, '2026-01-01', '2026-02-28'),
  medicaid('TX', '77387-26', 16.57, '2026-03-01'),
  // TX Medicaid lists the delivery codes as not payable to physicians (000): no fixed amount to show.
  ...['77402', '77407', '77412'].map((code) =>
    medicaid('TX', code, null, '2026-01-01', '2026-12-31', 'not payable to physicians (TX Medicaid fee schedule)'),
  ),
  // Medicaid, Massachusetts: individual consideration, no fixed rate.
  ...['77402', '77407', '77412', '77387-26'].map((code) => medicaid('MA', code, null, '2026-01-01', '2026-12-31', 'I.C. (individual consideration)')),
  // Commercial: 77387-26 is often paid $100-130 (000); shown as the low end.
  {
    code: '77387-26',
    payer: 'commercial',
    state: null,
    setting: null,
    amount: 100,
    note: 'often $100-130; contract rates vary',
    effectiveFrom: '2026-01-01',
    effectiveTo: '2026-12-31',
    source: '000',
  },
];

/** The row that applies to a code for a payer, state, setting and date; `undefined` when none does. */
export function findRate(code: string, payer: PayerKind, state: string | null, setting: SiteOfService, date: string): RateRow | undefined {
  const day = date.slice(0, 10);
  return RATES.find(
    (row) =>
      row.code === code &&
      row.payer === payer &&
      (row.state === null || row.state === state) &&
      (row.setting === null || row.setting === setting) &&
      row.effectiveFrom <= day &&
      (row.effectiveTo === null || day <= row.effectiveTo),
  );
}
