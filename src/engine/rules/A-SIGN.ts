import type { Signature } from '../types.js';
import { finding, instant, type Rule } from './rule.js';

/** A signature that counts: by a Practitioner, timed, and before the next beam-on (if there is one). */
export function signedInTime(signature: Signature, nextBeamOn: string | null): boolean {
  const at = instant(signature.at);
  if (!signature.byPractitioner || at === null) return false;
  const next = instant(nextBeamOn);
  return next === null || at < next;
}

/** Why a set of signatures does not count; `null` when one does. */
export function signatureProblem(signatures: readonly Signature[], nextBeamOn: string | null): string | null {
  if (signatures.some((signature) => signedInTime(signature, nextBeamOn))) return null;
  if (signatures.length === 0) return nextBeamOn === null ? 'not signed yet' : `never signed, and the next fraction began ${nextBeamOn}`;
  if (!signatures.some((signature) => signature.byPractitioner)) return 'signed, but not by a Practitioner';
  return nextBeamOn === null ? 'the signature has no time' : `signed after the next beam-on (${nextBeamOn})`;
}

/** A-SIGN: each AMM record must be signed by the physician before the next beam-on. */
export const A_SIGN: Rule = {
  id: 'A-SIGN',
  title: 'AMM record signed by the physician before the next beam-on',
  sources: ['002'],
  session(context) {
    const severity = context.igrt.status === 'not-supportable' ? 'critical' : 'warning';
    return context.amm.flatMap((amm) =>
      amm.fraction.ammRecords.flatMap((record) => {
        const problem = signatureProblem(record.signatures, context.nextBeamOn);
        if (problem === null) return [];
        const consequence =
          severity === 'critical'
            ? " The session's 77387-26 is not supportable."
            : context.nextBeamOn === null
              ? ' Sign it before the next beam-on to bill the professional service.'
              : '';
        return [
          finding(this, severity, `AMM record ${record.ref}: ${problem}.${consequence}`, [
            record.ref,
            amm.fraction.ref,
            ...record.signatures.map((s) => s.provenance),
          ]),
        ];
      }),
    );
  },
};
