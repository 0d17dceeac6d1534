import { timingSafeEqual } from 'node:crypto';

/**
 * The credentials of `Authorization: Bearer <token>`; `null` when there are none. The scheme is matched
 * case-insensitively (RFC 6750 §2.1 and RFC 9110 §11.1: auth-schemes are case-insensitive).
 */
export function bearerToken(header: string | undefined): string | null {
  return /^bearer +(\S+)$/i.exec(header ?? '')?.[1] ?? null;
}

/** Compares a presented secret with a configured one in constant time. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return b.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}
