import { describe, expect, it } from 'vitest';
import { DepartmentSummary } from '../../../src/batch/summary.js';
import { nextTreatmentDay, ReportCollector } from '../../../src/report/collect.js';
import { renderReport } from '../../../src/report/html.js';

describe('the worklist deadline', () => {
  it.each([
    ['a Monday session: Tuesday', '2026-03-02T08:00:00Z', '2026-03-03T08:00:00.000Z'],
    ['a Friday session: the next Monday', '2026-03-06T08:00:00Z', '2026-03-09T08:00:00.000Z'],
    ['no date: none', null, null],
  ])('%s', (_label, start, expected) => {
    expect(nextTreatmentDay(start)).toBe(expected);
  });
});

describe('renderReport', () => {
  const collector = new ReportCollector();
  const hostile = '<script>alert(1)</script>';
  collector.add({ error: { file: `export/${hostile}.ndjson`, line: 3, message: `not valid JSON ${hostile}` } });
  const summary = new DepartmentSummary();
  summary.addError();
  const html = renderReport(collector.result(hostile, summary.toJSON()));

  it('escapes everything that comes from the input', () => {
    expect(html).not.toContain(hostile);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('says when there is nothing to show instead of drawing empty charts', () => {
    expect(html).toContain('No session with a 2026 delivery code.');
    expect(html).toContain('Nothing is waiting for a signature.');
    expect(html).toContain('Input that could not be read');
  });
});
