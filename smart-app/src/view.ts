import type { Determination, Finding, OrderDetermination, SessionDetermination } from '../../src/engine/types.js';
import { billingCsv, csvFileName, type CsvContext } from './csv.js';
import { h, severityBadge } from './dom.js';
import { courseMoney, moneyText, sessionMoney } from './money.js';
import { phasesSection } from './phases.js';
import { evidenceItem, type EvidenceIndex } from './evidence.js';
import { reviewPanel, STATUS_TEXT, type ReviewBook } from './review-state.js';
import { deadlineText, information, RANK, toActOn, type WorkItem } from './worklist.js';

/** The most severe finding, the first of its severity (findings are sorted by severity, then rule). */
const worstFinding = (findings: readonly Finding[]): Finding | undefined =>
  findings.reduce<Finding | undefined>((w, f) => (w === undefined || RANK[f.severity] < RANK[w.severity] ? f : w), undefined);

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
  /** The patient, for the CSV export (id and MRN). */
  readonly patient?: CsvContext['patient'];
  /** The sessions' review states (the service keeps them), when the app could ask. */
  readonly reviews?: ReviewBook;
}

/** What the session is known by for its review state: its Encounter, else its first fraction. */
const sessionRef = (session: SessionDetermination): string => session.encounter ?? session.fractions[0] ?? '';

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
  const money = sessionMoney(session);
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
      h('dt', {}, 'Next treatment'),
      h('dd', {}, facts.nextTreatment ?? 'none booked'),
      h('dt', {}, 'Lines'),
      h('dd', {}, session.lines.map((l) => `${l.code} ×${l.units} ${l.status} (${l.rule})`).join('; ') || 'none'),
      h('dt', {}, 'Billable'),
      h('dd', { 'data-money': 'billable' }, moneyText(money.billable)),
      h('dt', {}, 'At risk until signed'),
      h('dd', { 'data-money': 'at-risk' }, moneyText(money.atRisk)),
      h('dt', {}, 'Lost'),
      h(
        'dd',
        { 'data-money': 'lost' },
        moneyText(money.lost),
        money.igrtLost ? ' (77387-26)' : '',
        money.noCode ? ' (no code until the record is completed)' : '',
      ),
    ),
    h('h3', {}, 'Findings'),
    findingList(session.findings, context),
    context.reviews ? reviewPanel(sessionRef(session), context.reviews, () => markReviewed(session, context)) : null,
  );
}

/** The review state beside the session's date in the table. */
function reviewMark(session: SessionDetermination, context: ReviewContext): HTMLElement {
  const state = context.reviews?.get(sessionRef(session));
  return h('span', { class: 'review-mark small', 'data-review-mark': sessionRef(session) }, state ? STATUS_TEXT[state.status] : '');
}

