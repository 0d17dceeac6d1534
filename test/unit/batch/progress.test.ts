import { describe, expect, it } from 'vitest';
import { duration, ProgressReporter } from '../../../src/batch/progress.js';
import type { Progress } from '../../../src/batch/run.js';

const evaluating = (patientsDone: number, patientsTotal = 100): Progress => ({
  phase: 'evaluating',
  bytesRead: 0,
  bytesTotal: 0,
  patientsDone,
  patientsTotal,
  sessions: patientsDone * 35,
});

function reporter(tty: boolean) {
  let now = 0;
  const written: string[] = [];
  const progress = new ProgressReporter({ tty, write: (t) => written.push(t), now: () => now, every: 5 });
  return { progress, written, at: (ms: number) => (now = ms) };
}

describe('progress of a department run', () => {
  it('plain lines every five seconds at most, and the last one', () => {
    const { progress, written, at } = reporter(false);
    at(0);
    progress.update(evaluating(1));
    at(1000);
    progress.update(evaluating(2)); // too soon: nothing
    at(5100);
    progress.update(evaluating(51));
    at(9000);
    progress.update(evaluating(100));
    expect(written).toHaveLength(2);
    expect(written[0]).toBe('rt-billing: 51/100 patients, 1785 sessions, 10 patients/s, 5s left\n');
    expect(written[1]).toMatch(/100\/100 patients, 3500 sessions, [\d.]+ patients\/s, done\n$/);
  });

  it('the rate counts from the first patient evaluated, not from the start of reading', () => {
    const { progress, written, at } = reporter(false);
    at(0);
    progress.update({ ...evaluating(0), phase: 'reading', bytesRead: 5_000_000, bytesTotal: 10_000_000 });
    at(60_000); // a minute of reading
    progress.update(evaluating(1));
    at(70_000);
    progress.update(evaluating(51));
    expect(written.at(-1)).toContain('51/100 patients, 1785 sessions, 5.1 patients/s, 10s left');
  });

  it('on a terminal, one line redrawn with a bar', () => {
    const { progress, written, at } = reporter(true);
    at(0);
    progress.update(evaluating(50));
    at(500);
    progress.update(evaluating(75));
    expect(written.at(-1)!.startsWith('\r\u001b[2K[')).toBe(true);
    expect(written.at(-1)).toMatch(/\[#+\.+\] 75\/100 patients/);
    progress.finish();
    expect(written.at(-1)).toBe('\r\u001b[2K');
  });

  it.each([
    [12, '12s'],
    [125, '2m 05s'],
    [3725, '1h 02m'],
  ])('%i seconds read as %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });
});
