import { clinicZone, localDate } from './calendar.js';
import { instant, sortedByInstant } from './rules/rule.js';
import type { BookedTreatment, Fraction, Ref } from './types.js';

/**
 * Fraction statuses that mean radiation was delivered: `completed`, and `stopped` (treatment began and was interrupted:
 * a partially delivered session, coded by its facts like any other, D-PARTIAL). Any other status is not delivered.
 */
const DELIVERED_STATUSES: ReadonlySet<string> = new Set(['completed', 'stopped']);

/** Whether radiation was delivered in the fraction (a session is formed from it). */
export const wasDelivered = (fraction: Fraction): boolean => DELIVERED_STATUSES.has(fraction.status);

/**
 * Groups completed fractions into treatment sessions: the same Encounter is one session; fractions without
 * an Encounter form a session with those of the same patient whose beam-on–beam-off periods overlap.
 */
export function groupSessions(fractions: readonly Fraction[]): Fraction[][] {
  const byEncounter = new Map<Ref, Fraction[]>();
  const loose: Fraction[] = [];
  for (const fraction of fractions) {
    if (fraction.encounter === null) loose.push(fraction);
    else {
      const group = byEncounter.get(fraction.encounter);
      if (group) group.push(fraction);
      else byEncounter.set(fraction.encounter, [fraction]);
    }
  }
  return [...byEncounter.values(), ...groupOverlapping(loose)];
}

function groupOverlapping(fractions: readonly Fraction[]): Fraction[][] {
  const sorted = sortedByInstant(
    fractions,
    (f) => f.start,
    (f) => f.ref,
  );
  const groups: { end: number; fractions: Fraction[] }[] = [];
  // Each patient's open groups apart: a fraction is compared with its own patient's sessions still under way at its
  // start. Fractions come in time order, so a group that ended before one starts is closed for every later one.
  const byPatient = new Map<Ref | null, { end: number; fractions: Fraction[] }[]>();
  for (const fraction of sorted) {
    const start = instant(fraction.start);
    const end = instant(fraction.end) ?? start;
    let own = byPatient.get(fraction.patient) ?? [];
    if (start !== null) own = own.filter((g) => start < g.end);
    const open = start === null ? undefined : own[0];
    if (open && end !== null) {
      open.fractions.push(fraction);
      open.end = Math.max(open.end, end);
    } else {
      const group = { end: end ?? -Infinity, fractions: [fraction] };
      groups.push(group);
      own.push(group);
    }
    byPatient.set(fraction.patient, own);
  }
  return groups.map((g) => g.fractions);
}

/** When a session took place: its first beam-on, the clinic's zone, and the date of service in it. */
export interface SessionDating {
  readonly start: string | null;
  readonly zone: string | null;
  readonly dateOfService: string | null;
}

/** A session's dating, computed once per session (billing-rules.md, "Time zones"). */
export function sessionDating(fractions: readonly Fraction[], configuredZone: string | null): SessionDating {
  const start = sessionStart(fractions);
  const { zone } = clinicZone(fractions.find((f) => f.timeZone !== null)?.timeZone, configuredZone);
  return { start, zone, dateOfService: start === null ? null : localDate(start, zone) };
}

/** The earliest start among a session's fractions. */
export function sessionStart(fractions: readonly Fraction[]): string | null {
  let best: { ms: number; text: string } | null = null;
  for (const fraction of fractions) {
    const ms = instant(fraction.start);
    if (ms !== null && fraction.start && (best === null || ms < best.ms)) best = { ms, text: fraction.start };
  }
  return best?.text ?? null;
}

interface BeamOn {
  readonly ms: number;
  readonly text: string;
  readonly ref: Ref;
}

/** The last beam-off of a session (a fraction without an end counts by its start). */
function sessionEnd(fractions: readonly Fraction[]): number | null {
  let end: number | null = null;
  for (const fraction of fractions) {
    const ms = instant(fraction.end) ?? instant(fraction.start);
    if (ms !== null && (end === null || ms > end)) end = ms;
  }
  return end;
}

/**
 * Finds the next beam-on after a session: the earliest completed fraction of the same patient, outside the session,
 * that starts after the session's last beam-off (spec/fhir-input.md §2). Each patient's fractions are sorted once;
 * each lookup is a binary search.
 */
export function nextBeamOnIndex(fractions: readonly Fraction[]): (session: readonly Fraction[]) => string | null {
  const byPatient = new Map<Ref | null, BeamOn[]>();
  for (const fraction of fractions) {
    const ms = instant(fraction.start);
    if (ms === null || !fraction.start) continue;
    const list = byPatient.get(fraction.patient) ?? [];
    list.push({ ms, text: fraction.start, ref: fraction.ref });
    byPatient.set(fraction.patient, list);
  }
  for (const list of byPatient.values()) list.sort((a, b) => a.ms - b.ms);

  return (session) => {
    const end = sessionEnd(session);
    const first = session[0];
    if (end === null || !first) return null;
    const list = byPatient.get(first.patient) ?? [];
    const own = new Set(session.map((f) => f.ref));
    for (let i = firstAfter(list, end); i < list.length; i++) {
      const candidate = list[i]!;
      if (!own.has(candidate.ref)) return candidate.text;
    }
    return null;
  };
}

/**
 * Finds the patient's next booked treatment after a session (the schedule's deadline, never its billability): each
 * patient's appointments sorted once, each lookup a binary search.
 */
export function nextTreatmentIndex(appointments: readonly BookedTreatment[]): (session: readonly Fraction[]) => string | null {
  const byPatient = new Map<Ref | null, BeamOn[]>();
  for (const appointment of appointments) {
    const ms = instant(appointment.start);
    if (ms === null) continue;
    const list = byPatient.get(appointment.patient) ?? [];
    list.push({ ms, text: appointment.start, ref: appointment.ref });
    byPatient.set(appointment.patient, list);
  }
  for (const list of byPatient.values()) list.sort((a, b) => a.ms - b.ms);
  return (session) => {
    const end = sessionEnd(session);
    const list = byPatient.get(session[0]?.patient ?? null);
    if (end === null || !list) return null;
    return list[firstAfter(list, end)]?.text ?? null;
  };
}

function firstAfter(list: readonly BeamOn[], ms: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list[mid]!.ms <= ms) low = mid + 1;
    else high = mid;
  }
  return low;
}
