import { sortFindings } from './findings.js';
import { deriveLevel } from './level.js';
import { ammState } from './rules/A-QUAL.js';
import { courseCombinations, listsSeveralTreatments } from './rules/D-COURSE.js';
import { guidancePerformed } from './rules/I-PC.js';
import { RULES } from './rules/index.js';
import { instant, type LevelFacts, type LevelResult, type PhaseContext } from './rules/rule.js';
import { IGRT, PRE_2026, RULES_EFFECTIVE_FROM } from './tables/cpt.js';
import type { Fraction, PhaseDetermination, Ref, TreatmentSummary } from './types.js';

/** Statuses of a summary that say nothing was delivered (or that it is void). */
const NOT_DELIVERED: ReadonlySet<string> = new Set(['entered-in-error', 'not-done', 'preparation']);
const STATUS_RANK: Readonly<Record<string, number>> = { completed: 3, stopped: 2, 'in-progress': 1 };

/** Summaries of one phase, plan or course: the one that counts, and the snapshots it stands for. */
interface SummaryGroup {
  readonly summary: TreatmentSummary;
  readonly snapshots: readonly TreatmentSummary[];
  readonly refs: ReadonlySet<Ref>;
}

/**
 * Several summaries of the same phase (an in-progress snapshot and the final one) count once: the one with the most
 * fractions delivered, then the latest end (spec D-SUMMARY); a completed summary before an in-progress one.
 */
function groupSnapshots(summaries: readonly TreatmentSummary[]): SummaryGroup[] {
  const bySameAs = new Map<string, TreatmentSummary[]>();
  for (const summary of summaries) bySameAs.set(summary.sameAs, [...(bySameAs.get(summary.sameAs) ?? []), summary]);
  return [...bySameAs.values()].map((members) => {
    const [summary, ...snapshots] = [...members].sort(
      (a, b) =>
        (b.fractionsDelivered ?? -1) - (a.fractionsDelivered ?? -1) ||
        (instant(b.end) ?? -Infinity) - (instant(a.end) ?? -Infinity) ||
        (STATUS_RANK[b.status] ?? 0) - (STATUS_RANK[a.status] ?? 0) ||
        a.ref.localeCompare(b.ref),
    );
    return { summary: summary!, snapshots, refs: new Set(members.map((m) => m.ref)) };
  });
}

/**
 * The summaries that speak for delivered treatment: every phase; a plan only when no phase summary holds it; a course
 * only when no phase or plan summary is part of it.
 */
function representatives(groups: readonly SummaryGroup[]): SummaryGroup[] {
  const phaseRefs = new Set(groups.filter((g) => g.summary.level === 'phase').flatMap((g) => [...g.refs]));
  const plans = groups.filter((g) => g.summary.level === 'plan' && !g.summary.within.some((ref) => phaseRefs.has(ref)));
  const lower = groups.filter((g) => g.summary.level !== 'course');
  const courses = groups.filter(
    (course) =>
      course.summary.level === 'course' && !lower.some((g) => [g.summary, ...g.snapshots].some((s) => s.within.some((ref) => course.refs.has(ref)))),
  );
  return [...groups.filter((g) => g.summary.level === 'phase'), ...plans, ...courses];
}

/** The facts a summary describes, as for one session of it. */
function summaryFacts(summary: TreatmentSummary): LevelFacts {
  // Isocenters are rarely known: a photon phase delivered with one plan is one isocenter, with several it is unknown.
  const isocenters = summary.plan.isocenters ?? (summary.plans <= 1 ? 1 : null);
  return {
    modalities: new Set(summary.plan.modalities),
    techniques: new Set(summary.plan.techniques),
    photonIsocenters: isocenters,
    amm: ammState([summary.delivered]),
    unknown: [...summary.plan.unknown, ...summary.delivered.unknown],
    otherTechniques: summary.plan.otherTechniques,
  };
}

/** Delivered (at least partly) under the 2026 code set. */
const inScope = (summary: TreatmentSummary): boolean => (summary.end ?? summary.start ?? '').slice(0, 10) >= RULES_EFFECTIVE_FROM;

function summaryLevel(summary: TreatmentSummary, facts: LevelFacts, listsSeveral: boolean): LevelResult {
  const date = summary.end ?? summary.start;
  if (date === null) return { rule: 'D-UNKNOWN', code: null, missing: ['date of delivery (performedPeriod)'] };
  if (date.slice(0, 10) < RULES_EFFECTIVE_FROM) return { rule: 'D-OUT', code: null, outOfFamily: PRE_2026, missing: [] };
  if (listsSeveral) return { rule: 'D-COURSE', code: null, missing: [] };
  return deriveLevel(facts);
}

