import { csvField } from '../../src/csv.js';
import type { Determination } from '../../src/engine/types.js';

/**
 * The lines to bill (and those pending a signature) as CSV, one row per code and session. Fields go through the CLI's
 * csvField (src/csv.ts): a FHIR value that looks like a formula (an unresolved encounter reference `=HYPERLINK(…)`)
 * stays text in the spreadsheet.
 */
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
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
