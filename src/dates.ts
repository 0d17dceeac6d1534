import { z } from 'zod';
import { isTimeZone, today } from './engine/calendar.js';

/** A calendar date as the API and CLI accept it for `asOf` (YYYY-MM-DD, a real date). */
export const CalendarDate = z.iso.date({ message: 'must be a date as YYYY-MM-DD' });

/** The clinic's time zone as the settings take it: an IANA name this runtime knows (`America/Chicago`). */
export const TimeZone = z.string().refine(isTimeZone, { message: 'must be an IANA time-zone name such as America/Chicago' });

/**
 * Today's date at the clinic (YYYY-MM-DD): the as-of date of an undated order when the caller gives none (D-DATE), in
 * the configured zone (`CLINIC_TIME_ZONE`), else in UTC.
 */
export function todayAtClinic(zone: string | null, now: Date = new Date()): string {
  return today(now, zone);
}
