import { finding, type Rule } from './rule.js';

/**
 * D-COUNT: a phase or plan summary reports more fractions delivered than the Treated Fraction records supplied for
 * it: sessions are missing from the record, and the last supplied session's next beam-on may be unknown.
 */
export const D_COUNT: Rule = {
  id: 'D-COUNT',
  title: 'Fractions delivered exceed the fraction records',
  sources: ['CodeXRT'],
  phase(context) {
    const { summary, fractionRecords } = context;
    const delivered = summary.fractionsDelivered;
    if (summary.level === 'course' || delivered === null || fractionRecords === 0 || delivered <= fractionRecords) return [];
    return [
      finding(
        this,
        'warning',
        `${summary.ref} reports ${delivered} fractions delivered, but the record holds Treated Fractions for ${fractionRecords} session${fractionRecords === 1 ? '' : 's'}: ${delivered - fractionRecords} ${delivered - fractionRecords === 1 ? 'is' : 'are'} missing. Those sessions cannot be billed or checked, and a session shown as "approve before the next fraction" may already have been followed by one: supply the missing fraction records.`,
        [summary.ref, ...context.snapshots.map((s) => s.ref)],
      ),
    ];
  },
};
