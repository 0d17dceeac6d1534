import { deriveLevel } from '../level.js';
import { MODALITY_NAMES, TECHNIQUE_NAMES } from '../tables/wording.js';
import { OUT_OF_FAMILY_TECHNIQUES } from '../tables/cpt.js';
import type { Modality, PlanFacts, Technique, TreatmentSummary } from '../types.js';
import { finding, type CombinationLevel, type LevelFacts, type LevelResult, type Rule } from './rule.js';

/**
 * A course-level list names more than one treatment: several modalities, or several delivery techniques. A stereotactic
 * or superficial technique beside one delivery technique qualifies it (SBRT delivered by VMAT is one treatment, D-OUT),
 * it does not name another phase.
 */
export function listsSeveralTreatments(plan: PlanFacts): boolean {
  const delivery = (techniques: readonly Technique[]) => techniques.filter((t) => !OUT_OF_FAMILY_TECHNIQUES.has(t)).sort();
  const written = new Set(plan.combinations.map((c) => `${c.modality ?? '?'}|${delivery(c.techniques).join('+')}`));
  return plan.modalities.length > 1 || delivery(plan.techniques).length > 1 || written.size > 1;
}

const label = (modality: Modality | null, techniques: readonly string[]): string =>
  [modality ? MODALITY_NAMES[modality] : 'unknown modality', ...techniques].join(' ');

/**
 * What each modality of a course-level list describes on its own (its techniques, the course's isocenters and
 * motion management), and, when photons and electrons are both listed, D-3-MIX for sessions that deliver both.
 */
export function courseCombinations(plan: PlanFacts, facts: LevelFacts): CombinationLevel[] {
  const combinations =
    plan.combinations.length > 0 ? plan.combinations : plan.modalities.map((modality) => ({ modality, techniques: plan.techniques }));
  const levels = combinations.flatMap(({ modality, techniques }) =>
    modality === null
      ? []
      : (techniques.length > 0 ? techniques.map((t) => [t]) : [[]]).map((each) => ({
          label: label(
            modality,
            each.map((t) => TECHNIQUE_NAMES[t]),
          ),
          result: deriveLevel({ ...facts, modalities: new Set([modality]), techniques: new Set(each), unknown: [] }),
        })),
  );
  const unique = new Map(levels.map((level) => [level.label, level]));
  if (plan.modalities.includes('photon') && plan.modalities.includes('electron')) {
    unique.set('sessions delivering photons and electrons', {
      label: 'sessions that deliver both photons and electrons',
      result: deriveLevel({ ...facts, modalities: new Set(['photon', 'electron']), unknown: [] }),
    });
  }
  return [...unique.values()];
}

const described = (result: LevelResult): string =>
  result.code
    ? `${result.code} (${result.rule})`
    : result.outOfFamily
      ? `outside the family: ${result.outOfFamily.family}`
      : 'no code until its facts are known';

const list = (combinations: readonly CombinationLevel[]): string => combinations.map((c) => `${c.label} ${described(c.result)}`).join('; ');

const period = (summary: TreatmentSummary): string => `${summary.start?.slice(0, 10) ?? '?'} to ${summary.end?.slice(0, 10) ?? '?'}`;

/**
 * D-COURSE: a course prescription or course summary that lists several modalities or techniques describes several
 * phases, not one session: no code of its own (never D-3-MIX from a course-level list). Phases of different
 * modalities that overlap in time: sessions that deliver both are D-3-MIX.
 */
export const D_COURSE: Rule = {
  id: 'D-COURSE',
  title: 'A course lists several phases: no code of its own',
  sources: ['001', 'CodeXRT'],
  order(context) {
    if (context.clinical.rule !== this.id) return [];
    const phases = context.children.map((c) => `${c.order} ${c.code ?? c.outOfFamily ?? 'no code yet'}${c.code ? ` (${c.rule})` : ''}`);
    const message =
      phases.length > 0
        ? `This course prescription lists several modalities or techniques: it describes several phases and gets no delivery code of its own. Its phase prescriptions carry the codes: ${phases.join('; ')}.`
        : `This course prescription lists several modalities or techniques: it describes several phases and gets no delivery code of its own. Each describes: ${list(context.combinations)}.`;
    return [finding(this, 'info', message, [context.order.ref, ...context.children.map((c) => c.order)])];
  },
  phase(context) {
    const findings = [];
    if (context.clinical.rule === this.id) {
      findings.push(
        finding(
          this,
          'info',
          `${context.summary.ref} lists several modalities or techniques for the course: it gets no delivery code of its own. Each describes: ${list(context.combinations)}.`,
          [context.summary.ref],
        ),
      );
    }
    const counted =
      context.sessionsDeliveringSeveral !== null
        ? ` By the course's counts, ${context.sessionsDeliveringSeveral} session${context.sessionsDeliveringSeveral === 1 ? '' : 's'} delivered more than one phase.`
        : '';
    for (const other of context.overlaps) {
      findings.push(
        finding(
          this,
          'info',
          `${context.summary.ref} (${period(context.summary)}) and ${other.ref} (${period(other)}) deliver different modalities over overlapping dates: a session that delivers both is 77412 (D-3-MIX), not one code from each phase.${counted}`,
          [context.summary.ref, other.ref],
        ),
      );
    }
    for (const other of context.photonOverlaps) {
      findings.push(
        finding(
          this,
          'info',
          `${context.summary.ref} (${period(context.summary)}) and ${other.ref} (${period(other)}) are photon phases of other sites or plans over overlapping dates: a session that delivers both at separate isocenters is 77412 (D-3-ISO), not one code from each phase.${counted}`,
          [context.summary.ref, other.ref],
        ),
      );
    }
    return findings;
  },
};