function markReviewed(session: SessionDetermination, context: ReviewContext): void {
  const mark = document.querySelector<HTMLElement>(`[data-review-mark="${CSS.escape(sessionRef(session))}"]`);
  if (mark) mark.replaceWith(reviewMark(session, context));
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

/** The worst finding to act on (its severity in words and its rule) and how many more; information does not count. */
function problemsCell(findings: readonly Finding[]): HTMLElement {
  const toAct = findings.filter((f) => f.severity !== 'info');
  const worst = worstFinding(toAct);
  if (!worst) return h('td', { class: 'worst' }, h('span', { class: 'ok' }, '✓ None'));
  return h(
    'td',
    { class: 'worst' },
    severityBadge(worst.severity),
    ' ',
    h('span', { class: 'rule' }, worst.rule),
    toAct.length > 1 ? h('span', { class: 'small muted' }, ` +${toAct.length - 1} more`) : null,
    h('span', { class: 'sr-only' }, toAct.map((f) => f.rule).join(', ')),
  );
}

/** A session's money in one cell: what it bills, and what is at risk or lost beside it. */
function moneyCell(session: SessionDetermination): HTMLElement {
  const money = sessionMoney(session);
  return h(
    'td',
    { class: 'num money' },
    money.billable.items > 0 ? moneyText(money.billable) : '—',
    money.atRisk.items > 0 ? h('span', { class: 'money-note at-risk' }, `${moneyText(money.atRisk)} at risk`) : null,
    money.lost.items > 0 ? h('span', { class: 'money-note lost' }, `${moneyText(money.lost)} lost`) : null,
  );
}

/**
 * The sessions' columns; the `wide` ones are hidden in a narrow frame (an EHR's 800×600 window, anything below 75rem), where a row shows the
 * date, the code to bill, the 77387-26 status, the money and the worst finding.
 */
const COLUMNS: readonly (readonly [string, boolean])[] = [
  ['Date', false],
  ['Fractions', true],
  ['Modality / technique', true],
  ['Isocenters', true],
  ['AMM', true],
  ['Imaging', true],
  ['Clinical code', true],
  ['Code to bill', false],
  ['77387-26', false],
  ['Money (est.)', false],
  ['Worst finding', false],
];

const dollars = (amount: number | null | undefined): string => (amount === null || amount === undefined ? '—' : `$${amount.toFixed(2)}`);

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
      `${line.billedCode} ${line.status === 'paid' ? 'paid' : line.status} ${dollars(line.paid)}`,
      line.rule ? h('span', { class: 'small' }, ` (${line.rule}${line.appealable ? ', appealable' : ''})`) : null,
    ]),
  );
}

