import type { RequestHandler } from 'express';
import { RULE_CATALOG } from '../engine/rules/index.js';
import { SOURCES } from '../engine/tables/sources.js';
import { matchingOrder } from '../engine/policy.js';
import { policiesInForce } from '../policies/registry.js';

const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** `GET /rules`: the rule documentation cards link to (`/rules#A-SIGN`); JSON when asked for JSON. */
export const rulesPage: RequestHandler = (req, res) => {
  // The payer policies in force, in the order P-MATCH tries them (spec P).
  const policies = matchingOrder(policiesInForce()).map((p) => ({
    id: p.id,
    version: p.version,
    name: p.name,
    file: p.file,
    source: p.source,
    effective: p.effective,
    fallback: p.fallback,
    applies: p.applies,
    codeSet: p.codeSet,
    igrt: p.igrt,
    port: p.port,
    authorization: p.authorization,
    rates: p.rates.length,
    edits: p.edits.map((e) => ({ id: e.id, severity: e.severity, message: e.message, when: e.expression })),
  }));
  if (req.accepts(['html', 'json']) === 'json') {
    res.json({ rules: RULE_CATALOG, sources: SOURCES, policies });
    return;
  }
  const selector = (p: (typeof policies)[number]) =>
    [
      ...p.applies.payorIdentifiers.map((i) => `payor id ${i}`),
      ...p.applies.payorNames.map((n) => `payor "${n}"`),
      ...p.applies.coverageKinds,
      ...p.applies.states,
    ].join(', ');
  const policyRows = policies
    .map(
      (p) =>
        `<tr id="policy-${escape(p.id)}"><th scope="row">${escape(p.id)} ${escape(p.version)}${p.fallback ? ' (fallback)' : ''}</th><td>${escape(p.name)}<br><small>${escape(p.file)}</small></td><td>${escape(selector(p))}</td><td>${escape(p.effective.from)} to ${escape(p.effective.to ?? '…')}</td><td>${escape(p.source)}</td></tr>`,
    )
    .join('\n');
  const rows = RULE_CATALOG.map(
    (rule) =>
      `<tr id="${escape(rule.id)}"><th scope="row">${escape(rule.id)}</th><td>${escape(rule.title)}</td><td>${rule.sources.map((s) => `${s} ${escape(SOURCES[s].title)}`).join('<br>')}</td></tr>`,
  ).join('\n');
  res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>rt-billing-cds rules</title>
<style>body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}th,td{border-bottom:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}:target{background:#fff3c4}</style>
</head><body><h1>2026 radiation oncology billing rules</h1><p>Every card and finding of rt-billing-cds names one of these rules and its source.</p>
<table><thead><tr><th scope="col">Rule</th><th scope="col">What it checks</th><th scope="col">Sources</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2 id="policies">Payer policies in force</h2><p>Tried in this order against the coverage active on the date of service (P-MATCH); none matched: the fallback's rules, no estimate.</p>
<table><thead><tr><th scope="col">Policy</th><th scope="col">Name</th><th scope="col">Applies to</th><th scope="col">Effective</th><th scope="col">Source</th></tr></thead><tbody>
${policyRows}
</tbody></table></body></html>`);
};
