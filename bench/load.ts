/**
 * What a user of a loaded service feels, and what the service gives back after load (`BENCH_ONLY=load`):
 *
 * - open loop: each hook at a fixed BENCH_OPEN_LOOP_RATE (200) requests per second, every request with a fresh
 *   hookInstance, latency from each request's scheduled time (open-loop.ts); BENCH_OPEN_LOOP_S (20) seconds
 *   measured per route; first each hook is warmed up for BENCH_OPEN_LOOP_WARMUP_S (30) seconds and each floor for
 *   5, at the same rate, in the same server; p99 per hook.
 * - CPU over the floor: in the same runs, the server's CPU time per request, for the hook and for the floor (the
 *   SAME app and middleware answering a fixed card to the same body, load-server.ts), at the same rate.
 * - memory after load: a fresh server's RSS when idle (after start-up and one call of each hook, which loads what
 *   the first call loads), then a minute of closed-loop load at saturation (autocannon, 50 connections, the two
 *   hooks alternating, fresh hookInstances), then RSS 60 s after the load ended; the ratio of the two.
 *
 * Each round runs in fresh server processes pinned to their own core (pinning.ts), the generator on the other;
 * BENCH_LOAD_ROUNDS (3) rounds, medians. The server runs with the service's V8 flags (runtime-flags.ts), or with
 * BENCH_SERVER_FLAGS (space-separated; `none` for V8's defaults) to compare settings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { NODE_FLAGS } from '../src/runtime-flags.js';
import { coreTimes, othersPct } from './contention.js';
import { DISCHARGE_FRACTIONS, orderSignRequest } from './hooks.js';
import { ask, stopChild } from './child-ipc.js';
import { FLOOR_PREFIX, type FromLoadServer, type Sample, type ToLoadServer } from './load-protocol.js';
import { openLoop, uniqueHookBodies, type OpenLoopResult } from './open-loop.js';
import { describePinning, pinGenerator, planPinning, serverCommand, type Pinning } from './pinning.js';
import { dischargeRequest } from './synthetic.js';

const RATE = Number(process.env.BENCH_OPEN_LOOP_RATE ?? 200);
const MEASURED_S = Number(process.env.BENCH_OPEN_LOOP_S ?? 20);
/**
 * Each hook's warm-up at the rate, before anything is measured. The JIT keeps optimising the hooks' code for tens of
 * seconds, on background threads of the same core: after 10 s at 200/s those threads still used 0.29 CPU ms per
 * order-sign request, 0.11 after 40 s (the floor's: 0.07). What a service that has been up for a while costs is
 * the steady state.
 */
const WARMUP_S = Number(process.env.BENCH_OPEN_LOOP_WARMUP_S ?? 30);
const FLOOR_WARMUP_S = 5;
const ROUNDS = Number(process.env.BENCH_LOAD_ROUNDS ?? 3);
/** A minute of load, then a minute of rest, as issue 24 defines the measure. */
const MEMORY_LOAD_S = Number(process.env.BENCH_MEMORY_LOAD_S ?? 60);
const MEMORY_REST_S = Number(process.env.BENCH_MEMORY_REST_S ?? 60);
const MEMORY_CONNECTIONS = 50;

const HOOKS = {
  orderSign: { id: 'rt-billing-order-sign', request: () => orderSignRequest() as { hookInstance: string } },
  encounterDischarge: { id: 'rt-billing-encounter-discharge', request: () => dischargeRequest(DISCHARGE_FRACTIONS) },
} as const;
type Hook = keyof typeof HOOKS;
const HOOK_NAMES = Object.keys(HOOKS) as Hook[];

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => round(bytes / 1_048_576, 1);

/** The V8 flags the load servers run with: the service's, unless BENCH_SERVER_FLAGS says otherwise. */
export function serverFlags(): readonly string[] {
  const setting = process.env.BENCH_SERVER_FLAGS;
  if (setting === undefined) return NODE_FLAGS;
  return setting.trim() === 'none' ? [] : setting.trim().split(/\s+/);
}

class LoadServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(pinning: Pinning, flags: readonly string[]): Promise<LoadServer> {
    const script = fileURLToPath(new URL('./load-server.js', import.meta.url));
    const { command, args } = serverCommand(pinning, [...flags, script]);
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`load server exited with ${code} before it was ready`)));
      child.on('message', (message: FromLoadServer) => {
        if (message.type === 'ready') resolve(message.url);
      });
    });
    child.removeAllListeners('exit');
    return new LoadServer(child, url);
  }

  sample(): Promise<Sample> {
    return ask<Sample>(this.child, { type: 'sample' } satisfies ToLoadServer, 'sample');
  }

  stop(): Promise<void> {
    return stopChild(this.child, { type: 'stop' } satisfies ToLoadServer);
  }
}

// ---------------------------------------------------------------------------------------------------- open loop

export interface OpenLoopRun extends OpenLoopResult {
  /** Server CPU (user + system, all threads) over the measured run divided by the requests answered. */
  readonly cpuMsPerRequest: number;
  /** Other processes' share (%) of the server's core during the run (null unpinned or without /proc/stat). */
  readonly othersPct: number | null;
}

async function measuredOpenLoop(server: LoadServer, pinning: Pinning, path: string, body: () => string): Promise<OpenLoopRun> {
  const url = `${server.url}${path}`;
  const before = await server.sample();
  const cores = coreTimes();
  const result = await openLoop(url, body, { ratePerS: RATE, durationS: MEASURED_S });
  const after = await server.sample();
  const serverMs = (after.cpuUs - before.cpuUs) / 1000;
  const wallMs = (after.atUs - before.atUs) / 1000;
  if (result.ok === 0) throw new Error(`${path}: no request answered 200 (${result.non2xx} non-2xx, ${result.errors} errors)`);
  return {
    ...result,
    cpuMsPerRequest: round(serverMs / result.ok, 4),
    othersPct: pinning.server === null ? null : othersPct(cores, coreTimes(), [pinning.server], serverMs, wallMs),
  };
}

interface OpenLoopRound {
  readonly hook: Record<Hook, OpenLoopRun>;
  readonly floor: Record<Hook, OpenLoopRun>;
}