const overlap = (a: TreatmentSummary, b: TreatmentSummary): boolean => {
  const [aStart, aEnd, bStart, bEnd] = [instant(a.start), instant(a.end ?? a.start), instant(b.start), instant(b.end ?? b.start)];
  return aStart !== null && aEnd !== null && bStart !== null && bEnd !== null && aStart <= bEnd && bStart <= aEnd;
};

/** One delivers photons, the other electrons (and neither both): a session delivering both would be D-3-MIX. */
const photonsAndElectrons = (a: TreatmentSummary, b: TreatmentSummary): boolean => {
  const mixes = (x: readonly string[], y: readonly string[]) =>
    x.includes('photon') && !x.includes('electron') && y.includes('electron') && !y.includes('photon');
  return mixes(a.plan.modalities, b.plan.modalities) || mixes(b.plan.modalities, a.plan.modalities);
};

/**
 * Delivered treatment known from summaries (rule group S): one entry per phase, plan or course whose fractions are
 * not all in the record as Treated Fractions, with what each of its fractions describes.
 */
export function evaluatePhases(
  summaries: readonly TreatmentSummary[],
  completed: readonly Fraction[],
  only?: ReadonlySet<Ref>,
): PhaseDetermination[] {
  const courseRefs = new Set(summaries.filter((s) => s.level === 'course').map((s) => s.ref));
  const groups = representatives(groupSnapshots(summaries.filter((s) => !NOT_DELIVERED.has(s.status))));
  const sessionsOf = (group: SummaryGroup): number =>
    new Set(completed.filter((f) => f.summaries.some((ref) => group.refs.has(ref))).map((f) => f.encounter ?? f.ref)).size;
  const open = groups
    .map((group) => ({ group, records: sessionsOf(group) }))
    .filter(({ group, records }) => {
      const delivered = group.summary.fractionsDelivered;
      return delivered === null ? records === 0 : delivered > records;
    })
    .filter(({ group }) => only === undefined || [...group.refs].some((ref) => only.has(ref)));

  return open
    .map(({ group, records }) => {
      const { summary } = group;
      const facts = summaryFacts(summary);
      const listsSeveral = summary.level === 'course' && listsSeveralTreatments(summary.plan);
      const clinical = summaryLevel(summary, facts, listsSeveral);
      const family = clinical.outOfFamily;
      const igrtProfessional = guidancePerformed(summary.delivered) && (family ? family.igrt === 'separate' : clinical.code !== null);
      const context: PhaseContext = {
        summary,
        facts,
        clinical,
        fractionRecords: records,
        snapshots: group.snapshots,
        igrtProfessional,
        combinations: listsSeveral ? courseCombinations(summary.plan, facts) : [],
        overlaps:
          inScope(summary) && summary.level !== 'course'
            ? open
                .map((o) => o.group.summary)
                .filter((o) => o !== summary && o.level !== 'course' && inScope(o) && photonsAndElectrons(summary, o) && overlap(summary, o))
            : [],
      };
      const determination: PhaseDetermination = {
        procedure: summary.ref,
        kind: summary.level,
        status: summary.status,
        patient: summary.patient,
        course: summary.level === 'course' ? null : (summary.within.find((ref) => courseRefs.has(ref)) ?? null),
        start: summary.start,
        end: summary.end,
        fractionsDelivered: summary.fractionsDelivered,
        fractionRecords: records,
        deliveryCode: clinical.code,
        deliveryRule: clinical.rule,
        outOfFamily: family?.family ?? null,
        igrtProfessional: igrtProfessional ? IGRT.professional : null,
        facts: {
          modalities: [...facts.modalities],
          techniques: [...facts.techniques],
          photonIsocenters: facts.modalities.has('photon') ? facts.photonIsocenters : null,
          activeMotionManagement: facts.amm === true,
          imageGuidance: summary.delivered.imageGuidance,
          intrafraction: summary.delivered.intrafraction,
        },
        snapshots: group.snapshots.map((s) => s.ref),
        findings: sortFindings(RULES.flatMap((rule) => rule.phase?.(context) ?? [])),
      };
      return determination;
    })
    .sort((a, b) => (instant(a.start) ?? Infinity) - (instant(b.start) ?? Infinity) || a.procedure.localeCompare(b.procedure));
}
