import type { Determination, Finding, OrderDetermination, SessionDetermination, Severity } from '../../src/engine/types.js';
import { billingCsv } from './csv.js';
import { h, severityBadge } from './dom.js';
import { phasesSection } from './phases.js';
import { evidenceItem, type EvidenceIndex } from './evidence.js';

const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const money = (amount: number | null | undefined): string => (amount === null || amount === undefined ? '—' : `$${amount.toFixed(2)}`);
const worst = (findings: readonly Finding[]): Severity | null =>
  findings.reduce<Severity | null>((w, f) => (w === null || RANK[f.severity] < RANK[w] ? f.severity : w), null);

const IGRT_STATUS_TEXT: Record<string, string> = {
  billable: 'Billable',
  pending: 'Pending approval',
  'not-supportable': 'Lost (not signed in time)',
  none: 'None',
};

export interface ReviewContext {
  /** The resources the review was computed from: evidence is summarised from them. */
  readonly evidence: EvidenceIndex;
  /** What the launch asked to open: a session (Encounter or fraction) or an order. */
  /** What a card's link (appContext) or the launch asked to open on: a session, an order, or a phase summary. */
  readonly focus: { readonly session?: string; readonly order?: string; readonly phase?: string };
  /** Reads the record again (a long review: images signed since, a renewed token). */
  readonly reload?: () => void;
  /** A link to the report's charts for this course, when the app can open one. */
  readonly reportLink?: HTMLElement;
}

function findingList(findings: readonly Finding[], context: ReviewContext): HTMLElement {
  if (findings.length === 0) return h('p', { class: 'muted' }, 'No findings: nothing missing.');
  return h(
    'ul',
    { class: 'findings' },
    findings.map((finding) =>
      h(
        'li',
        { class: `finding finding-${finding.severity}` },
        h(
          'p',
          {},
          severityBadge(finding.severity),
          ' ',
          h('a', { href: `/rules#${finding.rule}`, class: 'rule', target: '_blank', rel: 'noopener' }, finding.rule),
          ' ',
          finding.message.replace(/ \[[^\]]+\]$/, ''),
        ),
        h('p', { class: 'muted small' }, `Source: ${finding.source}`),
        finding.evidence.length > 0
          ? h(
              'div',
              { class: 'small' },
              h('span', { class: 'muted' }, 'Evidence'),
              h(
                'ul',
                { class: 'evidence-list' },
                finding.evidence.map((ref) => evidenceItem(ref, context.evidence)),
              ),
            )
          : null,
      ),
    ),
  );
}

function sessionDetail(session: SessionDetermination, context: ReviewContext): HTMLElement {
  const facts = session.facts;
  return h(
    'section',
    { class: 'detail', 'aria-labelledby': 'detail-title', id: 'detail' },
    h('h2', { id: 'detail-title', tabindex: '-1' }, `Session of ${session.dateOfService ?? 'undated'}`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Fractions'),
      h('dd', {}, session.fractions.join(', ')),
      h('dt', {}, 'Clinical code'),
      h('dd', {}, `${session.deliveryCode ?? session.outOfFamily ?? 'none'} (${session.deliveryRule})`),
      h('dt', {}, 'Supportable code'),
      h('dd', {}, `${session.supportedDeliveryCode ?? 'none'} (${session.supportedDeliveryRule})`),
      h('dt', {}, '77387-26'),
      h('dd', {}, IGRT_STATUS_TEXT[session.igrtStatus] ?? session.igrtStatus),
      h('dt', {}, 'Next beam-on'),
      h('dd', {}, facts.nextBeamOn ?? 'none yet'),
      h('dt', {}, 'Lines'),
      h('dd', {}, session.lines.map((l) => `${l.code} ×${l.units} ${l.status} (${l.rule})`).join('; ') || 'none'),
    ),
    h('h3', {}, 'Findings'),
    findingList(session.findings, context),
  );
}

function orderDetail(order: OrderDetermination, context: ReviewContext): HTMLElement {
  return h(
    'section',
    { class: 'detail', 'aria-labelledby': 'detail-title', id: 'detail' },
    h('h2', { id: 'detail-title', tabindex: '-1' }, `Order ${order.order}`),
    h(
      'p',
      {},
      `Expected delivery: ${order.expectedDeliveryCode ?? order.outOfFamily ?? 'not derivable'} (${order.deliveryRule})${order.igrtProfessionalExpected ? ', with 77387-26' : ''}.`,
    ),
    h('h3', {}, 'Findings'),
    findingList(order.findings, context),
  );
}

