import { finding, type PhaseContext, type Rule } from './rule.js';

const KIND_NAMES = { phase: 'a phase summary', plan: 'a plan summary', course: 'a course summary' } as const;

/** What each fraction of a summary describes, in words. */
function describes(context: PhaseContext): string {
  const { clinical } = context;
  if (clinical.code) return `${clinical.code} (${clinical.rule})${context.igrtProfessional ? ' with 77387-26 expected' : ''}`;
  if (clinical.outOfFamily) return `a code outside the 2026 delivery levels (${clinical.outOfFamily.family})`;
  if (clinical.rule === 'D-COURSE') return 'one of several phases (see D-COURSE)';
  return `no code until ${clinical.missing.join(', ')} is known`;
}

/**
 * D-SUMMARY: delivered fractions known only from a phase, plan or course summary. No session can be billed from it,
 * but what each fraction describes is said, never left silent.
 */
export const D_SUMMARY: Rule = {
  id: 'D-SUMMARY',
  title: 'Delivered fractions recorded only as a summary',
  sources: ['CodeXRT', '001'],
  phase(context) {
    const { summary, fractionRecords } = context;
    const delivered = summary.fractionsDelivered;
    const onlyInSummary = delivered === null ? null : delivered - fractionRecords;
    const count =
      onlyInSummary === null ? 'Fractions (how many is not given) are' : `${onlyInSummary} fraction${onlyInSummary === 1 ? ' is' : 's are'}`;
    const snapshot = summary.status === 'in-progress' ? ' so far (the summary is in progress)' : '';
    return [
      finding(
        this,
        'info',
        `${count} recorded only as ${KIND_NAMES[summary.level]}${snapshot}: each describes ${describes(context)}. Per-session billing and the documentation checks (A, I-SIGN) need the Treated Fraction records.`,
        [summary.ref, ...context.snapshots.map((s) => s.ref)],
      ),
    ];
  },
};
