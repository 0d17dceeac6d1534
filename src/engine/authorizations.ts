import { localDate } from './calendar.js';
import type { Authorization, Ref } from './types.js';

/** Payer decisions that authorize something (C-AUTH-APPLIES): complete or partial, not an error, not undecided. */
const DECIDED: ReadonlySet<string> = new Set(['complete', 'partial']);

/** The patient's authorizations on file for a date of service: those that apply, and those skipped, with why. */
export interface AuthorizationCheck {
  readonly applying: readonly Authorization[];
  readonly skipped: readonly { readonly authorization: Authorization; readonly reason: string }[];
  /** Requests the payer denied whose period covers the date of service, or that give none (C-AUTH-2025). */
  readonly denied: readonly Authorization[];
  /** The clinic's calendar date (YYYY-MM-DD) of a date or dateTime written on an authorization. */
  date(value: string): string;
}

/** Why an authorization's period does not cover the date of service; `null` when it does or gives none. */
function outsidePeriod(auth: Authorization, dateOfService: string, zone: string | null): string | null {
  const start = auth.period.start === null ? null : localDate(auth.period.start, zone);
  const end = auth.period.end === null ? null : localDate(auth.period.end, zone);
  const covers = (start === null || start <= dateOfService) && (end === null || dateOfService <= end);
  return covers ? null : `its period (${start ?? '…'} to ${end ?? '…'}) does not cover ${dateOfService}`;
}

/** Why an authorization is not this date of service's; `null` when it applies. Periods are compared as the clinic's dates. */
function whyNot(auth: Authorization, dateOfService: string, zone: string | null): string | null {
  if (auth.outcome === null) return auth.response === null ? 'no payer decision on file' : 'the payer response gives no outcome';
  if (auth.outcome === 'error') return 'the payer answered with an error';
  if (!DECIDED.has(auth.outcome)) return `no decision yet (${auth.outcome})`;
  return outsidePeriod(auth, dateOfService, zone) ?? (auth.denied ? 'the payer denied it' : null);
}

/**
 * C-AUTH-APPLIES: which of the patient's preauthorizations are this order's or session's — a decided response
 * (complete or partial, not a denial) whose period covers the date of service, or that gives no period. The others
 * are skipped; the denials that cover the date are kept apart (C-AUTH-2025 reads them).
 */
export function authorizationsFor(
  authorizations: readonly Authorization[],
  patient: Ref | null,
  dateOfService: string | null,
  zone: string | null,
): AuthorizationCheck {
  const applying: Authorization[] = [];
  const skipped: { authorization: Authorization; reason: string }[] = [];
  const denied: Authorization[] = [];
  for (const auth of authorizations) {
    if (auth.patient !== null && patient !== null && auth.patient !== patient) continue;
    const reason = dateOfService === null ? 'the date of service is unknown' : whyNot(auth, dateOfService, zone);
    if (reason === null) applying.push(auth);
    else skipped.push({ authorization: auth, reason });
    if (auth.denied && dateOfService !== null && outsidePeriod(auth, dateOfService, zone) === null) denied.push(auth);
  }
  return { applying, skipped, denied, date: (value) => localDate(value, zone) };
}
