import { RULE_CATALOG } from '../engine/rules/index.js';
import { scopeName } from '../engine/rules/A-UTIL.js';
import { carcText } from '../engine/tables/carc.js';
import type { ActionRow, ChargeRow, DenialRow, DenialSummary, ReportData, SignatureTimeliness, WorkRow } from './collect.js';
import { findingsByRuleChart, sessionsByLevelChart, shareByMonthChart } from './charts.js';

/**
 * The department report: one self-contained HTML file (no server, no network, no external file): charts as
 * inline SVG, tables that sort on a click (a few lines of inline script; without it they still read in order),
 * and a print style. Everything from the input is escaped.
 */
const escape = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const money = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const percent = (share: number | null) => (share === null ? '—' : `${Math.round(share * 100)}%`);
const day = (value: string | null) => (value ? value.slice(0, 10) : '—');
const when = (value: string | null) => (value ? `${value.slice(0, 10)} ${value.slice(11, 16)}` : '—');
const titleOf = new Map(RULE_CATALOG.map((r) => [r.id, r.title]));
const LEVELS = ['77402', '77407', '77412'];

interface Column<T> {
  readonly label: string;
  readonly cell: (row: T) => string;
  /** The value to sort by (defaults to the cell text). */
  readonly sort?: (row: T) => string | number;
  readonly numeric?: boolean;
}

