import { DELIVERY_CODES, DELIVERY_CODE_SET, EXPECTED_LEVEL3_SHARE } from './tables/cpt.js';
import type { Ref, Utilization } from './types.js';

/** A-UTIL needs a population: at least this many sessions, of more than one patient (spec A-UTIL). */
export const MIN_POPULATION_SESSIONS = 20;

/** Which sessions a utilization figure is about: all, one month, one location, or one location in one month. */
export interface UtilizationScope {
  /** `YYYY-MM` of the sessions' date of service. */
  readonly month?: string;
  /** The session's Location reference (and name, when known). */
  readonly location?: string;
  readonly locationName?: string;
}

export interface UtilizationGroup extends Utilization {
  readonly scope: UtilizationScope;
  /** More than one patient among the sessions. */
  readonly multiplePatients: boolean;
  /** A population A-UTIL speaks about: enough sessions, more than one patient. */
  readonly population: boolean;
}

/** The facts of a session utilization counts: its billed level, date, patient and (when known) location. */
export interface UtilizationSession {
  readonly supportedDeliveryCode: string | null;
  /** The clinic's date of the session (YYYY-MM-DD): its month is the report's month. */
  readonly dateOfService: string | null;
  readonly patient: Ref | null;
  readonly location?: { readonly ref: string; readonly name?: string } | null;
}

interface Counter {
  scope: UtilizationScope;
  sessions: number;
  level3: number;
  firstPatient: Ref | null | undefined;
  multiplePatients: boolean;
}

/**
 * Counts the 77412 share of sessions billed with a 2026 delivery code, over all sessions, per month and per
 * location. Streaming: memory grows with months and locations, never with patients (one patient is remembered
 * per group, enough to tell "more than one").
 */
export class UtilizationCounter {
  private readonly groups = new Map<string, Counter>();

  add(session: UtilizationSession): void {
    if (session.supportedDeliveryCode === null || !DELIVERY_CODE_SET.has(session.supportedDeliveryCode)) return;
    const month = session.dateOfService?.slice(0, 7);
    const location = session.location ?? undefined;
    const scopes: UtilizationScope[] = [{}];
    if (month) scopes.push({ month });
    if (location) {
      const where = { location: location.ref, ...(location.name ? { locationName: location.name } : {}) };
      scopes.push(where);
      if (month) scopes.push({ month, ...where });
    }
    const level3 = session.supportedDeliveryCode === DELIVERY_CODES.level3 ? 1 : 0;
    for (const scope of scopes) {
      const key = `${scope.month ?? '*'}|${scope.location ?? '*'}`;
      let counter = this.groups.get(key);
      if (!counter) {
        counter = { scope, sessions: 0, level3: 0, firstPatient: undefined, multiplePatients: false };
        this.groups.set(key, counter);
      }
      counter.sessions += 1;
      counter.level3 += level3;
      if (counter.firstPatient === undefined) counter.firstPatient = session.patient;
      else if (counter.firstPatient !== session.patient) counter.multiplePatients = true;
    }
  }

  /** Adds the groups of another population whose patients are all different (a shard of a department). */
  merge(groups: readonly UtilizationGroup[]): void {
    for (const group of groups) {
      const key = `${group.scope.month ?? '*'}|${group.scope.location ?? '*'}`;
      const counter = this.groups.get(key);
      if (counter) {
        counter.sessions += group.sessions;
        counter.level3 += group.level3;
        counter.multiplePatients = true; // patients of two shards: more than one
      } else {
        this.groups.set(key, {
          scope: group.scope,
          sessions: group.sessions,
          level3: group.level3,
          firstPatient: null,
          multiplePatients: group.multiplePatients,
        });
      }
    }
  }

  /** All groups: the whole population first, then months, locations, and locations by month, in order. */
  result(): UtilizationGroup[] {
    return [...this.groups.values()]
      .map((c) => ({
        scope: c.scope,
        sessions: c.sessions,
        level3: c.level3,
        share: c.sessions === 0 ? null : Math.round((c.level3 / c.sessions) * 1000) / 1000,
        expectedShare: EXPECTED_LEVEL3_SHARE,
        multiplePatients: c.multiplePatients,
        population: c.sessions >= MIN_POPULATION_SESSIONS && c.multiplePatients,
      }))
      .sort(
        (a, b) =>
          rank(a.scope) - rank(b.scope) ||
          (a.scope.month ?? '').localeCompare(b.scope.month ?? '') ||
          (a.scope.location ?? '').localeCompare(b.scope.location ?? ''),
      );
  }
}

const rank = (scope: UtilizationScope) => (scope.month ? 1 : 0) + (scope.location ? 2 : 0);

/** Utilization groups of a determination's sessions (no locations: the engine does not read them). */
export function utilizationGroups(sessions: readonly UtilizationSession[]): UtilizationGroup[] {
  const counter = new UtilizationCounter();
  for (const session of sessions) counter.add(session);
  return counter.result();
}
