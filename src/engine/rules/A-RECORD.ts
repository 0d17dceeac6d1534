import type { Fraction } from '../types.js';
import { couldNotBeChecked, finding, instant, uncheckedFinding, type Rule } from './rule.js';

/** Whether a fraction with AMM has a record monitoring it from beam-on to beam-off. */
export type RecordCheck =
  { readonly kind: 'ok' } | { readonly kind: 'problem'; readonly problem: string } | { readonly kind: 'unverified'; readonly reason: string };

/** A fraction's AMM record covers its beam-on to beam-off (`performedPeriod`), as instants. */
export function recordCovers(fraction: Fraction): boolean {
  const beamOn = instant(fraction.start);
  const beamOff = instant(fraction.end);
  if (beamOn === null || beamOff === null) return false;
  return fraction.ammRecords.some((record) => {
    const start = instant(record.period.start);
    const end = instant(record.period.end);
    return start !== null && end !== null && start <= beamOn && end >= beamOff;
  });
}

/** The AMM record check of one fraction; `recordsRead` false when the AMM records could not be obtained. */
export function ammRecordCheck(fraction: Fraction, recordsRead: boolean): RecordCheck {
  const beamOn = instant(fraction.start);
  const beamOff = instant(fraction.end);
  if (beamOn === null || beamOff === null)
    return { kind: 'problem', problem: `${fraction.ref} has no complete performedPeriod (beam-on and beam-off) to check the AMM record against` };
  if (fraction.ammRecords.length === 0) {
    return recordsRead
      ? { kind: 'problem', problem: `no AMM record (DocumentReference of type amm-record) is linked to ${fraction.ref}` }
      : { kind: 'unverified', reason: `the AMM records of ${fraction.ref} could not be read` };
  }
  return recordCovers(fraction)
    ? { kind: 'ok' }
    : { kind: 'problem', problem: `the AMM record of ${fraction.ref} does not cover beam-on to beam-off (${fraction.start} – ${fraction.end})` };
}

/** A-RECORD: each fraction with AMM needs its own record showing monitoring from beam-on to beam-off. */
export const A_RECORD: Rule = {
  id: 'A-RECORD',
  title: 'AMM record for each fraction, beam-on to beam-off',
  sources: ['002'],
  session(context) {
    return context.amm.flatMap((amm) => {
      const evidence = [amm.fraction.ref, ...amm.fraction.ammRecords.map((record) => record.ref)];
      if (amm.record.kind === 'unverified') {
        // The next fraction has begun: a signature on the unread record decides 77387-26 now, no longer "sign it".
        const decided =
          context.igrt.status === 'pending' && context.nextBeamOn
            ? ` The next fraction began ${context.nextBeamOn}: whether 77387-26 is billable depends on whether this record was signed before then.`
            : '';
        return [
          uncheckedFinding(
            this,
            `AMM record could not be checked: ${amm.record.reason}.${decided} Supply the patient's AMM records (DocumentReference, type amm-record) and their signatures, or a FHIR server the service can read them from.`,
            evidence,
          ),
        ];
      }
      if (amm.record.kind === 'ok') return [];
      const consequence = context.dependsOnAmmAlone ? ` Without it 77412 is not supported: bill ${context.supported.code ?? 'no code'}.` : '';
      return [finding(this, 'warning', `AMM record missing or incomplete: ${amm.record.problem}.${consequence}`, evidence)];
    });
  },
  headline(findings, { session }) {
    if (couldNotBeChecked(findings)) return 'AMM record could not be checked: the AMM records were not available to the service';
    return session && session.deliveryCode !== session.supportedDeliveryCode
      ? `AMM record missing or incomplete: bill ${session.supportedDeliveryCode ?? 'no code'}, not ${session.deliveryCode}`
      : 'AMM record missing or incomplete for a fraction';
  },
};
