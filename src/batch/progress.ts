import type { Progress } from './run.js';

/** A duration as "1h 02m", "4m 05s" or "12s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(bytes < 10_485_760 ? 1 : 0)} MB`;

export interface ProgressOptions {
  /** stderr is a terminal: redraw one line with a bar; otherwise print plain lines now and then. */
  readonly tty: boolean;
  readonly write: (text: string) => void;
  readonly columns?: number;
  /** Seconds between plain lines. */
  readonly every?: number;
  readonly now?: () => number;
}

/**
 * Progress of a department run on stderr: on a terminal a bar (patients done, sessions, rate, time left), redrawn
 * at most ten times a second; in a log, a plain line every few seconds.
 */
export class ProgressReporter {
  private readonly now: () => number;
  private readonly started: number;
  private last = 0;
  private drawn = false;
  private evaluatingSince: number | null = null;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
  }

  update(progress: Progress): void {
    const now = this.now();
    // The rate and the time left count from the first patient evaluated, not from the start of reading.
    if (progress.phase === 'evaluating' && this.evaluatingSince === null) this.evaluatingSince = now;
    const final = progress.phase === 'evaluating' && progress.patientsDone === progress.patientsTotal;
    if (!final && now - this.last < (this.options.tty ? 100 : (this.options.every ?? 5) * 1000)) return;
    this.last = now;
    const text = this.describe(progress, (now - (this.evaluatingSince ?? this.started)) / 1000);
    if (this.options.tty) {
      this.options.write(`\r\x1b[2K${this.bar(progress)} ${text}`);
      this.drawn = true;
    } else this.options.write(`rt-billing: ${text}\n`);
  }

  /** Ends the bar's line before the closing summary line. */
  finish(): void {
    if (this.drawn) this.options.write('\r\x1b[2K');
    this.drawn = false;
  }

  elapsed(): number {
    return (this.now() - this.started) / 1000;
  }

  private describe(p: Progress, seconds: number): string {
    if (p.phase === 'reading') return `reading ${megabytes(p.bytesRead)} of ${megabytes(p.bytesTotal)}`;
    const rate = seconds > 0 ? p.patientsDone / seconds : 0;
    const left = rate > 0 ? (p.patientsTotal - p.patientsDone) / rate : 0;
    return `${p.patientsDone}/${p.patientsTotal} patients, ${p.sessions} sessions, ${rate.toFixed(rate < 10 ? 1 : 0)} patients/s, ${p.patientsDone === p.patientsTotal ? 'done' : rate > 0 ? `${duration(left)} left` : 'estimating time left'}`;
  }

  private bar(p: Progress): string {
    const width = Math.max(10, Math.min(30, (this.options.columns ?? 80) - 70));
    const fraction =
      p.phase === 'reading' ? (p.bytesTotal > 0 ? p.bytesRead / p.bytesTotal : 0) : p.patientsTotal > 0 ? p.patientsDone / p.patientsTotal : 1;
    const filled = Math.round(Math.min(1, fraction) * width);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  }
}
