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
  | { readonly kind: 'unverified'; readonly reason: string; readonly missing: UnreadEvidence };

/** What an unverified verdict needs: the signatures, a signer's PractitionerRole, or the patient's later fractions. */
export type UnreadEvidence =
  { readonly kind: 'signatures' } | { readonly kind: 'role'; readonly role: string } | { readonly kind: 'later-fractions' };

/** How to supply what an unverified verdict lacks (`signatures`: how the rule names its own signatures). */
export function supplyUnread(missing: UnreadEvidence, signatures: string): string {
  const what =
    missing.kind === 'signatures'
      ? signatures
      : missing.kind === 'role'
        ? `${missing.role} (the signer's PractitionerRole)`
        : "the patient's later fractions";
  return `Supply ${what}, or a FHIR server the service can read ${missing.kind === 'role' ? 'it' : 'them'} from.`;
}

/** What the verdict depends on beyond the signatures themselves. */
export interface SignatureTiming {
  /** The start of the patient's next session, as far as the input knows; `null` when none is known. */
  readonly nextBeamOn: string | null;
  /** The patient's later fractions were read: `nextBeamOn` is exact (when `false`, a later one may be missing). */
  readonly nextBeamOnKnown: boolean;
  /** Signatures were read (when `false`, none seen does not mean none made). */
  readonly signaturesRead: boolean;
}

/**
 * The earliest physician signature decides (a device's record is not one). A signer whose PractitionerRole could not be
 * read may be the physician: when such a signature comes before the next beam-on and no physician signed in time, the
 * verdict is unverified, never late or unsigned.
 */
export function signatureVerdict(signatures: readonly Signature[], timing: SignatureTiming): SignatureVerdict {
  if (!timing.signaturesRead) return { kind: 'unverified', reason: 'the signatures (Provenance) could not be read', missing: { kind: 'signatures' } };
  const next = instant(timing.nextBeamOn);
  const physician = signatures.filter((s) => s.byPractitioner === true && instant(s.at) !== null).sort((a, b) => instant(a.at)! - instant(b.at)!)[0];
  const unknownRole = signatures.find((s) => s.byPractitioner === null && (next === null || (instant(s.at) ?? -Infinity) < next));
  const roleUnread = (): SignatureVerdict => ({
    kind: 'unverified',
    reason: `the signer ${unknownRole!.by ?? 'named'} is a PractitionerRole that could not be read`,
    missing: { kind: 'role', role: unknownRole!.by ?? 'the PractitionerRole' },
  });
  if (physician) {
    const at = instant(physician.at)!;
    // Signed after a later fraction the input holds: late whatever else is missing (the next is no later than that one),
    // unless an earlier signer's role could not be read.
    if (next !== null && at >= next) {
      if (unknownRole) return roleUnread();
      return { kind: 'late', reason: `signed ${physician.at}, after the next beam-on (${timing.nextBeamOn})` };
    }
    if (timing.nextBeamOnKnown) return { kind: 'in-time', signature: physician };
    return {
      kind: 'unverified',
      reason: `signed ${physician.at}, but whether another fraction began before that could not be checked`,
      missing: { kind: 'later-fractions' },
    };
  }
  if (unknownRole) return roleUnread();
  const why =
    signatures.length === 0
      ? 'not signed'
      : !signatures.some((s) => s.byPractitioner === true)
        ? `signed, but not by a Practitioner (${[...new Set(signatures.map((s) => s.by ?? 'unknown signer'))].join(', ')})`
        : 'the signature has no time';
  if (next !== null) return { kind: 'late', reason: `${why}, and the next fraction began ${timing.nextBeamOn}` };
  if (timing.nextBeamOnKnown) return { kind: 'pending', reason: why === 'not signed' ? 'not signed yet' : why };
  return {
    kind: 'unverified',
    reason: `${why} yet, and whether the next fraction has begun could not be checked`,
    missing: { kind: 'later-fractions' },
  };
}
