import { supplyUnread } from '../signatures.js';
import { askToSign } from './I-SIGN.js';
import { anyCritical, byDeadline, couldNotBeChecked, finding, ofSession, settledFinding, uncheckedFinding, type Rule } from './rule.js';

const SIGNATURES = 'the AMM record signatures (Provenance targeting the DocumentReference)';

/** A-SIGN: each AMM record must be signed by the physician before the next beam-on. */
export const A_SIGN: Rule = {
  id: 'A-SIGN',
  title: 'AMM record signed by the physician before the next beam-on',
  sources: ['002'],
  session(context) {
    const severity = context.igrt.status === 'not-supportable' ? 'critical' : 'warning';
    return context.igrt.records
      .filter((record) => record.kind === 'amm-record')
      .flatMap((record) => {
        const { verdict } = record;
        if (verdict.kind === 'in-time') return [];
        const signatures = record.fraction.ammRecords.find((r) => r.ref === record.ref)?.signatures ?? [];
        const evidence = [record.ref, record.fraction.ref, ...signatures.map((s) => s.provenance)];
        if (verdict.kind === 'unverified')
          return [
            uncheckedFinding(
              this,
              `AMM record ${record.ref} could not be checked: ${verdict.reason}. ${supplyUnread(verdict.missing, SIGNATURES)}`,
              evidence,
            ),
          ];
        if (verdict.kind === 'pending') {
          return [
            finding(
              this,
              'warning',
              `AMM record ${record.ref}: ${verdict.reason}. Sign it before the next beam-on to bill the professional service.`,
              evidence,
              [askToSign(context, record, 'sign-amm-record')],
            ),
          ];
        }
        const consequence = severity === 'critical' ? " The session's 77387-26 is not supportable." : '';
        return [settledFinding(this, severity, `AMM record ${record.ref}: ${verdict.reason}.${consequence}`, evidence)];
      });
  },
  headline(findings, subject) {
    if (couldNotBeChecked(findings)) return 'AMM record signature could not be checked: supply what the card names';
    if (anyCritical(findings))
      return `Do not bill 77387-26 for the session${ofSession(subject)}: AMM record not signed by the physician before the next beam-on`;
    // Late, but the unit stays billable through the approved images: a record to complete, not a deadline.
    if (findings.every((f) => f.settled)) return `AMM record${ofSession(subject)} not signed in time; 77387-26 stays billable through the images`;
    return `Sign the AMM record${ofSession(subject)} before ${byDeadline(subject)} to bill the professional service`;
  },
};
