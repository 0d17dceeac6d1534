import type { Determination } from '../../src/engine/types.js';

const cell = (value: string | number | null | undefined): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The lines to bill (and those pending a signature) as CSV, one row per code and session. */
export function billingCsv(determination: Determination): string {
  const header = ['date', 'encounter', 'fractions', 'code', 'units', 'status', 'rule', 'estimated_amount_usd'];
  const rows = determination.sessions.flatMap((session) =>
    session.lines
      .filter((line) => line.status !== 'bundled')
      .map((line) => [
        session.dateOfService ?? '',
        session.encounter ?? '',
        session.fractions.join(' '),
        line.code,
        line.units,
        line.status,
        line.rule,
        session.estimate?.lines.find((priced) => priced.code === line.code)?.amount ?? '',
      ]),
  );
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