function table<T>(id: string, caption: string, columns: readonly Column<T>[], rows: readonly T[], empty: string): string {
  if (rows.length === 0) return `<p class="empty" id="${id}-empty">${escape(empty)}</p>`;
  const head = columns
    .map((c, i) => `<th scope="col"${c.numeric ? ' class="num"' : ''}><button type="button" data-column="${i}">${escape(c.label)}</button></th>`)
    .join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${columns
          .map((c) => `<td${c.numeric ? ' class="num"' : ''} data-sort="${escape(c.sort ? c.sort(row) : '')}">${c.cell(row)}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table id="${id}" class="sortable"><caption>${escape(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Denials and payments (spec E): by payer, reason, code and rule, with what an appeal could recover. */
function denialsSection(d: DenialSummary): string {
  const columns: Column<DenialRow>[] = [
    { label: 'Payer', cell: (r) => escape(r.payer), sort: (r) => r.payer },
    { label: 'Reason (CARC)', cell: (r) => `<abbr title="${escape(carcText(r.reason))}">${escape(r.reason)}</abbr>`, sort: (r) => r.reason },
    { label: 'Code', cell: (r) => escape(r.code), sort: (r) => r.code },
    { label: 'Rule', cell: (r) => `<abbr title="${escape(titleOf.get(r.rule))}">${escape(r.rule)}</abbr>`, sort: (r) => r.rule },
    { label: 'Lines', cell: (r) => String(r.lines), sort: (r) => r.lines, numeric: true },
    { label: 'Denied', cell: (r) => money(r.denied), sort: (r) => r.denied, numeric: true },
    { label: 'Appealable', cell: (r) => money(r.appealable), sort: (r) => r.appealable, numeric: true },
    { label: 'Recoverable at policy rate', cell: (r) => money(r.recoverable), sort: (r) => r.recoverable, numeric: true },
  ];
  return `<section id="denials">
<h2>Denials and payments (E rules)</h2>
<p>${d.linesRead} remittance lines read. Denied or short-paid: <strong>${money(d.denied)}</strong>; on lines the record supports (appeal packets: <code>rt-billing appeal</code>): <strong>${money(d.appealable)}</strong>, of which <strong>${money(d.recoverable)}</strong> recoverable at the payer policies' rates.</p>
${d.payersNotOn2026.length > 0 ? `<p>Payers not on the 2026 delivery codes (E-NOT-ADOPTED; report them to ACRO's survey, 000): ${d.payersNotOn2026.map(escape).join(', ')}.</p>` : ''}
${table('denials-table', 'Denied and short-paid lines by payer, reason, code and rule', columns, d.rows, 'Every remittance line was paid as the record supports.')}
</section>`;
}

const severityCell = (severity: string) => `<span class="sev sev-${escape(severity)}">${escape(severity)}</span>`;
const refs = (list: readonly string[]) => list.map((r) => `<code>${escape(r)}</code>`).join(' ');
const SEVERITY_ORDER: Record<string, number> = { critical: 0, warning: 1, info: 2 };

const chargeColumns: Column<ChargeRow>[] = [
  { label: 'Severity', cell: (r) => severityCell(r.severity), sort: (r) => SEVERITY_ORDER[r.severity] ?? 3 },
  { label: 'Rule', cell: (r) => `<abbr title="${escape(titleOf.get(r.rule))}">${escape(r.rule)}</abbr>`, sort: (r) => r.rule },
  { label: 'Patient', cell: (r) => `<code>${escape(r.patient)}</code>`, sort: (r) => r.patient },
  { label: 'Date', cell: (r) => escape(day(r.date)), sort: (r) => r.date ?? '' },
  { label: 'Amount at risk', cell: (r) => escape(money(r.amountAtRisk)), sort: (r) => r.amountAtRisk ?? -1, numeric: true },
  { label: 'What to fix', cell: (r) => escape(r.message), sort: (r) => r.message },
  { label: 'Evidence', cell: (r) => refs(r.evidence), sort: (r) => r.evidence.join(' ') },
];

const actionColumns: Column<ActionRow>[] = [
  { label: 'Severity', cell: (r) => severityCell(r.severity), sort: (r) => SEVERITY_ORDER[r.severity] ?? 3 },
  { label: 'Act before', cell: (r) => escape(when(r.deadline)), sort: (r) => r.deadline ?? '~' },
  { label: 'Patient', cell: (r) => `<code>${escape(r.patient)}</code>`, sort: (r) => r.patient },
  { label: 'Date', cell: (r) => escape(day(r.date)), sort: (r) => r.date ?? '' },
  { label: 'Rule', cell: (r) => `<abbr title="${escape(titleOf.get(r.rule))}">${escape(r.rule)}</abbr>`, sort: (r) => r.rule },
  { label: 'Amount', cell: (r) => escape(money(r.amount)), sort: (r) => r.amount ?? -1, numeric: true },
  { label: 'What to do', cell: (r) => escape(r.message), sort: (r) => r.message },
  { label: 'About', cell: (r) => (r.subject ? `<code>${escape(r.subject)}</code>` : 'the record'), sort: (r) => r.subject },
];

const hours = (value: number | null) =>
  value === null ? '—' : value < 48 ? `${value.toFixed(value < 10 ? 2 : 1)} h` : `${(value / 24).toFixed(1)} days`;

const timelinessColumns: Column<SignatureTimeliness>[] = [
  { label: 'Physician', cell: (r) => `<code>${escape(r.physician)}</code>`, sort: (r) => r.physician },
  { label: 'Signed in time', cell: (r) => String(r.inTime), sort: (r) => r.inTime, numeric: true },
  { label: 'Signed after the next beam-on', cell: (r) => String(r.late), sort: (r) => r.late, numeric: true },
  { label: 'Median time to signature', cell: (r) => escape(hours(r.medianHours)), sort: (r) => r.medianHours ?? -1, numeric: true },
];

/** A text box that hides the rows of a table that do not contain what is typed (with the interactive script). */
const filterBox = (table: string, label: string) =>
  `<p class="filter"><label>${escape(label)} <input type="search" data-filter="${escape(table)}" placeholder="patient, rule, critical…"></label></p>`;

const workColumns: Column<WorkRow>[] = [
  {
    label: 'Sign before (next treatment)',
    cell: (r) => (r.dueBy ? `${escape(when(r.dueBy))}${r.dueKnown ? '' : ' <span class="muted">expected: next treatment day</span>'}` : '—'),
    sort: (r) => r.dueBy ?? '~',
  },
  { label: 'Patient', cell: (r) => `<code>${escape(r.patient)}</code>`, sort: (r) => r.patient },
  { label: 'Session', cell: (r) => `${escape(when(r.date))} <code>${escape(r.session)}</code>`, sort: (r) => r.date ?? '' },
  { label: 'Rule', cell: (r) => `<abbr title="${escape(titleOf.get(r.rule))}">${escape(r.rule)}</abbr>`, sort: (r) => r.rule },
  { label: 'What to sign', cell: (r) => escape(r.message), sort: (r) => r.message },
  { label: 'Evidence', cell: (r) => refs(r.evidence), sort: (r) => r.evidence.join(' ') },
];

const STYLE = `
:root { color-scheme: light; --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --bg: #f5f7fa; --critical: #b91c1c; --warning: #92400e; --info: #1e40af; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; border-bottom: 1px solid var(--line); }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 8px; } h3 { font-size: 16px; margin: 16px 0 6px; }
.muted, caption { color: var(--muted); } caption { text-align: left; padding: 4px 0; caption-side: top; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin: 16px 0 20px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--bg); }
.tile b { display: block; font-size: 24px; } .tile.alert b { color: var(--critical); }
.charts { display: grid; grid-template-columns: 1fr; gap: 8px; }
figure { margin: 0; } figure svg { max-width: 100%; height: auto; } figcaption { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); position: sticky; top: 0; }
th button { all: unset; cursor: pointer; font-weight: 600; } th button:focus-visible { outline: 2px solid var(--info); }
th[aria-sort="ascending"] button::after { content: " ▲"; } th[aria-sort="descending"] button::after { content: " ▼"; }
td.num, th.num { text-align: right; white-space: nowrap; }
code { font-size: 12.5px; background: var(--bg); padding: 0 3px; border-radius: 3px; word-break: break-all; }
.sev { font-weight: 600; text-transform: uppercase; font-size: 11.5px; letter-spacing: .03em; }
.sev-critical { color: var(--critical); } .sev-warning { color: var(--warning); } .sev-info { color: var(--info); }
.sev-critical::before { content: "✖ "; } .sev-warning::before { content: "▲ "; } .sev-info::before { content: "ℹ "; }
details { margin: 4px 0 12px; } summary { cursor: pointer; color: var(--muted); }
.filter input { font: inherit; padding: 4px 8px; min-width: 260px; } .tile small { font-size: 13px; color: var(--muted); font-weight: normal; }
.empty { padding: 8px 12px; background: var(--bg); border-radius: 6px; }
footer { margin-top: 40px; padding-bottom: 32px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { font-size: 11px; } header, main, footer { max-width: none; padding: 0; }
  th { position: static; } th button::after { content: "" !important; }
  section, figure, tr { break-inside: avoid; } h2 { break-after: avoid; }
  details > summary { display: none; } details > * { display: block; }
  .tile { background: none; }
}
`;

/** Sorts a table by a column on click (numbers by data-sort), and says so with aria-sort. */
const SCRIPT = `
document.querySelectorAll('input[data-filter]').forEach(function (input) {
  var table = document.getElementById(input.dataset.filter);
  if (!table) return;
  input.addEventListener('input', function () {
    var wanted = input.value.trim().toLowerCase();
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      row.hidden = wanted !== '' && row.textContent.toLowerCase().indexOf(wanted) < 0;
    });
  });
});
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th button').forEach(function (button) {
    button.addEventListener('click', function () {
      var th = button.parentElement, index = Number(button.dataset.column);
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('th').forEach(function (other) { other.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var key = function (row) { var v = row.cells[index].dataset.sort; return v !== '' && !isNaN(Number(v)) ? Number(v) : v; };
      rows.sort(function (a, b) { var x = key(a), y = key(b); var c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y)); return ascending ? c : -c; });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
`;

export interface ReportOptions {
  /** When the report was made (shown in the header). */
  readonly generatedAt?: string;
  readonly title?: string;
  /**
   * Tables that sort on a click (a few lines of inline script). Off where the page is shown under a Content Security
   * Policy that forbids inline script (the direct API's answer): the tables then keep their order, the rest is the same.
   */
  readonly interactive?: boolean;
}

export function renderReport(data: ReportData, options: ReportOptions = {}): string {
  const { summary } = data;
  const overall = summary.utilization.find((g) => !g.scope.month && !g.scope.location);
  const months = summary.utilization
    .filter((g) => g.scope.month && !g.scope.location)
    .map((g) => ({ month: g.scope.month!, share: g.share, sessions: g.sessions, level3: g.level3 }));
  const locations = summary.utilization.filter((g) => g.scope.location && !g.scope.month);
  const levels = [...LEVELS, ...Object.keys(summary.sessionsByCode).filter((c) => !LEVELS.includes(c))]
    .filter((code) => summary.sessionsByCode[code] !== undefined)
    .map((code) => ({ code: code === 'none' ? 'no code supported' : code, sessions: summary.sessionsByCode[code] ?? 0 }));
  const rules = [...summary.findingsByRule].sort((a, b) => b.amountAtRisk - a.amountAtRisk || b.critical - a.critical || b.count - a.count);
  const atRisk = rules.filter((r) => r.amountAtRisk > 0);
  const critical = data.actions.filter((c) => c.severity === 'critical').length;
  const title = options.title ?? 'Radiation oncology billing report, 2026 rules';

  const { money: cash } = summary;
  const judged = overall?.population === true;
  const lostParts = [
    cash.lostSessions ? `${cash.lostSessions} × 77387-26` : '',
    cash.noCodeSessions ? `${cash.noCodeSessions} session${cash.noCodeSessions === 1 ? '' : 's'} without a code` : '',
  ].filter(Boolean);
  const tiles: readonly (readonly [string, string, boolean?])[] = [
    ['Patients', summary.patients.toLocaleString('en-US')],
    ['Sessions', summary.sessions.toLocaleString('en-US')],
    ['Billable (estimated)', money(cash.billable)],
    [`At risk until signed${cash.atRiskSessions ? ` (${cash.atRiskSessions} sessions)` : ''}`, money(cash.atRisk), cash.atRiskSessions > 0],
    [`Lost${lostParts.length ? ` (${lostParts.join(', ')})` : ''}`, money(cash.lost), cash.lostSessions + cash.noCodeSessions > 0],
    ['Charges on file to fix', money(summary.charges.amountAtRisk), summary.charges.amountAtRisk > 0],
    [
      judged ? '77412 share (CMS ~35%)' : '77412 share: not judged',
      judged
        ? percent(overall?.share ?? null)
        : `${percent(overall?.share ?? null)} <small>${overall?.multiplePatients ? 'too few sessions' : 'one patient'}</small>`,
      judged && (overall?.share ?? 0) > (overall?.expectedShare ?? 1),
    ],
    [`To act on${critical ? ` (${critical} critical)` : ''}`, (data.actions.length + data.actionsOmitted).toLocaleString('en-US'), critical > 0],
    ['Signatures due', (data.worklist.length + data.worklistOmitted).toLocaleString('en-US'), data.worklist.length > 0],
    ...(summary.errors > 0 ? [['Error records', String(summary.errors), true] as const] : []),
  ];

  const monthTable = `<details><summary>Data</summary><table><caption>77412 share by month</caption><thead><tr><th scope="col">Month</th><th scope="col" class="num">Sessions</th><th scope="col" class="num">77412</th><th scope="col" class="num">Share</th></tr></thead><tbody>${months
    .map(
      (m) =>
        `<tr><td>${escape(m.month)}</td><td class="num">${m.sessions}</td><td class="num">${m.level3}</td><td class="num">${percent(m.share)}</td></tr>`,
    )
    .join('')}</tbody></table></details>`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escape(title)}</h1>
<p class="muted">Input <code>${escape(data.input)}</code>${options.generatedAt ? ` · generated ${escape(options.generatedAt)}` : ''} · rt-billing-cds. Every finding names its rule and source; estimates come from the 2026 rate table and never decide a code.</p>
<div class="tiles">${tiles.map(([label, value, alert]) => `<div class="tile${alert ? ' alert' : ''}"><span class="muted">${label}</span><b>${value}</b></div>`).join('')}</div>
</header>
<main>
<section id="to-act-on">
<h2>To act on: every warning and critical, most urgent first</h2>
<p class="muted">Sessions, orders, phase summaries and charges. "Amount" is the charge at risk, or the session's 77387-26 (at risk while a signature is due, lost after). ${cash.unpricedSessions ? `${cash.unpricedSessions} session(s) could not be priced (payer or date unknown): counted, not in the amounts.` : ''}</p>
${data.actions.length > 0 ? filterBox('actions', 'Filter') : ''}
${table('actions', 'Warnings and criticals, with the deadline and the money', actionColumns, data.actions, 'Nothing to act on.')}
${data.actionsOmitted > 0 ? `<p class="muted">${data.actionsOmitted} more in the NDJSON output.</p>` : ''}
</section>
<section id="share-by-month">
<h2>77412 share by month against the CMS 35% expectation (A-UTIL)</h2>
${months.length > 0 ? `<figure>${shareByMonthChart(months, overall?.expectedShare ?? 0.35)}<figcaption>Share of sessions billed 77412 among sessions with a 2026 delivery code. A share well above 35% draws payer scrutiny; populations under 20 sessions or of one patient are not judged.</figcaption></figure>${monthTable}` : '<p class="empty">No session with a 2026 delivery code.</p>'}
${summary.findings.length > 0 ? `<ul>${summary.findings.map((f) => `<li>${escape(f.message)}</li>`).join('')}</ul>` : ''}
${
  locations.length > 0
    ? table(
        'share-by-location',
        '77412 share by location',
        [
          { label: 'Location', cell: (g) => escape(scopeName(g.scope).replace(/^sessions at /, '')), sort: (g) => g.scope.location ?? '' },
          { label: 'Sessions', cell: (g) => String(g.sessions), sort: (g) => g.sessions, numeric: true },
          { label: '77412', cell: (g) => String(g.level3), sort: (g) => g.level3, numeric: true },
          { label: 'Share', cell: (g) => percent(g.share), sort: (g) => g.share ?? -1, numeric: true },
        ],
        locations,
        '',
      )
    : ''
}
</section>
<section id="sessions-by-level">
<h2>Sessions by level (the code the record supports)</h2>
${levels.length > 0 ? `<figure>${sessionsByLevelChart(levels)}<figcaption>${levels.map((l) => `${escape(l.code)}: ${l.sessions}`).join(' · ')}</figcaption></figure>` : '<p class="empty">No sessions.</p>'}
</section>
<section id="findings-by-rule">
<h2>Findings by rule, with the amount at risk</h2>
${atRisk.length > 0 ? `<figure>${findingsByRuleChart(atRisk)}<figcaption>Amount at risk per rule (rate table of rule R, the patient's payer and setting).</figcaption></figure>` : ''}
${table(
  'rules',
  'Findings by rule',
  [
    { label: 'Rule', cell: (r) => `<abbr title="${escape(titleOf.get(r.rule))}">${escape(r.rule)}</abbr>`, sort: (r) => r.rule },
    { label: 'What it checks', cell: (r) => escape(titleOf.get(r.rule) ?? ''), sort: (r) => titleOf.get(r.rule) ?? '' },
    { label: 'Critical', cell: (r) => String(r.critical), sort: (r) => r.critical, numeric: true },
    { label: 'Warning', cell: (r) => String(r.warning), sort: (r) => r.warning, numeric: true },
    { label: 'Info', cell: (r) => String(r.info), sort: (r) => r.info, numeric: true },
    { label: 'Amount at risk', cell: (r) => money(r.amountAtRisk), sort: (r) => r.amountAtRisk, numeric: true },
  ],
  rules,
  'No findings.',
)}
</section>
<section id="charges-to-fix">
<h2>Charges to fix (B rules), critical first</h2>
${table('charges', 'Charges on file that do not match the record, and supportable codes not charged', chargeColumns, data.charges, 'No charge to fix: every charge on file matches the record (or no charges were on file: see B-NONE).')}
${data.chargesOmitted > 0 ? `<p class="muted">${data.chargesOmitted} more in the NDJSON output.</p>` : ''}
</section>
${data.denials ? denialsSection(data.denials) : ''}
<section id="worklist-section">
<h2>Worklist: approvals and signatures due before the next beam-on</h2>
<p class="muted">Sessions whose 77387-26 is still pending: the images or AMM record must be signed by the physician before the patient's next fraction (I-SIGN, A-SIGN). Due at the next booked treatment when the schedule says; else the next weekday, marked expected. Sorted by when it is due.</p>
${table('worklist', 'Signatures due, soonest first', workColumns, data.worklist, 'Nothing is waiting for a signature.')}
${data.worklistOmitted > 0 ? `<p class="muted">${data.worklistOmitted} more in the NDJSON output.</p>` : ''}
</section>
<section id="timeliness">
<h2>Signature timeliness per physician</h2>
<p class="muted">Image approvals and AMM record signatures: how many came before the patient's next beam-on (what 77387-26 needs), how many after, and the median time from the session's start to the signature.</p>
${table('signature-timeliness', 'Signatures by physician, most late first', timelinessColumns, data.timeliness, 'No physician signature in the input.')}
</section>
${
  data.errors.length > 0
    ? `<section id="errors"><h2>Input that could not be read</h2><p class="muted">These patients or lines are not in the figures above.</p>${table(
        'error-records',
        'Error records',
        [
          { label: 'Where', cell: (e) => escape([e.file, e.line ?? e.entry].filter((x) => x !== undefined).join(':')), sort: (e) => e.file ?? '' },
          { label: 'Patient', cell: (e) => (e.patient ? `<code>${escape(e.patient)}</code>` : '—'), sort: (e) => e.patient ?? '' },
          {
            label: 'Problem',
            cell: (e) => escape([e.message, ...(e.issues ?? []).map((i) => `${i.path}: ${i.message}`)].join(' — ')),
            sort: (e) => e.message,
          },
        ],
        data.errors,
        '',
      )}</section>`
    : ''
}
</main>
<footer>Rules: <code>spec/billing-rules.md</code> (D, A, I, C, B); sources 000–004 (ACRO Town Hall 2026, ACROinsights 2026 No. 1, RBS SGRT billing 2026, NIA, Priority Health). Charts rendered with Apache ECharts.</footer>
${options.interactive === false ? '' : `<script>${SCRIPT}</script>`}
</body>
</html>
`;
}
