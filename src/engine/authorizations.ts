import type { EngineInput, Ref } from './types.js';

/**
 * The patient's preauthorizations; with a date of service, only those whose period includes it (or give none).
 * Sessions pass their date; orders pass none (a 2025 authorization carried forward is what C-AUTH-2025 looks for).
 */
export function authorizationsFor(
  authorizations: EngineInput['authorizations'],
  patient: Ref | null,
  start: string | null,
): EngineInput['authorizations'] {
  const day = start?.slice(0, 10);
  return authorizations.filter(
    (auth) =>
      (auth.patient === null || patient === null || auth.patient === patient) &&
      (day === undefined ||
        ((auth.period.start === null || auth.period.start.slice(0, 10) <= day) && (auth.period.end === null || day <= auth.period.end.slice(0, 10)))),
  );
}
