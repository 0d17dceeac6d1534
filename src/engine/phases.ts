import { localDate } from './calendar.js';
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
    amm: ammState([{ motion: summary.delivered }]),
    unknown: [...summary.plan.unknown, ...summary.delivered.unknown],
    otherTechniques: summary.plan.otherTechniques,
  };
}

/** The clinic's date of the summary's last delivery (else its first); `null` when it gives neither. */
const lastDate = (summary: TreatmentSummary, zone: string | null): string | null => {
  const at = summary.end ?? summary.start;
  return at === null ? null : localDate(at, zone);
};

/** Delivered (at least partly) under the 2026 code set. */
const inScope = (summary: TreatmentSummary, zone: string | null): boolean => (lastDate(summary, zone) ?? '') >= RULES_EFFECTIVE_FROM;

function summaryLevel(summary: TreatmentSummary, facts: LevelFacts, listsSeveral: boolean, zone: string | null): LevelResult {
  const date = lastDate(summary, zone);
  if (date === null) return { rule: 'D-UNKNOWN', code: null, missing: ['date of delivery (performedPeriod)'] };
  if (date < RULES_EFFECTIVE_FROM) return { rule: 'D-OUT', code: null, outOfFamily: PRE_2026, missing: [] };
  if (listsSeveral) return { rule: 'D-COURSE', code: null, missing: [] };
  return deriveLevel(facts);
}

const overlap = (a: TreatmentSummary, b: TreatmentSummary): boolean => {
  const [aStart, aEnd, bStart, bEnd] = [instant(a.start), instant(a.end ?? a.start), instant(b.start), instant(b.end ?? b.start)];
  return aStart !== null && aEnd !== null && bStart !== null && bEnd !== null && aStart <= bEnd && bStart <= aEnd;
};

/** Photons only (no electrons). */
const photonsOnly = (summary: TreatmentSummary): boolean =>
  summary.plan.modalities.includes('photon') && !summary.plan.modalities.includes('electron');

/**
 * Sessions that delivered more than one phase of a course, when the counts say: the phases' fractions delivered added
 * up, less the sessions the course summary records (8 sessions against 10 phase fractions: 2 delivered both).
 */
function sessionsDeliveringSeveral(phase: TreatmentSummary, groups: readonly SummaryGroup[]): number | null {
  const course = groups.find((g) => g.summary.level === 'course' && phase.within.some((ref) => g.refs.has(ref)));
  const sessions = course?.summary.fractionsDelivered ?? null;
  if (!course || sessions === null) return null;
  const phases = groups.filter((g) => g.summary.level === 'phase' && g.summary.within.some((ref) => course.refs.has(ref)));
  const fractions = phases.map((g) => g.summary.fractionsDelivered);
  if (fractions.some((n) => n === null)) return null;
  const both = fractions.reduce<number>((sum, n) => sum + n!, 0) - sessions;
  return both > 0 ? both : null;
}

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
  zone: string | null,
  only?: ReadonlySet<Ref>,
): PhaseDetermination[] {
  const courseRefs = new Set(summaries.filter((s) => s.level === 'course').map((s) => s.ref));
  const allGroups = groupSnapshots(summaries.filter((s) => !NOT_DELIVERED.has(s.status)));
  const groups = representatives(allGroups);
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
      const clinical = summaryLevel(summary, facts, listsSeveral, zone);
      const family = clinical.outOfFamily;
      const igrtProfessional = guidancePerformed(summary.delivered) && (family ? family.igrt === 'separate' : clinical.code !== null);
      const overlapping = (test: (a: TreatmentSummary, b: TreatmentSummary) => boolean) =>
        inScope(summary, zone) && summary.level !== 'course'
          ? open
              .map((o) => o.group.summary)
              .filter((o) => o !== summary && o.level !== 'course' && inScope(o, zone) && test(summary, o) && overlap(summary, o))
          : [];
      const context: PhaseContext = {
        summary,
        facts,
        clinical,
        fractionRecords: records,
        snapshots: group.snapshots,
        igrtProfessional,
        combinations: listsSeveral ? courseCombinations(summary.plan, facts) : [],
        overlaps: overlapping(photonsAndElectrons),
        photonOverlaps: overlapping((a, b) => photonsOnly(a) && photonsOnly(b)),
        sessionsDeliveringSeveral: sessionsDeliveringSeveral(summary, allGroups),
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
