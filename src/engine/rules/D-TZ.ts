import { ambiguousUtcDate } from '../calendar.js';
import { finding, type Rule } from './rule.js';

/**
 * D-TZ: dates of service are the clinic's calendar dates. When no zone is known (no Location zone, no configured zone)
 * and a date comes from a timestamp written in UTC before 12:00 UTC — the hours at which the calendar date differs in
 * the Americas — one finding per answer says which dates were used and how to give the zone.
 */
export const D_TZ: Rule = {
  id: 'D-TZ',
  title: 'Dates of service read without the clinic’s time zone',
  sources: ['001', 'spec'],
  record(context) {
    const dated = [
      ...context.sessions
        .filter((s) => s.timeZone === null && ambiguousUtcDate(s.start))
        .map((s) => ({ ref: s.encounter ?? s.fractions[0] ?? '', at: s.start!, date: s.dateOfService! })),
      ...context.orders
        .filter((o) => o.timeZone === null && ambiguousUtcDate(o.serviceDate))
        .map((o) => ({ ref: o.order, at: o.serviceDate!, date: o.dateOfService })),
    ];
    if (dated.length === 0) return [];
    const shown = dated.slice(0, 5).map((d) => `${d.ref} ${d.at} → ${d.date}`);
    const more = dated.length > shown.length ? ` and ${dated.length - shown.length} more` : '';
    return [
      finding(
        this,
        'info',
        `The clinic's time zone is not known, so dates of service were read as written in UTC: ${shown.join('; ')}${more}. In the Americas these are the previous calendar day. Give the session's Location a time zone (FHIR's timezone extension) or set CLINIC_TIME_ZONE (e.g. America/Chicago).`,
        dated.map((d) => d.ref),
      ),
    ];
  },
  headline: () => "Dates of service read in UTC: set the clinic's time zone",
};
