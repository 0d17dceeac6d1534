/**
 * How busy each core was with work that is not the benchmark's, from /proc/stat (Linux): on a shared machine a
 * neighbour's test run takes CPU from the server and lowers its throughput (its CPU per request barely moves).
 * A run's "others" share is a core's busy time during the run minus what the measured processes used on it.
 * Elsewhere (no /proc/stat) the figures are null.
 */
import { readFileSync } from 'node:fs';

/** Busy milliseconds per core (user, nice, system, irq, softirq, steal), indexed by core id. */
export type CoreTimes = Map<number, number> | null;

/** USER_HZ: /proc/stat counts in hundredths of a second on Linux. */
const TICK_MS = 10;

export function coreTimes(): CoreTimes {
  try {
    const times = new Map<number, number>();
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const match = /^cpu(\d+) (.*)$/.exec(line);
      if (!match) continue;
      const [user, nice, system, , , irq, softirq, steal] = match[2]!.trim().split(/\s+/).map(Number);
      times.set(Number(match[1]), ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * TICK_MS);
    }
    return times;
  } catch {
    return null;
  }
}

/**
 * The share (%) of `cores`' capacity during `wallMs` used by anything but `ownCpuMs` (the measured processes'
 * CPU on those cores); null without /proc/stat.
 */
export function othersPct(before: CoreTimes, after: CoreTimes, cores: readonly number[], ownCpuMs: number, wallMs: number): number | null {
  if (!before || !after || wallMs <= 0 || cores.length === 0) return null;
  const busy = cores.reduce((sum, core) => sum + ((after.get(core) ?? 0) - (before.get(core) ?? 0)), 0);
  return Math.max(0, Math.round(((busy - ownCpuMs) / (wallMs * cores.length)) * 100));
}
