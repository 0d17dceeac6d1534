import { finding, type Rule } from './rule.js';

const HOW_TO_SUPPLY =
  'Supply the AMM record signatures (Provenance targeting the DocumentReference), or a FHIR server the service can read them from.';

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
          return finding(this, 'warning', `AMM record ${record.ref} could not be checked: ${verdict.reason}. ${HOW_TO_SUPPLY}`, evidence);
        const consequence =
          severity === 'critical'
            ? " The session's 77387-26 is not supportable."
            : verdict.kind === 'pending'
              ? ' Sign it before the next beam-on to bill the professional service.'
              : '';
        return finding(this, verdict.kind === 'late' ? severity : 'warning', `AMM record ${record.ref}: ${verdict.reason}.${consequence}`, evidence);
      });
  },
};