function sessionsTable(determination: Determination, select: (session: SessionDetermination) => void, context: ReviewContext): HTMLElement {
  const paid = determination.remittance !== undefined;
  const rows = determination.sessions.map((session) => {
    const button = h(
      'button',
      { type: 'button', class: 'link', 'data-session': session.encounter ?? session.fractions[0] ?? '' },
      session.dateOfService ?? 'undated',
    );
    button.addEventListener('click', () => select(session));
    const severity = worstFinding(session.findings)?.severity ?? null;
    const lowered = session.deliveryCode !== session.supportedDeliveryCode;
    const facts = session.facts;
    return h(
      'tr',
      { class: severity && severity !== 'info' ? `row-${severity}` : undefined, 'data-fractions': session.fractions.join(',') },
      h('th', { scope: 'row' }, button, reviewMark(session, context)),
      h('td', { class: 'wide' }, session.fractions.length),
      h('td', { class: 'wide' }, `${facts.modalities.join(', ') || '?'} / ${facts.techniques.join(', ') || '?'}`),
      h('td', { class: 'wide' }, facts.photonIsocenters ?? '—'),
      h('td', { class: 'wide' }, facts.activeMotionManagement ? 'Yes' : 'No'),
      h('td', { class: 'wide' }, [...facts.imageGuidance, ...(facts.portImages ? ['port images'] : [])].join(', ') || 'None'),
      h('td', { class: 'code wide' }, session.deliveryCode ?? (session.outOfFamily ? 'Out of family' : 'None')),
      h(
        'td',
        { class: lowered ? 'code lowered' : 'code' },
        session.supportedDeliveryCode ?? '—',
        lowered ? h('span', { class: 'small' }, ' (lower)') : null,
      ),
      h('td', { class: `igrt igrt-${session.igrtStatus}` }, IGRT_STATUS_TEXT[session.igrtStatus] ?? session.igrtStatus),
      moneyCell(session),
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
          [...COLUMNS.slice(0, -1), ...(paid ? [['Payment', true] as const] : []), COLUMNS[COLUMNS.length - 1]!].map(([title, wide]) =>
            h('th', { scope: 'col', class: wide ? 'wide' : undefined }, title),
          ),
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

const tile = (label: string, id: string, value: string, note: string | HTMLElement, extra?: string): HTMLElement =>
  h(
    'div',
    { class: `tile${extra ? ` ${extra}` : ''}`, 'data-tile': id },
    h('span', { class: 'tile-label' }, label),
    h('span', { class: 'tile-value', id }, value),
    h('span', { class: 'small muted' }, note),
  );

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The course's money: billable, at risk until signed, lost; then the sessions and the 77412 share (not judged for one patient). */
function summary(determination: Determination): HTMLElement {
  const { utilization } = determination;
  const money = courseMoney(determination);
  const estimate = determination.sessions.find((s) => s.estimate)?.estimate;
  const lostParts = [
    money.igrtLost > 0 ? `77387-26 not supportable on ${plural(money.igrtLost, 'session')}` : '',
    money.sessionsWithoutCode > 0 ? `${plural(money.sessionsWithoutCode, 'session')} with no code` : '',
    money.summaryOnlyFractions > 0 ? `${plural(money.summaryOnlyFractions, 'fraction')} recorded only as summaries (not priced)` : '',
  ].filter(Boolean);
  return h(
    'section',
    { class: 'summary', 'aria-label': 'Money and course summary' },
    tile(
      'Billable',
      'money-billable',
      moneyText(money.billable),
      estimate
        ? h(
            'span',
            {},
            `${estimate.payer}${estimate.state ? ` ${estimate.state}` : ''}, ${estimate.setting}`,
            h('span', { class: 'tile-source' }, `; rates from ${estimate.source.split(';')[0]}`),
          )
        : 'no payer on file: not priced',
    ),
    tile(
      'At risk until signed',
      'money-at-risk',
      moneyText(money.atRisk),
      money.igrtPending > 0 ? `77387-26 pending a physician's approval on ${plural(money.igrtPending, 'session')}` : 'nothing pending',
      money.atRisk.items > 0 ? 'at-risk' : undefined,
    ),
    tile(
      'Lost',
      'money-lost',
      money.lost.items > 0 || money.summaryOnlyFractions === 0 ? moneyText(money.lost) : 'not priced',
      lostParts.join('; ') || 'nothing lost',
      money.lost.items > 0 || money.summaryOnlyFractions > 0 ? 'lost' : undefined,
    ),
    tile('Sessions', 'session-count', String(determination.sessions.length), `${utilization.level3} at 77412`),
    // A-UTIL compares a population's 77412 share with CMS's expectation; one patient's course is no population.
    tile(
      '77412 share (CMS expects ~35%)',
      'level3-share',
      'Not judged (one patient)',
      `77412 on ${utilization.level3} of ${utilization.sessions} sessions; A-UTIL is judged in the department report`,
    ),
  );
}

function subjectButton(item: WorkItem, open: (item: WorkItem) => void): HTMLElement {
  if (item.subject.kind === 'patient') return h('span', { class: 'subject' }, item.subject.label);
  const button = h('button', { type: 'button', class: 'link subject', 'data-subject': item.subject.ref }, item.subject.label);
  button.addEventListener('click', () => open(item));
  return button;
}

/** "To act on": every warning and critical of the course, the nearest deadline first, each opening what it is about. */
function actOnSection(items: readonly WorkItem[], open: (item: WorkItem) => void): HTMLElement {
  return h(
    'section',
    { id: 'to-act-on', 'aria-labelledby': 'to-act-on-title' },
    h('h2', { id: 'to-act-on-title' }, 'To act on ', h('span', { id: 'act-count', class: 'count' }, items.length)),
    items.length === 0
      ? h('p', { class: 'ok' }, '✓ Nothing to act on: no warning or critical finding.')
      : h(
          'ol',
          { class: 'worklist' },
          items.map((item) =>
            h(
              'li',
              { class: `finding finding-${item.finding.severity}`, 'data-rule': item.finding.rule },
              h(
                'p',
                {},
                severityBadge(item.finding.severity),
                ' ',
                subjectButton(item, open),
                item.deadline ? h('span', { class: 'deadline' }, ` ${deadlineText(item)}`) : null,
              ),
              h(
                'p',
                {},
                h('a', { href: `/rules#${item.finding.rule}`, class: 'rule', target: '_blank', rel: 'noopener' }, item.finding.rule),
                ' ',
                item.finding.message.replace(/ \[[^\]]+\]$/, ''),
              ),
            ),
          ),
        ),
  );
}

/** Information (B-NONE, D-TZ, D-SUMMARY…): below the worklist and the tables, folded. */
function informationSection(items: readonly WorkItem[]): HTMLElement | null {
  if (items.length === 0) return null;
  return h(
    'section',
    { id: 'information', 'aria-label': 'Other information' },
    h(
      'details',
      {},
      h('summary', {}, `Other information (${items.length})`),
      h(
        'ul',
        { class: 'findings compact' },
        items.map((item) =>
          h(
            'li',
            { class: 'finding finding-info', 'data-rule': item.finding.rule },
            severityBadge('info'),
            ' ',
            h('span', { class: 'subject' }, item.subject.label),
            ' · ',
            h('a', { href: `/rules#${item.finding.rule}`, class: 'rule', target: '_blank', rel: 'noopener' }, item.finding.rule),
            ' ',
            item.finding.message.replace(/ \[[^\]]+\]$/, ''),
          ),
        ),
      ),
    ),
  );
}

function exportButton(determination: Determination, context: ReviewContext): HTMLElement {
  const button = h('button', { type: 'button', id: 'export-csv' }, 'Export lines to bill (CSV)');
  button.addEventListener('click', () => {
    const csv = { patient: context.patient ?? null, resources: context.evidence };
    const blob = new Blob([billingCsv(determination, csv)], { type: 'text/csv' });
    const link = h('a', { href: URL.createObjectURL(blob), download: csvFileName(determination, csv, new Date()) });
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

/** The whole review: what to act on, the money, sessions, summaries, orders, information, and the selected row's detail. */
export function renderReview(determination: Determination, context: ReviewContext): HTMLElement {
  const detail = h('div', { id: 'detail-region', 'aria-live': 'polite' });
  const show = (node: HTMLElement) => {
    detail.replaceChildren(node);
    node.querySelector<HTMLElement>('#detail-title')?.focus();
  };
  const selectSession = (session: SessionDetermination) => show(sessionDetail(session, context));
  const selectOrder = (order: OrderDetermination) => show(orderDetail(order, context));
  const findSession = (ref: string) => determination.sessions.find((s) => s.encounter === ref || s.fractions.includes(ref));

  const open = (item: WorkItem) => {
    const { subject } = item;
    if (subject.kind === 'session') {
      const session = findSession(subject.ref);
      if (session) selectSession(session);
    } else if (subject.kind === 'order') {
      const order = determination.orders.find((o) => o.order === subject.ref);
      if (order) selectOrder(order);
    } else if (subject.kind === 'phase') {
      view.querySelector<HTMLElement>(`tr[data-phase="${CSS.escape(subject.ref)}"]`)?.scrollIntoView({ block: 'center' });
    }
  };

  const view: HTMLElement = h(
    'div',
    {},
    actOnSection(toActOn(determination), open),
    summary(determination),
    h(
      'div',
      { class: 'actions' },
      exportButton(determination, context),
      context.reportLink ?? null,
      context.reload ? reloadButton(context.reload) : null,
    ),
    sessionsTable(determination, selectSession, context),
    phasesSection(determination),
    ordersTable(determination, selectOrder),
    detail,
    informationSection(information(determination)),
  );

  const focusSession = context.focus.session ? findSession(context.focus.session) : undefined;
  const focusOrder = context.focus.order ? determination.orders.find((o) => o.order === context.focus.order) : undefined;
  if (focusSession) detail.replaceChildren(sessionDetail(focusSession, context));
  else if (focusOrder) detail.replaceChildren(orderDetail(focusOrder, context));
  const focusPhase = context.focus.phase
    ? [...view.querySelectorAll<HTMLElement>('tr[data-phase]')].find((row) => row.dataset.phase === context.focus.phase)
    : undefined;
  focusPhase?.classList.add('focused');
  focusPhase?.setAttribute('aria-current', 'true');
  // What the link opened on, in view once the review is on the page.
  const target = focusPhase ?? (focusSession || focusOrder ? detail : undefined);
  if (target) requestAnimationFrame(() => target.scrollIntoView({ block: 'start' }));
  return view;
}