function problemsCell(findings: readonly Finding[]): HTMLElement {
  const counts = (['critical', 'warning', 'info'] as const)
    .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0);
  if (counts.length === 0) return h('td', {}, h('span', { class: 'ok' }, '✓ None'));
  return h(
    'td',
    {},
    counts.flatMap(([severity, n]) => [severityBadge(severity), ` ×${n} `]),
    h('span', { class: 'sr-only' }, findings.map((f) => f.rule).join(', ')),
  );
}

/** What the payer did with the session's lines, when remittance is known (spec E): one line per remitted code. */
function paymentCell(determination: Determination, session: SessionDetermination): HTMLElement {
  const key = session.encounter ?? session.fractions[0] ?? '';
  const lines = (determination.remittance ?? []).filter((line) => line.session === key);
  if (lines.length === 0) return h('td', { class: 'small' }, 'No remittance');
  return h(
    'td',
    { class: 'payment' },
    lines.flatMap((line, i) => [
      ...(i > 0 ? [h('br', {})] : []),
      `${line.billedCode} ${line.status === 'paid' ? 'paid' : line.status} ${money(line.paid)}`,
      line.rule ? h('span', { class: 'small' }, ` (${line.rule}${line.appealable ? ', appealable' : ''})`) : null,
    ]),
  );
}

function sessionsTable(determination: Determination, select: (session: SessionDetermination) => void): HTMLElement {
  const paid = determination.remittance !== undefined;
  const rows = determination.sessions.map((session) => {
    const button = h(
      'button',
      { type: 'button', class: 'link', 'data-session': session.encounter ?? session.fractions[0] ?? '' },
      session.dateOfService ?? 'undated',
    );
    button.addEventListener('click', () => select(session));
    const severity = worst(session.findings);
    const lowered = session.deliveryCode !== session.supportedDeliveryCode;
    const facts = session.facts;
    return h(
      'tr',
      { class: severity && severity !== 'info' ? `row-${severity}` : undefined, 'data-fractions': session.fractions.join(',') },
      h('th', { scope: 'row' }, button),
      h('td', {}, session.fractions.length),
      h('td', {}, `${facts.modalities.join(', ') || '?'} / ${facts.techniques.join(', ') || '?'}`),
      h('td', {}, facts.photonIsocenters ?? '—'),
      h('td', {}, facts.activeMotionManagement ? 'Yes' : 'No'),
      h('td', {}, [...facts.imageGuidance, ...(facts.portImages ? ['port images'] : [])].join(', ') || 'None'),
      h('td', { class: 'code' }, session.deliveryCode ?? (session.outOfFamily ? 'Out of family' : 'None')),
      h(
        'td',
        { class: lowered ? 'code lowered' : 'code' },
        session.supportedDeliveryCode ?? '—',
        lowered ? h('span', { class: 'small' }, ' (lower)') : null,
      ),
      h('td', { class: `igrt igrt-${session.igrtStatus}` }, IGRT_STATUS_TEXT[session.igrtStatus] ?? session.igrtStatus),
      h('td', { class: 'num' }, money(session.estimate?.total)),
      paid ? paymentCell(determination, session) : null,
      problemsCell(session.findings),
    );
  });
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { id: 'sessions' },
      h('caption', {}, 'Treatment sessions'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            'Date',
            'Fractions',
            'Modality / technique',
            'Isocenters',
            'AMM',
            'Imaging',
            'Clinical code',
            'Supportable code',
            '77387-26',
            'Est. payment',
            ...(paid ? ['Payment'] : []),
            'Findings',
          ].map((title) => h('th', { scope: 'col' }, title)),
        ),
      ),
      h('tbody', {}, rows.length > 0 ? rows : h('tr', {}, h('td', { colspan: paid ? '12' : '11' }, 'No delivered sessions yet.'))),
    ),
  );
}

function ordersTable(determination: Determination, select: (order: OrderDetermination) => void): HTMLElement | null {
  if (determination.orders.length === 0) return null;
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { id: 'orders' },
      h('caption', {}, 'Orders'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Order', 'Date of service', 'Expected code', 'Rule', 'Findings'].map((title) => h('th', { scope: 'col' }, title)),
        ),
      ),
      h(
        'tbody',
        {},
        determination.orders.map((order) => {
          const button = h('button', { type: 'button', class: 'link', 'data-order': order.order }, order.order);
          button.addEventListener('click', () => select(order));
          return h(
            'tr',
            {},
            h('th', { scope: 'row' }, button),
            h('td', {}, order.dateOfService),
            h('td', { class: 'code' }, order.expectedDeliveryCode ?? order.outOfFamily ?? 'None'),
            h('td', {}, order.deliveryRule),
            problemsCell(order.findings),
          );
        }),
      ),
    ),
  );
}

