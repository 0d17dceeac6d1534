import { snapshots } from './A-QUAL.js';
import { signatureVerdict, supplyUnread, type SignatureTiming, type SignatureVerdict } from '../signatures.js';
import type { Fraction, IgrtStatus, Ref, SuggestedAction } from '../types.js';
import {
  anyCritical,
  byDeadline,
  couldNotBeChecked,
  finding,
  ofSession,
  settledFinding,
  uncheckedFinding,
  type Rule,
  type SessionContext,
} from './rule.js';

/** A record of the session's guidance that a physician signs: a fraction's images, or an AMM record. */
export interface GuidanceRecord {
  readonly kind: 'images' | 'amm-record';
  /** The signed resource: the fraction (its images) or the AMM DocumentReference. */
  readonly ref: Ref;
  readonly fraction: Fraction;
  readonly verdict: SignatureVerdict;
}

/**
 * Every guidance record of the session: the images of each fraction with image guidance (pre-treatment images, or a
 * snapshot taken during the fraction), each AMM fraction's records.
 */
export function guidanceRecords(fractions: readonly Fraction[], ammFractions: readonly Fraction[], timing: SignatureTiming): GuidanceRecord[] {
  return [
    ...fractions
      .filter((fraction) => fraction.delivered.imageGuidance.length > 0 || snapshots(fraction.delivered).length > 0)
      .map((fraction) => ({ kind: 'images' as const, ref: fraction.ref, fraction, verdict: signatureVerdict(fraction.imageApprovals, timing) })),
    ...ammFractions.flatMap((fraction) =>
      fraction.ammRecords.map((record) => ({
        kind: 'amm-record' as const,
        ref: record.ref,
        fraction,
        verdict: signatureVerdict(record.signatures, timing),
      })),
    ),
  ];
}

/**
 * The one 77387-26 unit: `billable` when one guidance record was signed by a physician in time; `pending` while
 * signing is still possible, or while what decides it could not be checked; `not-supportable` once a later fraction
 * began with none signed.
 */
export function igrtSignStatus(records: readonly GuidanceRecord[], timing: SignatureTiming, unverifiable: boolean): IgrtStatus {
  if (records.some((r) => r.verdict.kind === 'in-time')) return 'billable';
  if (unverifiable || records.some((r) => r.verdict.kind === 'unverified' || r.verdict.kind === 'pending')) return 'pending';
  return timing.nextBeamOn === null && timing.laterDelivered === null ? 'pending' : 'not-supportable';
}

/** The physician's signature on a guidance record, asked for before the next beam-on (I-SIGN, A-SIGN). */
export function askToSign(context: SessionContext, record: GuidanceRecord, what: 'approve-images' | 'sign-amm-record'): SuggestedAction {
  return {
    kind: 'physician-signature',
    what,
    focus: record.ref,
    patient: record.fraction.patient,
    physician: context.physicianOf(record.fraction),
    before: context.nextBeamOn,
    deadline: context.nextTreatment,
  };
}

const APPROVALS = 'the image approvals (Provenance targeting the fraction)';
/** Unapproved images while the unit is billable through another signed record: the headline says so. */
const STAYS_BILLABLE = '77387-26 stays billable';
/** Tracking with nothing to sign: the finding's opening, which its card headline tells apart from unapproved images. */
const NO_GUIDANCE_RECORD = 'Intra-fraction tracking was performed but there is no guidance record';

/** I-SIGN: the physician must review the guidance (approve the images) before the next fraction. */
export const I_SIGN: Rule = {
  id: 'I-SIGN',
  title: 'Guidance reviewed by the physician before the next fraction',
  sources: ['001', '002'],
  session(context) {
    const { igrt } = context;
    if (igrt.treatment !== 'separate' || !igrt.performed || igrt.status === 'none') return [];
    const through = igrt.records.find((r) => r.verdict.kind === 'in-time');
    const findings = igrt.records
      .filter((record) => record.kind === 'images')
      .flatMap((record) => {
        const { verdict } = record;
        if (verdict.kind === 'in-time') return [];
        const evidence = [record.ref, ...record.fraction.imageApprovals.map((s) => s.provenance)];
        if (verdict.kind === 'unverified')
          return [
            uncheckedFinding(
              this,
              `Image approval for ${record.ref} could not be checked: ${verdict.reason}. ${supplyUnread(verdict.missing, APPROVALS)}`,
              evidence,
            ),
          ];
        if (through) {
          const by = through.kind === 'images' ? `the approved images of ${through.ref}` : `the signed AMM record ${through.ref}`;
          return [finding(this, 'warning', `Guidance images of ${record.ref}: ${verdict.reason}. ${STAYS_BILLABLE} through ${by}.`, evidence)];
        }
        if (verdict.kind === 'pending') {
          return [
            finding(
              this,
              'warning',
              `Guidance images of ${record.ref}: ${verdict.reason}. Approve them before the next fraction to bill 77387-26.`,
              evidence,
              [askToSign(context, record, 'approve-images')],
            ),
          ];
        }
        return [
          settledFinding(
            this,
            'critical',
            `Guidance images of ${record.ref}: ${verdict.reason}. 77387-26 is not supportable for this session.`,
            evidence,
          ),
        ];
      });
    // Tracking with nothing to sign (no images, no AMM record): nothing else says why the unit is not billable.
    if (igrt.records.length === 0 && igrt.status !== 'billable' && !igrt.recordsUnread) {
      const lost = igrt.status === 'not-supportable';
      findings.push(
        (lost ? settledFinding : finding)(
          this,
          lost ? 'critical' : 'warning',
          `${NO_GUIDANCE_RECORD} (AMM record or image approval) for the physician to sign.${lost ? ' 77387-26 is not supportable for this session.' : ' Record and sign it before the next fraction to bill 77387-26.'}`,
          context.fractions.map((f) => f.ref),
        ),
      );
    }
    return findings;
  },
  headline(findings, subject) {
    if (couldNotBeChecked(findings)) return 'IGRT image approval could not be checked: supply what the card names';
    if (findings.every((f) => f.message.startsWith(NO_GUIDANCE_RECORD)))
      return anyCritical(findings)
        ? `Do not bill 77387-26 for the session${ofSession(subject)}: tracking was performed with no guidance record signed`
        : `Record and sign the tracking (AMM record) before ${byDeadline(subject)} to bill 77387-26`;
    if (anyCritical(findings)) return `Do not bill 77387-26 for the session${ofSession(subject)}: images not approved before the next fraction`;
    if (findings.every((f) => f.message.includes(STAYS_BILLABLE)))
      return `Images${ofSession(subject)} not approved; ${STAYS_BILLABLE} through the other signed guidance record`;
    return `Approve the images${ofSession(subject)} before ${byDeadline(subject)} to bill 77387-26`;
  },
};
