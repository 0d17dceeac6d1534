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

describe('the worklist holds what a signature can still save', () => {
  it('a session whose 77387-26 is already lost (a later fraction proven by a summary) is not a "signature due"', async () => {
    const { evaluate } = await import('../../../src/engine/evaluate.js');
    const { engineInput, fraction } = await import('../../helpers/facts.js');
    const last = fraction({
      start: '2026-06-01T09:00:00Z',
      delivered: { imageGuidance: ['cbct'] },
      summaries: ['Procedure/phase'],
      numberInPhase: 1,
    });
    const pending = fraction({ start: '2026-06-01T09:00:00Z', patient: 'Patient/p2', delivered: { imageGuidance: ['cbct'] } });
    const summary = {
      ref: 'Procedure/phase',
      level: 'phase' as const,
      status: 'in-progress',
      patient: 'Patient/p1',
      start: '2026-06-01T09:00:00Z',
      end: '2026-06-01T09:12:00Z',
      fractionsDelivered: 3,
      plan: { modalities: ['photon' as const], techniques: ['3d-crt' as const], isocenters: 1, combinations: [], otherTechniques: [], unknown: [] },
      delivered: { imageGuidance: ['cbct' as const], intrafraction: [], respiratory: [], portImages: false, unknown: [] },
      sameAs: 'phase',
      within: [],
      plans: 1,
      bodySites: [],
      factSources: [],
    };
    const collector = new ReportCollector();
    for (const [patient, fx] of [
      ['Patient/p1', last],
      ['Patient/p2', pending],
    ] as const) {
      const determination = evaluate(engineInput({ fractions: [fx], summaries: patient === 'Patient/p1' ? [summary] : [] }));
      collector.add({ patient, ...determination });
    }
    const worklist = collector.result('test', new DepartmentSummary().toJSON()).worklist;
    expect(worklist.map((row) => row.patient)).toEqual(['Patient/p2']);
  });
});