function summary(determination: Determination): HTMLElement {
  const { utilization } = determination;
  const total = determination.sessions.reduce((sum, s) => sum + (s.estimate?.total ?? 0), 0);
  const priced = determination.sessions.some((s) => s.estimate?.total != null);
  const problems = determination.sessions.flatMap((s) => s.findings).filter((f) => f.severity !== 'info');
  const share = utilization.share === null ? '—' : `${Math.round(utilization.share * 100)}%`;
  const estimate = determination.sessions.find((s) => s.estimate)?.estimate;
  return h(
    'section',
    { class: 'summary', 'aria-label': 'Course summary' },
    h(
      'div',
      { class: 'tile' },
      h('span', { class: 'tile-label' }, 'Sessions'),
      h('span', { class: 'tile-value', id: 'session-count' }, determination.sessions.length),
    ),
    h(
      'div',
      { class: 'tile' },
      h('span', { class: 'tile-label' }, '77412 share (CMS expects ~35%)'),
      h(
        'span',
        { class: `tile-value${utilization.share !== null && utilization.share > utilization.expectedShare ? ' above' : ''}`, id: 'level3-share' },
        share,
      ),
      h('span', { class: 'small muted' }, `${utilization.level3} of ${utilization.sessions} sessions · rule A-UTIL`),
    ),
    h(
      'div',
      { class: 'tile' },
      h('span', { class: 'tile-label' }, 'Estimated payment'),
      h('span', { class: 'tile-value', id: 'estimate-total' }, priced ? money(total) : '—'),
      h(
        'span',
        { class: 'small muted' },
        estimate
          ? `${estimate.payer}${estimate.state ? ` ${estimate.state}` : ''}, ${estimate.setting}; rates from ${estimate.source.split(';')[0]}`
          : 'no payer on file',
      ),
    ),
    h(
      'div',
      { class: 'tile' },
      h('span', { class: 'tile-label' }, 'Problems to fix'),
      h('span', { class: 'tile-value', id: 'problem-count' }, problems.length),
    ),
  );
}

function exportButton(determination: Determination): HTMLElement {
  const button = h('button', { type: 'button', id: 'export-csv' }, 'Export lines to bill (CSV)');
  button.addEventListener('click', () => {
    const blob = new Blob([billingCsv(determination)], { type: 'text/csv' });
    const link = h('a', { href: URL.createObjectURL(blob), download: 'rt-billing-lines.csv' });
    document.body.append(link);
    link.click();
    link.remove();
  });
  return button;
}

function reloadButton(reload: () => void): HTMLElement {
  const button = h('button', { type: 'button', id: 'reload', class: 'secondary' }, 'Reload the record');
  button.addEventListener('click', reload);
  return button;
}

/** The whole review: summary, sessions, orders, and the detail of the selected row. */
export function renderReview(determination: Determination, context: ReviewContext): HTMLElement {
  const detail = h('div', { id: 'detail-region', 'aria-live': 'polite' });
  const show = (node: HTMLElement) => {
    detail.replaceChildren(node);
    node.querySelector<HTMLElement>('#detail-title')?.focus();
  };
  const selectSession = (session: SessionDetermination) => show(sessionDetail(session, context));
  const selectOrder = (order: OrderDetermination) => show(orderDetail(order, context));

  const population =
    determination.findings.length > 0 ? h('section', { 'aria-label': 'Course findings' }, findingList(determination.findings, context)) : null;
  const view = h(
    'div',
    {},
    summary(determination),
    population,
    h('div', { class: 'actions' }, exportButton(determination), context.reportLink ?? null, context.reload ? reloadButton(context.reload) : null),
    sessionsTable(determination, selectSession),
    phasesSection(determination),
    ordersTable(determination, selectOrder),
    detail,
  );

  const focusSession = context.focus.session
    ? determination.sessions.find((s) => s.encounter === context.focus.session || s.fractions.includes(context.focus.session!))
    : undefined;
  const focusOrder = context.focus.order ? determination.orders.find((o) => o.order === context.focus.order) : undefined;
  if (focusSession) detail.replaceChildren(sessionDetail(focusSession, context));
  else if (focusOrder) detail.replaceChildren(orderDetail(focusOrder, context));
  const focusPhase = context.focus.phase
    ? [...view.querySelectorAll<HTMLElement>('tr[data-phase]')].find((row) => row.dataset.phase === context.focus.phase)
    : undefined;
  focusPhase?.classList.add('focused');
  focusPhase?.setAttribute('aria-current', 'true');
  // What the link opened on, in view once the review is on the page (the detail is below the tables).
  const target = focusPhase ?? (focusSession || focusOrder ? detail : undefined);
  if (target) requestAnimationFrame(() => target.scrollIntoView({ block: 'start' }));
  return view;
}
