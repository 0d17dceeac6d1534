import { describe, expect, it } from 'vitest';
import { localDate, today } from '../../../src/engine/calendar.js';

describe("today's date at the clinic", () => {
  it('is the UTC date without a zone or in UTC, to the last millisecond of the day', () => {
    const late = new Date('2026-03-01T23:59:59.999Z');
    expect(today(late, null)).toBe('2026-03-01');
    expect(today(late, 'UTC')).toBe('2026-03-01');
    expect(today(new Date('2026-03-02T00:00:00.000Z'), null)).toBe('2026-03-02');
  });

  it("is the zone's calendar date in a zone, as localDate reads the same instant", () => {
    const evening = new Date('2026-01-01T02:30:00Z');
    expect(today(evening, 'America/Los_Angeles')).toBe('2025-12-31');
    expect(today(evening, 'Europe/Paris')).toBe('2026-01-01');
    for (const zone of ['America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Kiritimati'])
      expect(today(evening, zone)).toBe(localDate(evening.toISOString(), zone));
  });
});
