import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { evaluatorFor, type DepartmentContext } from '../../../src/batch/evaluation-pool.js';

/** A department whose patient store cannot be opened: what a worker meets when something outside the input breaks. */
const brokenDepartment: DepartmentContext = {
  store: { path: join(tmpdir(), 'rt-billing-no-such-store', 'patients.sqlite'), files: [] },
  shared: [],
  options: { asOf: '2026-07-01', clinicTimeZone: null },
  claims: [],
  cutFiles: [],
  brokenPatients: [],
  encoding: 'ndjson',
};

describe('evaluation workers', () => {
  it('--workers 0 evaluates on the calling thread, one patient at a time', async () => {
    const evaluator = evaluatorFor(0);
    expect(evaluator.window).toBe(1);
    expect(() => evaluator.start(brokenDepartment)).toThrow(/unable to open|directory does not exist/i);
    await evaluator.close();
  });

  it("a bug in a worker fails its patient with the bug's message, one line (its stack kept apart, as on one thread)", async () => {
    const evaluator = evaluatorFor(1);
    const failure = await evaluator.evaluate('Patient/a').catch((error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe('a patient came before the department');
    expect((failure as Error).stack).toContain('evaluation-worker');
    await evaluator.close();
  });

  it('a worker that fails fails the run: every patient in flight is rejected, nothing waits forever', async () => {
    const evaluator = evaluatorFor(2);
    expect(evaluator.window).toBe(8);
    evaluator.start(brokenDepartment);
    // Settled together: the workers fail one after the other, and no rejection waits for a handler.
    const outcomes = await Promise.allSettled(['Patient/a', 'Patient/b', 'Patient/c'].map((patient) => evaluator.evaluate(patient)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await expect(evaluator.evaluate('Patient/d')).rejects.toThrow();
    await evaluator.close();
  });
});
