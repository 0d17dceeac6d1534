import type { Fraction, IgrtStatus, Signature } from '../types.js';
import { signatureProblem, signedInTime } from './A-SIGN.js';
import { finding, type Rule } from './rule.js';

/** Every guidance record of the session that a physician can sign: image approvals and AMM record signatures. */
function guidanceSignatures(fractions: readonly Fraction[], withImages: boolean, withAmm: boolean): Signature[] {
  return fractions.flatMap((fraction) => [
    ...(withImages ? fraction.imageApprovals : []),
    ...(withAmm ? fraction.ammRecords.flatMap((record) => record.signatures) : []),
  ]);
}

/** The 77387-26 unit: billable when one guidance record was signed in time, else pending or not supportable. */
export function igrtSignStatus(fractions: readonly Fraction[], nextBeamOn: string | null, withImages: boolean, withAmm: boolean): IgrtStatus {
  const signatures = guidanceSignatures(fractions, withImages, withAmm);
  if (signatures.some((signature) => signedInTime(signature, nextBeamOn))) return 'billable';
  return nextBeamOn === null ? 'pending' : 'not-supportable';
}

/** I-SIGN: the physician must review the guidance (approve the images) before the next fraction. */
export const I_SIGN: Rule = {
  id: 'I-SIGN',
  title: 'Guidance reviewed by the physician before the next fraction',
  sources: ['001', '002'],
  session(context) {
    const { igrt } = context;
    if (igrt.treatment !== 'separate' || !igrt.performed || igrt.status === 'none') return [];
    const severity = igrt.status === 'not-supportable' ? 'critical' : 'warning';
    const consequence =
      igrt.status === 'not-supportable'
        ? ' 77387-26 is not supportable for this session.'
        : igrt.status === 'pending'
          ? ' Approve them before the next fraction to bill 77387-26.'
          : ' 77387-26 stays billable through the signed AMM record.';
    const imaged = igrt.imageGuidance.length > 0 ? context.fractions : [];
    const findings = imaged.flatMap((fraction) => {
      const problem = signatureProblem(fraction.imageApprovals, context.nextBeamOn);
      if (problem === null) return [];
      return [
        finding(this, severity, `Guidance images of ${fraction.ref}: ${problem}.${consequence}`, [
          fraction.ref,
          ...fraction.imageApprovals.map((s) => s.provenance),
        ]),
      ];
    });
    // Tracking without any record to sign: nothing else names why the unit is not billable.
    const nothingToSign = igrt.status !== 'billable' && imaged.length === 0 && context.fractions.every((f) => f.ammRecords.length === 0);
    if (nothingToSign) {
      findings.push(
        finding(
          this,
          severity,
          `Intra-fraction tracking was performed but there is no guidance record (AMM record or image approval) for the physician to sign.${consequence}`,
          context.fractions.map((f) => f.ref),
        ),
      );
    }
    return findings;
  },
};
