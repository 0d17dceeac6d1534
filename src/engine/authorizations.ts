import { instant } from './rules/rule.js';
import type { Authorization, Ref } from './types.js';

/** Payer decisions that authorize something (C-AUTH-APPLIES): complete or partial, not an error, not undecided. */
const DECIDED: ReadonlySet<string> = new Set(['complete', 'partial']);

/** The patient's authorizations on file for a date of service: those that apply, and those skipped, with why. */
export interface AuthorizationCheck {
  readonly applying: readonly Authorization[];
  readonly skipped: readonly { readonly authorization: Authorization; readonly reason: string }[];
}

const day = (text: string | null): string | null => text?.slice(0, 10) ?? null;

/** Why an authorization is not this date of service's; `null` when it applies. */
function whyNot(auth: Authorization, dateOfService: string): string | null {
  if (auth.outcome === null) return auth.response === null ? 'no payer decision on file' : 'the payer response gives no outcome';
  if (auth.outcome === 'error') return 'the payer answered with an error';
  if (!DECIDED.has(auth.outcome)) return `no decision yet (${auth.outcome})`;
  const { start, end } = auth.period;
  if (start === null && end === null) return null;
  const date = instant(dateOfService.slice(0, 10));
  const covers =
    date !== null && (start === null || (instant(day(start)) ?? -Infinity) <= date) && (end === null || date <= (instant(day(end)) ?? Infinity));
  return covers ? null : `its period (${day(start) ?? '…'} to ${day(end) ?? '…'}) does not cover ${dateOfService.slice(0, 10)}`;
}

/**
 * C-AUTH-APPLIES: which of the patient's preauthorizations are this order's or session's — a decided response
 * (complete or partial) whose period covers the date of service, or that gives no period. The others are skipped.
 */
export function authorizationsFor(authorizations: readonly Authorization[], patient: Ref | null, dateOfService: string | null): AuthorizationCheck {
  const applying: Authorization[] = [];
  const skipped: { authorization: Authorization; reason: string }[] = [];
  for (const auth of authorizations) {
    if (auth.patient !== null && patient !== null && auth.patient !== patient) continue;
    const reason = dateOfService === null ? 'the date of service is unknown' : whyNot(auth, dateOfService);
    if (reason === null) applying.push(auth);
    else skipped.push({ authorization: auth, reason });
  }
  return { applying, skipped };
}
