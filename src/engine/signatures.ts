import { instant } from './rules/rule.js';
import type { Ref, Signature } from './types.js';

/**
 * Whether a record (a fraction's images, an AMM record) was signed by a physician before the next beam-on (A-SIGN,
 * I-SIGN). `unverified` when what decides it could not be read: the signatures, the signer's role, or whether a later
 * fraction has started — never reported as unsigned or late.
 */
export type SignatureVerdict =
  | { readonly kind: 'in-time'; readonly signature: Signature }
  | { readonly kind: 'pending'; readonly reason: string }
  | { readonly kind: 'late'; readonly reason: string; /** The physician's signature when there is one, too late. */ readonly signature?: Signature }
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
  /**
   * A later fraction was delivered, though its record is not in the input: a summary of the same treatment ends after
   * the session or counts beyond its fraction number (spec v3). `noLaterThan`: the summary's end, when after the
   * session (the next beam-on was no later than that).
   */
  readonly laterDelivered: LaterDelivered | null;
}

/** The proof that a later fraction was delivered without its record: the summary, and when it ended at the latest. */
export interface LaterDelivered {
  readonly summary: Ref;
  readonly noLaterThan: string | null;
}

/** A signer who counts as the physician: a Practitioner (or a role naming one) whose role is not a non-physician's. */
export const byPhysician = (signature: Signature): boolean => signature.byPractitioner === true && signature.role !== 'non-physician';

/** How a verdict names who signed, and in what role (the evidence says "role not recorded" when it is not). */
export function signerText(signature: Signature): string {
  const who = signature.by ?? 'an unnamed signer';
  if (signature.role === 'not-recorded') return `${who} (role not recorded: counted as the physician)`;
  return signature.roleName ? `${who} (${signature.roleName})` : who;
}

/**
 * The earliest physician signature decides: a device's record, or a radiation therapist's, is not one (spec v3). A
 * signer whose PractitionerRole could not be read may be the physician: when such a signature comes before the next
 * beam-on and no physician signed in time, the verdict is unverified, never late or unsigned.
 */
export function signatureVerdict(signatures: readonly Signature[], timing: SignatureTiming): SignatureVerdict {
  if (!timing.signaturesRead) return { kind: 'unverified', reason: 'the signatures (Provenance) could not be read', missing: { kind: 'signatures' } };
  const next = instant(timing.nextBeamOn);
  const physician = signatures.filter((s) => byPhysician(s) && instant(s.at) !== null).sort((a, b) => instant(a.at)! - instant(b.at)!)[0];
  const unknownRole = signatures.find((s) => s.byPractitioner === null && (next === null || (instant(s.at) ?? -Infinity) < next));
  const roleUnread = (): SignatureVerdict => ({
    kind: 'unverified',
    reason: `the signer ${unknownRole!.by ?? 'named'} is a PractitionerRole that could not be read`,
    missing: { kind: 'role', role: unknownRole!.by ?? 'the PractitionerRole' },
  });
  const later = timing.laterDelivered;
  const laterText = later ? `${later.summary} shows a later fraction was delivered${later.noLaterThan ? ` (by ${later.noLaterThan})` : ''}` : '';
  if (physician) {
    const at = instant(physician.at)!;
    // Signed after a later fraction the input holds: late whatever else is missing (the next is no later than that one),
    // unless an earlier signer's role could not be read.
    if (next !== null && at >= next) {
      if (unknownRole) return roleUnread();
      return {
        kind: 'late',
        reason: `signed ${physician.at} by ${signerText(physician)}, after the next beam-on (${timing.nextBeamOn})`,
        signature: physician,
      };
    }
    if (next === null && later?.noLaterThan && at >= instant(later.noLaterThan)!) {
      if (unknownRole) return roleUnread();
      return {
        kind: 'late',
        reason: `signed ${physician.at} by ${signerText(physician)}, after the next beam-on: ${laterText}`,
        signature: physician,
      };
    }
    if (next === null && later)
      return {
        kind: 'unverified',
        reason: `signed ${physician.at} by ${signerText(physician)}, but ${laterText} and its fraction records, which say when the next beam-on was, are not in the record`,
        missing: { kind: 'later-fractions' },
      };
    if (timing.nextBeamOnKnown) return { kind: 'in-time', signature: physician };
    return {
      kind: 'unverified',
      reason: `signed ${physician.at} by ${signerText(physician)}, but whether another fraction began before that could not be checked`,
      missing: { kind: 'later-fractions' },
    };
  }
  if (unknownRole) return roleUnread();
  const others = signatures.filter((s) => !byPhysician(s));
  const why =
    signatures.length === 0
      ? 'not signed'
      : others.length === signatures.length
        ? `signed, but not by a physician (${[...new Set(others.map(signerText))].join(', ')})`
        : 'the signature has no time';
  if (next !== null) return { kind: 'late', reason: `${why}, and the next fraction began ${timing.nextBeamOn}` };
  if (later) return { kind: 'late', reason: `${why}, and ${laterText}` };
  if (timing.nextBeamOnKnown) return { kind: 'pending', reason: why === 'not signed' ? 'not signed yet' : why };
  return {
    kind: 'unverified',
    reason: `${why} yet, and whether the next fraction has begun could not be checked`,
    missing: { kind: 'later-fractions' },
  };
}
