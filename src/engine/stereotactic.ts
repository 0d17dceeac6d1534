import { sortedByInstant } from './rules/rule.js';
import type { SessionDating } from './sessions.js';
import { STEREOTACTIC_LIMITS, type StereotacticLimit } from './tables/cpt.js';
import type { Fraction, Technique } from './types.js';

/**
 * Where a stereotactic session stands in its course and its day (D-OUT-LIMITS): SBRT is a course of at most 5
 * fractions, SRS one session, and the stereotactic codes pay once per day (004). Sessions of one course are those of
 * one prescription (77373: "entire course not to exceed 5 fractions", whatever the plans or lesions); sessions of
 * other courses of the patient on the same date share the day.
 */
export interface StereotacticPlace {
  readonly technique: Technique;
  readonly limit: StereotacticLimit;
  /** 1 for the course's first session. */
  readonly ordinal: number;
  /** 1 for the first stereotactic session of the patient's date. */
  readonly ofTheDay: number;
}

const stereotacticTechnique = (fractions: readonly Fraction[]): Technique | null => {
  for (const fraction of fractions) for (const technique of fraction.plan.techniques) if (STEREOTACTIC_LIMITS.has(technique)) return technique;
  return null;
};

/**
 * The course a session belongs to: its prescription (a replanned SBRT course — plan A for 3 fractions, plan B for 3 more
 * — is one course of 6), else the plan it delivers; a session with neither is a course of its own.
 */
const courseOf = (fractions: readonly Fraction[]): string =>
  fractions.find((f) => f.prescription !== null)?.prescription ?? fractions.find((f) => f.plannedBy !== null)?.plannedBy ?? fractions[0]?.ref ?? '';

/**
 * The place of every stereotactic session among all the sessions of the input (focused or not: a session whose facts
 * were not read still counts in its plan's course, since a plan has one technique).
 */
export function stereotacticPlaces(
  groups: readonly (readonly Fraction[])[],
  dating: ReadonlyMap<readonly Fraction[], SessionDating>,
): Map<readonly Fraction[], StereotacticPlace> {
  const known = new Map<string, Technique>();
  const sessions = groups.map((fractions) => {
    const { start, dateOfService } = dating.get(fractions)!;
    const technique = stereotacticTechnique(fractions);
    const course = courseOf(fractions);
    if (technique) known.set(course, technique);
    return { fractions, start, day: dateOfService, course, patient: fractions[0]?.patient ?? null };
  });
  const byCourse = new Map<string, typeof sessions>();
  const byDay = new Map<string, typeof sessions>();
  const add = (map: Map<string, typeof sessions>, key: string, session: (typeof sessions)[number]) => {
    const list = map.get(key);
    if (list) list.push(session);
    else map.set(key, [session]);
  };
  for (const session of sessions) {
    if (!known.has(session.course) || session.start === null) continue;
    add(byCourse, session.course, session);
    add(byDay, `${session.patient ?? ''}|${session.day}`, session);
  }
  const inOrder = (list: typeof sessions) =>
    sortedByInstant(
      list,
      (s) => s.start,
      (s) => s.fractions[0]?.ref ?? '',
    );
  const places = new Map<readonly Fraction[], StereotacticPlace>();
  for (const list of byCourse.values()) {
    const course = inOrder(list);
    course.forEach((session, index) => {
      const technique = known.get(session.course)!;
      const day = inOrder(byDay.get(`${session.patient ?? ''}|${session.day}`) ?? []);
      places.set(session.fractions, {
        technique,
        limit: STEREOTACTIC_LIMITS.get(technique)!,
        ordinal: index + 1,
        ofTheDay: day.indexOf(session) + 1,
      });
    });
  }
  return places;
}
