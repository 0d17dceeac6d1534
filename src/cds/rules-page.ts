import type { RequestHandler } from 'express';
import { RULE_CATALOG } from '../engine/rules/index.js';
import { SOURCES } from '../engine/tables/sources.js';

const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** `GET /rules`: the rule documentation cards link to (`/rules#A-SIGN`); JSON when asked for JSON. */
export const rulesPage: RequestHandler = (req, res) => {
  if (req.accepts(['html', 'json']) === 'json') {
    res.json({ rules: RULE_CATALOG, sources: SOURCES });
    return;
  }
  const rows = RULE_CATALOG.map(
    (rule) =>
      `<tr id="${escape(rule.id)}"><th scope="row">${escape(rule.id)}</th><td>${escape(rule.title)}</td><td>${rule.sources.map((s) => `${s} ${escape(SOURCES[s].title)}`).join('<br>')}</td></tr>`,
  ).join('\n');
  res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>rt-billing-cds rules</title>
<style>body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}th,td{border-bottom:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}:target{background:#fff3c4}</style>
</head><body><h1>2026 radiation oncology billing rules</h1><p>Every card and finding of rt-billing-cds names one of these rules and its source.</p>
<table><thead><tr><th scope="col">Rule</th><th scope="col">What it checks</th><th scope="col">Sources</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`);
};
