/**
 * CPU pinning for a fair load test: the server under test on one core, the load generator (this process) on
 * another, so neither takes the other's CPU and the server's throughput is its own. Uses `taskset` (util-linux)
 * when there are at least two usable cores; without it (or on one core) everything runs unpinned and says so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Pinning {
  /** The cores this process may use at start (its affinity list). */
  readonly allowed: readonly number[];
  /** `null` when pinning is not possible; then `reason` says why. */
  readonly server: number | null;
  readonly generator: number | null;
  readonly reason: string;
  readonly taskset: string | null;
}

const TASKSETS = ['/usr/bin/taskset', '/bin/taskset'];

/** `0-2,5` → [0, 1, 2, 5]. */
export function parseCpuList(list: string): number[] {
  return list
    .trim()
    .split(',')
    .filter(Boolean)
    .flatMap((part) => {
      const [from, to] = part.split('-').map(Number) as [number, number | undefined];
      return to === undefined ? [from] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
    });
}

function affinityOf(taskset: string, pid: number): number[] {
  const out = execFileSync(taskset, ['-cp', String(pid)], { encoding: 'utf8' });
  // "pid 123's current affinity list: 0,1"
  return parseCpuList(out.slice(out.lastIndexOf(':') + 1));
}

/** BENCH_PIN=0 turns pinning off (to compare with an unpinned run, as the benchmark measured before). */
export function planPinning(): Pinning {
  if (process.env.BENCH_PIN === '0') return { allowed: [], server: null, generator: null, reason: 'BENCH_PIN=0', taskset: null };
  const taskset = TASKSETS.find((path) => existsSync(path)) ?? null;
  if (!taskset)
    return { allowed: [], server: null, generator: null, reason: 'taskset not found: server and load generator share the cores', taskset };
  const allowed = affinityOf(taskset, process.pid);
  if (allowed.length < 2)
    return { allowed, server: null, generator: null, reason: `only ${allowed.length} usable core: server and load generator share it`, taskset };
  return { allowed, server: allowed[0]!, generator: allowed[1]!, reason: '', taskset };
}

export function describePinning(p: Pinning): string {
  return p.server === null
    ? `no pinning (${p.reason})`
    : `server pinned to core ${p.server} (taskset -c ${p.server}), load generator (this process, all threads) to core ${p.generator} (taskset -a -cp ${p.generator}); cores available: ${p.allowed.join(',')}`;
}

/** Sets this process's affinity, all threads (`taskset -a -cp`). */
function setOwnAffinity(p: Pinning, cores: readonly number[]): void {
  if (!p.taskset) return;
  execFileSync(p.taskset, ['-a', '-cp', cores.join(','), String(process.pid)], { stdio: 'ignore' });
}

/** Pins this process (the load generator) to its core; returns a function that restores the original affinity. */
export function pinGenerator(p: Pinning): () => void {
  if (p.generator === null) return () => undefined;
  setOwnAffinity(p, [p.generator]);
  return () => setOwnAffinity(p, p.allowed);
}

/** The command and arguments that start `node args…` on the server's core (or unpinned). */
export function serverCommand(p: Pinning, nodeArgs: readonly string[]): { command: string; args: string[] } {
  return p.server === null || !p.taskset
    ? { command: process.execPath, args: [...nodeArgs] }
    : { command: p.taskset, args: ['-c', String(p.server), process.execPath, ...nodeArgs] };
}
