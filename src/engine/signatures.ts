import { instant } from './rules/rule.js';
import type { Signature } from './types.js';

/**
 * Whether a record (a fraction's images, an AMM record) was signed by a physician before the next beam-on (A-SIGN,
 * I-SIGN). `unverified` when what decides it could not be read: the signatures, the signer's role, or whether a later
 * fraction has started — never reported as unsigned or late.
 */
export type SignatureVerdict =
  | { readonly kind: 'in-time'; readonly signature: Signature }
  | { readonly kind: 'pending'; readonly reason: string }
  | { readonly kind: 'late'; readonly reason: string }
  | { readonly kind: 'unverified'; readonly reason: string };

/** What the verdict depends on beyond the signatures themselves. */
export interface SignatureTiming {
  /** The start of the patient's next session, as far as the input knows; `null` when none is known. */
  readonly nextBeamOn: string | null;
  /** The patient's later fractions were read: `nextBeamOn` is exact (when `false`, a later one may be missing). */
  readonly nextBeamOnKnown: boolean;
  /** Signatures were read (when `false`, none seen does not mean none made). */
  readonly signaturesRead: boolean;
}

/** The earliest physician signature decides (a device's or an unknown role's record is not one). */
export function signatureVerdict(signatures: readonly Signature[], timing: SignatureTiming): SignatureVerdict {
  if (!timing.signaturesRead) return { kind: 'unverified', reason: 'the signatures (Provenance) could not be read' };
  const next = instant(timing.nextBeamOn);
  const physician = signatures.filter((s) => s.byPractitioner === true && instant(s.at) !== null).sort((a, b) => instant(a.at)! - instant(b.at)!)[0];
  if (physician) {
    const at = instant(physician.at)!;
    // Signed after a later fraction the input holds: late whatever else is missing (the next is no later than that one).
    if (next !== null && at >= next) return { kind: 'late', reason: `signed ${physician.at}, after the next beam-on (${timing.nextBeamOn})` };
    if (timing.nextBeamOnKnown) return { kind: 'in-time', signature: physician };
    return { kind: 'unverified', reason: `signed ${physician.at}, but whether another fraction began before that could not be checked` };
  }
  const unknownRole = signatures.find((s) => s.byPractitioner === null);
  if (unknownRole) return { kind: 'unverified', reason: `the signer ${unknownRole.by ?? 'named'} is a PractitionerRole that could not be read` };
  const why =
    signatures.length === 0
      ? 'not signed'
      : !signatures.some((s) => s.byPractitioner === true)
        ? `signed, but not by a Practitioner (${[...new Set(signatures.map((s) => s.by ?? 'unknown signer'))].join(', ')})`
        : 'the signature has no time';
  if (next !== null) return { kind: 'late', reason: `${why}, and the next fraction began ${timing.nextBeamOn}` };
  if (timing.nextBeamOnKnown) return { kind: 'pending', reason: why === 'not signed' ? 'not signed yet' : why };
  return { kind: 'unverified', reason: `${why} yet, and whether the next fraction has begun could not be checked` };
}
