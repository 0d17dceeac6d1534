import { z } from 'zod';
import type { ExtractOptions } from '../fhir/extract.js';

/**
 * The as-of date of a run (YYYY-MM-DD): the date an undated order is evaluated as of (D-DATE), today (UTC) unless
 * the caller gives one. A department run evaluates every patient as of the same date.
 */
export const AsOfDate = z.iso.date({ message: 'must be a date as YYYY-MM-DD' });

export const todayUtc = (now: Date = new Date()): string => now.toISOString().slice(0, 10);

/** Reader options carrying the as-of date, for readers that take one (D-DATE). */
export function extractOptions(asOf: string): ExtractOptions {
  return { asOf } as ExtractOptions & { asOf: string };
}
