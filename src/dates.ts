import { z } from 'zod';

/** A calendar date as the API and CLI accept it for `asOf` (YYYY-MM-DD, a real date). */
export const CalendarDate = z.iso.date({ message: 'must be a date as YYYY-MM-DD' });

/** Today's date in UTC (YYYY-MM-DD): the as-of date of an undated order when the caller gives none (D-DATE). */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
