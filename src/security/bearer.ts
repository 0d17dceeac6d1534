import { timingSafeEqual } from 'node:crypto';

/** The credentials of `Authorization: Bearer <token>`; `null` when there are none. */
export function bearerToken(header: string | undefined): string | null {
  return /^Bearer\s+(\S+)$/.exec(header ?? '')?.[1] ?? null;
}

/** Compares a presented secret with a configured one in constant time. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return b.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}
