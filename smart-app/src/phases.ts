import type { Determination, Finding, PhaseDetermination } from '../../src/engine/types.js';
import { h, severityBadge } from './dom.js';

const KIND = { phase: 'Phase', plan: 'Plan', course: 'Course' } as const;
const day = (instant: string | null): string => instant?.slice(0, 10) ?? '?';

/** What each fraction of the phase describes: its code, or why there is none. */
function describes(phase: PhaseDetermination): string {
  if (phase.deliveryCode) return `${phase.deliveryCode} (${phase.deliveryRule})`;
  if (phase.outOfFamily) return `Out of family: ${phase.outOfFamily}`;
  return phase.deliveryRule === 'D-COURSE' ? 'Several phases (D-COURSE)' : `None (${phase.deliveryRule})`;
}

function findingsList(findings: readonly Finding[]): HTMLElement {
  return h(
    'ul',
    { class: 'findings compact' },
    findings.map((finding) =>
      h(
        'li',
        { class: `finding finding-${finding.severity}` },
        severityBadge(finding.severity),
        ' ',
        h('a', { href: `/rules#${finding.rule}`, class: 'rule', target: '_blank', rel: 'noopener' }, finding.rule),
        ' ',
        finding.message,
      ),
    ),
  );
}

const COLUMNS = ['Summary', 'Dates', 'Status', 'Fractions delivered', 'With fraction records', 'Each fraction describes', '77387-26'];

/** One row of facts per phase, and its findings on the full width beneath. */
function phaseRows(phase: PhaseDetermination): HTMLElement[] {
  const id = phase.procedure.replace(/^Procedure\//, '');
  return [
    h(
      'tr',
      { 'data-phase': phase.procedure, class: 'phase' },
      h('th', { scope: 'row' }, h('span', { class: 'small muted' }, KIND[phase.kind]), ' ', id),
      h('td', { class: 'nowrap' }, `${day(phase.start)} – ${day(phase.end)}`),
      h('td', {}, phase.status),
      h('td', { class: 'num' }, phase.fractionsDelivered ?? 'not given'),
      h('td', { class: 'num' }, phase.fractionRecords),
      h('td', { class: 'code' }, describes(phase)),
      h('td', {}, phase.igrtProfessional ? 'Expected per session' : 'None'),
    ),
    h(
      'tr',
      { class: 'phase-findings', 'data-phase-findings': phase.procedure },
      h('td', { colspan: String(COLUMNS.length) }, findingsList(phase.findings)),
    ),
  ];
}

function courseTable(course: string | null, phases: readonly PhaseDetermination[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'phases', 'data-course': course ?? '' },
      h('caption', {}, course ? `Course ${course.replace(/^Procedure\//, '')}` : 'Summaries outside a course summary'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          COLUMNS.map((title) => h('th', { scope: 'col' }, title)),
        ),
      ),
      h('tbody', {}, phases.flatMap(phaseRows)),
    ),
  );
}

/**
 * Delivered treatment the record holds only as phase, plan or course summaries, per course: how many fractions, and
 * what each describes. Nothing here can be billed per session until the fraction records exist.
 */
export function phasesSection(determination: Determination): HTMLElement | null {
  if (determination.phases.length === 0) return null;
  const byCourse = new Map<string | null, PhaseDetermination[]>();
  for (const phase of determination.phases) byCourse.set(phase.course, [...(byCourse.get(phase.course) ?? []), phase]);
  return h(
    'section',
    { id: 'summaries', 'aria-labelledby': 'summaries-title' },
    h('h2', { id: 'summaries-title' }, 'Delivered treatment recorded only as summaries'),
    h(
      'p',
      { class: 'muted' },
      'These fractions have no Treated Fraction record: no session can be billed from them, and the AMM and image-approval checks need the fraction records.',
    ),
    [...byCourse.entries()].map(([course, phases]) => courseTable(course, phases)),
  );
}
