import type { Fraction } from '../types.js';
import { finding, instant, type Rule } from './rule.js';

/** Why a fraction with AMM lacks a record monitoring it from beam-on to beam-off; empty when it has one. */
export function ammRecordProblems(fraction: Fraction): string[] {
  const beamOn = instant(fraction.start);
  const beamOff = instant(fraction.end);
  if (beamOn === null || beamOff === null)
    return [`${fraction.ref} has no complete performedPeriod (beam-on and beam-off) to check the AMM record against`];
  if (fraction.ammRecords.length === 0) return [`no AMM record (DocumentReference of type amm-record) is linked to ${fraction.ref}`];
  const covers = fraction.ammRecords.some((record) => {
    const start = instant(record.period.start);
    const end = instant(record.period.end);
    return start !== null && end !== null && start <= beamOn && end >= beamOff;
  });
  return covers ? [] : [`the AMM record of ${fraction.ref} does not cover beam-on to beam-off (${fraction.start} – ${fraction.end})`];
}

/** A-RECORD: each fraction with AMM needs its own record showing monitoring from beam-on to beam-off. */
export const A_RECORD: Rule = {
  id: 'A-RECORD',
  title: 'AMM record for each fraction, beam-on to beam-off',
  sources: ['002'],
  session(context) {
    return context.amm
      .filter((amm) => amm.recordProblems.length > 0)
      .map((amm) => {
        const consequence = context.dependsOnAmmAlone ? ` Without it 77412 is not supported: bill ${context.supported.code ?? 'no code'}.` : '';
        return finding(this, 'warning', `AMM record missing or incomplete: ${amm.recordProblems.join('; ')}.${consequence}`, [
          amm.fraction.ref,
          ...amm.fraction.ammRecords.map((record) => record.ref),
        ]);
      });
  },
};
