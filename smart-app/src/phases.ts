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

function findingsCell(findings: readonly Finding[]): HTMLElement {
  return h(
    'td',
    {},
    h(
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
          finding.message.replace(/ \[[^\]]+\]$/, ''),
        ),
      ),
    ),
  );
}

function courseTable(course: string | null, phases: readonly PhaseDetermination[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'phases', 'data-course': course ?? '' },
      h('caption', {}, course ? `Recorded as summaries: course ${course}` : 'Recorded as summaries'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Summary', 'Dates', 'Status', 'Fractions delivered', 'With fraction records', 'Each fraction describes', '77387-26', 'Findings'].map(
            (title) => h('th', { scope: 'col' }, title),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        phases.map((phase) =>
          h(
            'tr',
            { 'data-phase': phase.procedure },
            h('th', { scope: 'row' }, `${KIND[phase.kind]} ${phase.procedure}`),
            h('td', {}, `${day(phase.start)} – ${day(phase.end)}`),
            h('td', {}, phase.status),
            h('td', { class: 'num' }, phase.fractionsDelivered ?? 'not given'),
            h('td', { class: 'num' }, phase.fractionRecords),
            h('td', { class: 'code' }, describes(phase)),
            h('td', {}, phase.igrtProfessional ? 'Expected per session' : 'None'),
            findingsCell(phase.findings),
          ),
        ),
      ),
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
