import type { Authorization, Ref } from './types.js';

/** Payer decisions that authorize something (C-AUTH-APPLIES): complete or partial, not an error, not undecided. */
const DECIDED: ReadonlySet<string> = new Set(['complete', 'partial']);

/** The patient's authorizations on file for a date of service: those that apply, and those skipped, with why. */
export interface AuthorizationCheck {
  readonly applying: readonly Authorization[];
  readonly skipped: readonly { readonly authorization: Authorization; readonly reason: string }[];
  /** Requests the payer denied (in whole or in part) whose period covers the date of service, or that give none (C-AUTH-2025). */
  readonly denied: readonly Authorization[];
}

/**
 * The calendar date an authorization writes (a period bound, its issue date): the payer's date as written, in its own
 * offset — `2026-01-01T00:00:00Z` is the payer's 1 January, not the clinic's 31 December. The date of service it is
 * compared with is the clinic's.
 */
export const writtenDate = (value: string): string => value.slice(0, 10);

/** Why an authorization's period does not cover the date of service; `null` when it does or gives none. */
function outsidePeriod(auth: Authorization, dateOfService: string): string | null {
  const start = auth.period.start === null ? null : writtenDate(auth.period.start);
  const end = auth.period.end === null ? null : writtenDate(auth.period.end);
  const covers = (start === null || start <= dateOfService) && (end === null || dateOfService <= end);
  return covers ? null : `its period (${start ?? '…'} to ${end ?? '…'}) does not cover ${dateOfService}`;
}

/** Why an authorization is not this date of service's; `null` when it applies. */
function whyNot(auth: Authorization, dateOfService: string): string | null {
  if (auth.outcome === null) return auth.response === null ? 'no payer decision on file' : 'the payer response gives no outcome';
  if (auth.outcome === 'error') return 'the payer answered with an error';
  if (!DECIDED.has(auth.outcome)) return `no decision yet (${auth.outcome})`;
  return outsidePeriod(auth, dateOfService) ?? (auth.denied ? 'the payer denied it' : null);
}

/**
 * C-AUTH-APPLIES: which of the patient's preauthorizations are this order's or session's — a decided response
 * (complete or partial, not a denial) whose period covers the date of service, or that gives no period. The others
 * are skipped; the denials that cover the date are kept apart (C-AUTH-2025 reads them).
 */
export function authorizationsFor(authorizations: readonly Authorization[], patient: Ref | null, dateOfService: string | null): AuthorizationCheck {
  const applying: Authorization[] = [];
  const skipped: { authorization: Authorization; reason: string }[] = [];
  const denied: Authorization[] = [];
  for (const auth of authorizations) {
    if (auth.patient !== null && patient !== null && auth.patient !== patient) continue;
    const reason = dateOfService === null ? 'the date of service is unknown' : whyNot(auth, dateOfService);
    if (reason === null) applying.push(auth);
    else skipped.push({ authorization: auth, reason });
    const anyDenied = auth.denied || auth.items.some((item) => item.denied);
    if (anyDenied && dateOfService !== null && outsidePeriod(auth, dateOfService) === null) denied.push(auth);
  }
  return { applying, skipped, denied };
}
