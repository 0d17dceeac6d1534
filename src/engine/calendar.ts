import { instant } from './rules/rule.js';
import type { DateTimeText } from './types.js';

/**
 * Dates of service are calendar dates at the clinic, not UTC dates (billing-rules.md, "Time zones"): an evening
 * session in Los Angeles at 2026-01-01T02:30:00Z is a 2025-12-31 session. Everything that is a *date* (the 2026
 * cut-over, charge matching by day, authorization periods, report months) goes through {@link localDate}; everything
 * that is an *order of events* compares instants ({@link instant}).
 */

/** Where the zone a date was read in came from. */
export type ZoneSource = 'location' | 'setting' | 'offset';

/** The zone a date is read in: an IANA zone, or `null` for "the offset written in the timestamp itself". */
export interface ClinicZone {
  readonly zone: string | null;
  readonly source: ZoneSource;
}

/** The clinic's zone, in the spec's order: the session's Location, else the configured zone, else the timestamp's own offset. */
export function clinicZone(locationZone: string | null | undefined, configured: string | null | undefined): ClinicZone {
  if (locationZone) return { zone: locationZone, source: 'location' };
  if (configured) return { zone: configured, source: 'setting' };
  return { zone: null, source: 'offset' };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(zone, format);
  }
  return format;
}

/** Whether `zone` is an IANA time-zone name this runtime knows (`America/Los_Angeles`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  if (formatters.has(zone)) return true;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

const days = new Map<string, string>();
const DAY_CACHE_LIMIT = 100_000;

/**
 * The calendar date (YYYY-MM-DD) of a FHIR date or dateTime in a zone. A date without a time is that date wherever
 * it is read; a dateTime read without a zone (`null`) is the date written in its own offset.
 */
export function localDate(value: DateTimeText, zone: string | null): string {
  if (zone === null || value.length <= 10) return value.slice(0, 10);
  const key = `${zone}|${value}`;
  let day = days.get(key);
  if (day === undefined) {
    const ms = instant(value);
    if (ms === null) return value.slice(0, 10);
    day = dayIn(ms, zone);
    if (days.size >= DAY_CACHE_LIMIT) days.clear();
    days.set(key, day);
  }
  return day;
}

/** The calendar date (YYYY-MM-DD) of an instant in an IANA zone. */
function dayIn(ms: number, zone: string): string {
  const parts = formatter(zone).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Today's date in a zone (UTC when none is set): the as-of date of undated orders (D-DATE). */
export function today(now: Date, zone: string | null): string {
  // Every call is a new instant: not through localDate's cache, which it would fill with one key per call (a hook
  // call each) and an Intl call each. In UTC the ISO text already holds the date.
  return zone === null || zone === 'UTC' ? now.toISOString().slice(0, 10) : dayIn(now.getTime(), zone);
}

/**
 * A dateTime written in UTC (`Z` or `+00:00`) before 12:00 UTC: read without a zone, its date is the next day's in
 * the Americas (D-TZ).
 */
export function ambiguousUtcDate(value: DateTimeText | null): boolean {
  if (value === null || value.length <= 10) return false;
  const match = /T(\d{2}):\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]00:?00)$/.exec(value);
  return match !== null && Number(match[1]) < 12;
}
