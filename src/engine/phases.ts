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
  for (const summary of summaries) {
    const members = bySameAs.get(summary.sameAs);
    if (members) members.push(summary);
    else bySameAs.set(summary.sameAs, [summary]);
  }
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
  // The courses some phase or plan summary (or one of its snapshots) is part of.
  const withLower = new Set(groups.filter((g) => g.summary.level !== 'course').flatMap((g) => [g.summary, ...g.snapshots].flatMap((s) => s.within)));
  const courses = groups.filter((course) => course.summary.level === 'course' && ![...course.refs].some((ref) => withLower.has(ref)));
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

/** Photons only (no electrons). */
const photonsOnly = (summary: TreatmentSummary): boolean =>
  summary.plan.modalities.includes('photon') && !summary.plan.modalities.includes('electron');

/**
 * Sessions that delivered more than one phase of each course, when the counts say: the phases' fractions delivered
 * added up, less the sessions the course summary records (8 sessions against 10 phase fractions: 2 delivered both).
 * Indexed once: by each of a course's summaries' references, the count.
 */
function sessionsDeliveringSeveral(groups: readonly SummaryGroup[]): ReadonlyMap<Ref, number> {
  const courseOf = new Map<Ref, SummaryGroup>();
  for (const group of groups) if (group.summary.level === 'course') for (const ref of group.refs) courseOf.set(ref, group);
  const phaseFractions = new Map<SummaryGroup, (number | null)[]>();
  for (const group of groups) {
    if (group.summary.level !== 'phase') continue;
    const course = group.summary.within.map((ref) => courseOf.get(ref)).find((c) => c !== undefined);
    if (!course) continue;
    const fractions = phaseFractions.get(course);
    if (fractions) fractions.push(group.summary.fractionsDelivered);
    else phaseFractions.set(course, [group.summary.fractionsDelivered]);
  }
  const counts = new Map<Ref, number>();
  for (const [course, fractions] of phaseFractions) {
    const sessions = course.summary.fractionsDelivered;
    // An in-progress course snapshot counts fewer sessions than the phases may have delivered since.
    if (sessions === null || !['completed', 'stopped'].includes(course.summary.status) || fractions.some((n) => n === null)) continue;
    const both = fractions.reduce<number>((sum, n) => sum + n!, 0) - sessions;
    if (both > 0) for (const ref of course.refs) counts.set(ref, both);
  }
  return counts;
}

/** At most this many overlapping phases are named per phase (D-COURSE): the findings stay bounded. */
const MAX_OVERLAPS_NAMED = 10;
const MAX_OVERLAP_SCAN = 100;

/**
 * For each phase, the other phases whose periods overlap it and that pass `test`: one sweep over the phases sorted by
 * start, comparing each only with those that begin before it ends, and with at most {@link MAX_OVERLAP_SCAN} of them
 * (a record with thousands of simultaneous phases is not a course: naming ten is enough, and the work stays linear).
 */
function overlapsOf(
  summaries: readonly TreatmentSummary[],
  test: (a: TreatmentSummary, b: TreatmentSummary) => boolean,
): Map<TreatmentSummary, TreatmentSummary[]> {
  const spans = summaries
    .map((summary) => ({ summary, start: instant(summary.start), end: instant(summary.end ?? summary.start) }))
    .filter((s): s is { summary: TreatmentSummary; start: number; end: number } => s.start !== null && s.end !== null)
    .sort((a, b) => a.start - b.start);
  const found = new Map<TreatmentSummary, TreatmentSummary[]>();
  const add = (a: TreatmentSummary, b: TreatmentSummary) => {
    const list = found.get(a) ?? [];
    if (list.length < MAX_OVERLAPS_NAMED) list.push(b);
    found.set(a, list);
  };
  for (let i = 0; i < spans.length; i++) {
    const a = spans[i]!;
    for (let j = i + 1; j < spans.length && j <= i + MAX_OVERLAP_SCAN && spans[j]!.start <= a.end; j++) {
      const b = spans[j]!;
      if ((found.get(a.summary)?.length ?? 0) >= MAX_OVERLAPS_NAMED) break;
      if (test(a.summary, b.summary)) {
        add(a.summary, b.summary);
        add(b.summary, a.summary);
      }
    }
  }
  return found;
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
  // The sessions with fraction records of each summary, indexed once (a fraction names the summaries it belongs to).
  const sessionsBySummary = new Map<Ref, Set<Ref>>();
  for (const fraction of completed)
    for (const ref of fraction.summaries)
      sessionsBySummary.set(ref, (sessionsBySummary.get(ref) ?? new Set()).add(fraction.encounter ?? fraction.ref));
  const sessionsOf = (group: SummaryGroup): number => new Set([...group.refs].flatMap((ref) => [...(sessionsBySummary.get(ref) ?? [])])).size;
  const open = groups
    .map((group) => ({ group, records: sessionsOf(group) }))
    .filter(({ group, records }) => {
      const delivered = group.summary.fractionsDelivered;
      return delivered === null ? records === 0 : delivered > records;
    })
    .filter(({ group }) => only === undefined || [...group.refs].some((ref) => only.has(ref)));
  // Phases (and plans) delivered under the 2026 codes whose periods overlap: D-COURSE names them.
  const comparable = open.map((o) => o.group.summary).filter((s) => s.level !== 'course' && inScope(s, zone));
  const mixedOverlaps = overlapsOf(comparable, photonsAndElectrons);
  const photonOverlaps = overlapsOf(comparable, (a, b) => photonsOnly(a) && photonsOnly(b));
  const severalByCourse = sessionsDeliveringSeveral(allGroups);

  return open
    .map(({ group, records }) => {
      const { summary } = group;
      const facts = summaryFacts(summary);
      const listsSeveral = summary.level === 'course' && listsSeveralTreatments(summary.plan);
      const clinical = summaryLevel(summary, facts, listsSeveral, zone);
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
        overlaps: mixedOverlaps.get(summary) ?? [],
        photonOverlaps: photonOverlaps.get(summary) ?? [],
        sessionsDeliveringSeveral: summary.within.map((ref) => severalByCourse.get(ref)).find((n) => n !== undefined) ?? null,
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
