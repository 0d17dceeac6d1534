/**
 * One CSV field (RFC 4180) that a spreadsheet shows as text and never runs. Text that begins with `=`, `+`, `-`,
 * `@`, a tab or a carriage return would be read as a formula (`=HYPERLINK(…)`, `+cmd|' /C calc'!A0`), so it gets a
 * leading `'` (OWASP, "CSV Injection"); a field holding a quote, a comma or a line break is quoted. Numbers are
 * written as they are: `-36.74` is an amount, not a formula.
 *
 * No imports and nothing from Node: the CLI (src/batch/output.ts) and the reviewer app (smart-app/src/csv.ts,
 * bundled by Vite) write their CSV with this one function.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value !== 'number' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;