/** One fresh server: per hook, the hook then its floor (same body, same rate). */
async function openLoopRound(pinning: Pinning, flags: readonly string[]): Promise<OpenLoopRound> {
  const server = await LoadServer.start(pinning, flags);
  try {
    const hook = {} as Record<Hook, OpenLoopRun>;
    const floor = {} as Record<Hook, OpenLoopRun>;
    const bodies = Object.fromEntries(HOOK_NAMES.map((name) => [name, uniqueHookBodies(HOOKS[name].request())])) as Record<Hook, () => string>;
    const hookPath = (name: Hook) => `/cds-services/${HOOKS[name].id}`;
    const floorPath = (name: Hook) => `${FLOOR_PREFIX}/${HOOKS[name].id}`;
    for (const name of HOOK_NAMES) await openLoop(`${server.url}${hookPath(name)}`, bodies[name], { ratePerS: RATE, durationS: WARMUP_S });
    for (const name of HOOK_NAMES) await openLoop(`${server.url}${floorPath(name)}`, bodies[name], { ratePerS: RATE, durationS: FLOOR_WARMUP_S });
    for (const name of HOOK_NAMES) {
      hook[name] = await measuredOpenLoop(server, pinning, hookPath(name), bodies[name]);
      floor[name] = await measuredOpenLoop(server, pinning, floorPath(name), bodies[name]);
    }
    return { hook, floor };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------------- memory

export interface MemoryRound {
  readonly idleRssMb: number;
  readonly peakRssMb: number;
  readonly afterRestRssMb: number;
  readonly afterLoadOverIdle: number;
  readonly requests: number;
  readonly non2xx: number;
  /** V8's committed heap and the memory outside it, idle and after the rest (MB): where RSS that stays is. */
  readonly heapTotalMb: { readonly idle: number; readonly afterRest: number };
  readonly externalMb: { readonly idle: number; readonly afterRest: number };
  /** RSS every 10 s of the rest after load (MB), to see whether and how fast it comes back. */
  readonly restCurveMb: readonly number[];
}

async function memoryRound(pinning: Pinning, flags: readonly string[]): Promise<MemoryRound> {
  const server = await LoadServer.start(pinning, flags);
  try {
    const bodies = HOOK_NAMES.map((name) => ({ path: `/cds-services/${HOOKS[name].id}`, body: uniqueHookBodies(HOOKS[name].request()) }));
    // Idle: started, and each hook called once (what the first call loads and compiles is part of the idle service).
    for (const { path, body } of bodies) {
      const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() });
      if (response.status !== 200) throw new Error(`${path}: warm-up call answered ${response.status}`);
      await response.arrayBuffer();
    }
    await sleep(2000);
    const idle = await server.sample();
    let peak = idle.rssBytes;
    const watch = setInterval(() => void server.sample().then((s) => (peak = Math.max(peak, s.rssBytes))), 1000);
    let result: autocannon.Result;
    try {
      result = await autocannon({
        url: server.url,
        connections: MEMORY_CONNECTIONS,
        duration: MEMORY_LOAD_S,
        requests: bodies.map(({ path, body }) => ({
          method: 'POST' as const,
          path,
          headers: { 'content-type': 'application/json' },
          setupRequest: (request: autocannon.Request) => ({ ...request, body: body() }),
        })),
      });
    } finally {
      clearInterval(watch);
    }
    const curve: number[] = [];
    for (let s = 10; s <= MEMORY_REST_S; s += 10) {
      await sleep(10_000);
      curve.push(mb((await server.sample()).rssBytes));
    }
    const after = await server.sample();
    return {
      idleRssMb: mb(idle.rssBytes),
      peakRssMb: mb(peak),
      afterRestRssMb: mb(after.rssBytes),
      afterLoadOverIdle: round(after.rssBytes / idle.rssBytes, 2),
      requests: result.requests.total,
      non2xx: result.non2xx,
      heapTotalMb: { idle: mb(idle.heapTotalBytes), afterRest: mb(after.heapTotalBytes) },
      externalMb: { idle: mb(idle.externalBytes), afterRest: mb(after.externalBytes) },
      restCurveMb: curve,
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------------- the part

export interface LoadPart {
  readonly flags: readonly string[];
  readonly pinning: string;
  readonly openLoopRounds: readonly OpenLoopRound[];
  readonly memoryRounds: readonly MemoryRound[];
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
}

export async function runLoad(log: (line: string) => void): Promise<LoadPart> {
  const flags = serverFlags();
  const pinning = planPinning();
  const start = loadavg().map((l) => round(l, 2));
  log(`\nLoad: ${describePinning(pinning)}; server V8 flags: ${flags.join(' ') || "none (V8's defaults)"}; load average ${start.join(' ')}`);
  const unpin = pinGenerator(pinning);
  const openLoopRounds: OpenLoopRound[] = [];
  const memoryRounds: MemoryRound[] = [];
  try {
    for (let r = 1; r <= ROUNDS; r++) {
      const open = await openLoopRound(pinning, flags);
      openLoopRounds.push(open);
      for (const name of HOOK_NAMES)
        log(
          `  round ${r}/${ROUNDS} ${name}: p99 ${open.hook[name].p99Ms} ms (floor ${open.floor[name].p99Ms}), ${open.hook[name].cpuMsPerRequest} CPU ms/request (floor ${open.floor[name].cpuMsPerRequest}); others on the server's core ${open.hook[name].othersPct ?? '-'} %`,
        );
      const memory = await memoryRound(pinning, flags);
      memoryRounds.push(memory);
      log(
        `  round ${r}/${ROUNDS} memory: idle ${memory.idleRssMb} MB, peak ${memory.peakRssMb} MB, ${MEMORY_REST_S} s after load ${memory.afterRestRssMb} MB (× ${memory.afterLoadOverIdle}; V8 heap ${memory.heapTotalMb.idle} → ${memory.heapTotalMb.afterRest} MB, outside it ${memory.externalMb.idle} → ${memory.externalMb.afterRest} MB); ${memory.requests} requests; load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
      );
    }
  } finally {
    unpin();
  }
  return {
    flags,
    pinning: pinning.server === null ? `none (${pinning.reason})` : `server core ${pinning.server}, generator core ${pinning.generator}`,
    openLoopRounds,
    memoryRounds,
    loadAverage: { start, end: loadavg().map((l) => round(l, 2)) },
  };
}

/** The keys of the final JSON line: `openLoop`, `cpuOverFloor`, `memory` (medians over the rounds). */
export function loadSummary(part: LoadPart) {
  const byHook = <T>(fn: (name: Hook) => T) => Object.fromEntries(HOOK_NAMES.map((name) => [name, fn(name)])) as Record<Hook, T>;
  const of = (pick: (r: OpenLoopRound) => number) => round(median(part.openLoopRounds.map(pick)), 3);
  const memory = (pick: (r: MemoryRound) => number) => round(median(part.memoryRounds.map(pick)), 2);
  return {
    openLoop: {
      ratePerS: RATE,
      measuredS: MEASURED_S,
      p99Ms: byHook((name) => of((r) => r.hook[name].p99Ms)),
      p50Ms: byHook((name) => of((r) => r.hook[name].p50Ms)),
      floorP99Ms: byHook((name) => of((r) => r.floor[name].p99Ms)),
      rounds: byHook((name) => part.openLoopRounds.map((r) => r.hook[name].p99Ms)),
      errors: byHook((name) => part.openLoopRounds.reduce((sum, r) => sum + r.hook[name].errors + r.hook[name].non2xx, 0)),
      // Other processes' share of the server's core during each round's hook run: a p99 with a neighbour on the core is theirs too.
      othersPct: byHook((name) => part.openLoopRounds.map((r) => r.hook[name].othersPct)),
      serverFlags: part.flags,
    },
    cpuOverFloor: {
      ...byHook((name) => of((r) => r.hook[name].cpuMsPerRequest / r.floor[name].cpuMsPerRequest)),
      cpuMsPerRequest: byHook((name) => ({
        hook: of((r) => r.hook[name].cpuMsPerRequest),
        floor: of((r) => r.floor[name].cpuMsPerRequest),
      })),
      rounds: byHook((name) => part.openLoopRounds.map((r) => round(r.hook[name].cpuMsPerRequest / r.floor[name].cpuMsPerRequest, 2))),
    },
    memory: {
      afterLoadOverIdle: memory((r) => r.afterLoadOverIdle),
      idleRssMb: memory((r) => r.idleRssMb),
      peakRssMb: memory((r) => r.peakRssMb),
      afterRestRssMb: memory((r) => r.afterRestRssMb),
      loadS: MEMORY_LOAD_S,
      restS: MEMORY_REST_S,
      rounds: part.memoryRounds.map((r) => r.afterLoadOverIdle),
      heapTotalMb: part.memoryRounds.map((r) => r.heapTotalMb),
    },
  };
}

export function printLoad(part: LoadPart): void {
  const summary = loadSummary(part);
  const pad = (text: string | number, width: number) => String(text).padStart(width);
  console.log(
    `\nOpen loop (${RATE} requests/s, a fresh hookInstance each, latency from the scheduled send; ${MEASURED_S} s per route after a ${WARMUP_S} s warm-up of each hook; medians of ${part.openLoopRounds.length} rounds, a fresh server each, pinning: ${part.pinning}; V8 flags: ${part.flags.join(' ') || 'none'})`,
  );
  console.log(
    `${'hook'.padEnd(20)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('floor p99', 11)}${pad('CPU ms/req', 12)}${pad('floor CPU', 11)}${pad('× floor', 9)}${pad('target', 8)}`,
  );
  const targets: Record<Hook, number> = { orderSign: 1.8, encounterDischarge: 2.5 };
  for (const name of HOOK_NAMES)
    console.log(
      `${name.padEnd(20)}${pad(summary.openLoop.p50Ms[name], 8)}${pad(summary.openLoop.p99Ms[name], 8)}${pad(summary.openLoop.floorP99Ms[name], 11)}${pad(summary.cpuOverFloor.cpuMsPerRequest[name].hook, 12)}${pad(summary.cpuOverFloor.cpuMsPerRequest[name].floor, 11)}${pad(round(summary.cpuOverFloor[name], 2), 9)}${pad(`≤ ${targets[name]}`, 8)}`,
    );
  const m = summary.memory;
  console.log(
    `Memory: idle ${m.idleRssMb} MB RSS, peak ${m.peakRssMb} MB during ${m.loadS} s of load at saturation, ${m.afterRestRssMb} MB ${m.restS} s after: × ${m.afterLoadOverIdle} (target ≤ 1.5; rounds ${m.rounds.join(', ')}); RSS every 10 s of rest: ${part.memoryRounds.map((r) => r.restCurveMb.join('/')).join('; ')}`,
  );
}
