/**
 * Hook load tests: each scenario in a fresh server process pinned to its own core, the load generator (autocannon,
 * this process) on another; a warm-up, then a measured run during which the server reports its CPU time, so each
 * scenario has a throughput, a p99 and the server CPU milliseconds per request. Each hook's ratio is against a
 * bare express baseline measured in the same run with the same body, connections and duration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { encounterDischarge } from '../cds-services/encounter-discharge/handler.js';
import { orderSign } from '../cds-services/order-sign/handler.js';
import { HookData } from '../src/cds/hook-data.js';
import { HookRequest } from '../src/cds/schemas.js';
import type { CdsService } from '../src/cds/service.js';
import { NODE_FLAGS } from '../src/runtime-flags.js';
import { coreTimes, othersPct } from './contention.js';
import { serverCommand, type Pinning } from './pinning.js';
import { ask, stopChild } from './child-ipc.js';
import type { FromServer, ServerKind, ToServer } from './server.js';
import { dischargeRequest } from './synthetic.js';
import { BenchClient, ISSUER, PUBLIC_BASE, TokenPool, type Alg } from './tokens.js';

export const CONNECTIONS = 50;
/** Other processes' share of a core above which a run is flagged as noisy. */
export const NOISY_PCT = 5;
const ORDER_SIGN = 'rt-billing-order-sign';
const DISCHARGE = 'rt-billing-encounter-discharge';
/** The discharge scenario's course length: the session that just ended is the 35th. */
export const DISCHARGE_FRACTIONS = 35;

/** The project's scenario a4 (left breast tangents in monitored breath hold), read beside dist/ (the bench runs from dist/bench/). */
const orderSignCase = () =>
  JSON.parse(
    readFileSync(
      fileURLToPath(new URL('../../test/fixtures/scenarios/a4-left-breast-breath-hold-surface-monitored.bundle.json', import.meta.url)),
      'utf8',
    ),
  ) as { entry: { resource: { resourceType: string; id: string; intent?: string } }[] };

/** The resources of the order-sign case, as the EHR's server holds them. */
export const orderSignResources = () => orderSignCase().entry.map((e) => e.resource);

/** An order-sign request for scenario a4: drafts, coverage, authorizations. */
export function orderSignRequest(): unknown {
  const golden = orderSignCase();
  const of = (type: string) => golden.entry.filter((e) => e.resource.resourceType === type);
  const searchset = (type: string) => ({ resourceType: 'Bundle', type: 'searchset', entry: of(type) });
  const drafts = golden.entry.filter((e) => e.resource.resourceType === 'ServiceRequest' && e.resource.intent === 'original-order');
  return {
    hook: 'order-sign',
    hookInstance: randomUUID(),
    context: {
      userId: 'Practitioner/dr-raman',
      patientId: golden.entry.find((e) => e.resource.resourceType === 'Patient')!.resource.id,
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: drafts.map((e) => ({ resource: { ...e.resource, status: 'draft' } })) },
    },
    prefetch: { coverage: searchset('Coverage'), preauthorizations: searchset('Claim'), preauthorizationResponses: searchset('ClaimResponse') },
  };
}

export type BodyName = 'orderSign' | 'discharge';

export interface Scenario {
  /** The key in the JSON line. */
  readonly name: string;
  readonly kind: ServerKind;
  readonly path: string;
  readonly body: BodyName;
  /** The scenario whose throughput this one is divided by. */
  readonly baseline: string;
  readonly jwt?: { readonly alg: Alg; readonly serviceId: string; readonly sizedFrom: string };
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'baseline', kind: 'baseline', path: '/baseline', body: 'orderSign', baseline: 'baseline' },
  { name: 'orderSign', kind: 'open', path: `/cds-services/${ORDER_SIGN}`, body: 'orderSign', baseline: 'baseline' },
  { name: 'baselineDischarge', kind: 'baseline', path: '/baseline', body: 'discharge', baseline: 'baselineDischarge' },
  { name: 'encounterDischarge', kind: 'open', path: `/cds-services/${DISCHARGE}`, body: 'discharge', baseline: 'baselineDischarge' },
  {
    name: 'orderSignJwt',
    kind: 'secured',
    path: `/cds-services/${ORDER_SIGN}`,
    body: 'orderSign',
    baseline: 'baseline',
    jwt: { alg: 'RS384', serviceId: ORDER_SIGN, sizedFrom: 'orderSign' },
  },
  {
    name: 'encounterDischargeJwt',
    kind: 'secured',
    path: `/cds-services/${DISCHARGE}`,
    body: 'discharge',
    baseline: 'baselineDischarge',
    jwt: { alg: 'RS384', serviceId: DISCHARGE, sizedFrom: 'encounterDischarge' },
  },
  {
    name: 'orderSignJwtEs384',
    kind: 'secured',
    path: `/cds-services/${ORDER_SIGN}`,
    body: 'orderSign',
    baseline: 'baseline',
    jwt: { alg: 'ES384', serviceId: ORDER_SIGN, sizedFrom: 'orderSign' },
  },
];

export interface LoadResult {
  readonly rps: number;
  readonly p99Ms: number;
  /** Server CPU (user + system, all threads) over the measured run divided by the requests completed. */
  readonly cpuMsPerRequest: number;
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
  /** Share of one core the server used during the run (100 = its core saturated: the server is the bottleneck). */
  readonly serverCorePct: number;
  /** Share of one core the load generator used (near 100 = the generator may be the bottleneck). */
  readonly generatorCorePct: number;
  /**
   * CPU used by other processes during the run (/proc/stat), % of the server's and of the generator's core (of the
   * whole machine, both figures, when unpinned); above a few % the throughput is not the service's alone.
   */
  readonly othersPct: { readonly serverCore: number | null; readonly generatorCore: number | null };
  readonly bodyBytes: number;
  /** The measured run on the server's monotonic clock (µs), the clock of its --cpu-prof profile. */
  readonly windowUs: { readonly fromUs: number; readonly toUs: number };
  readonly tokens?: { readonly alg: Alg; readonly pool: number; readonly used: number; readonly exhausted: number };
}

/** A server process of `kind`, started on the server's core; speaks the protocol of server.ts. */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(
    pinning: Pinning,
    kind: ServerKind,
    options: { env?: NodeJS.ProcessEnv; nodeArgs?: readonly string[] } = {},
  ): Promise<ServerProcess> {
    const script = fileURLToPath(new URL('./server.js', import.meta.url));
    // Every server (the baseline too) runs with the service's own V8 flags, as `npm start` runs it.
    const { command, args } = serverCommand(pinning, [...NODE_FLAGS, ...(options.nodeArgs ?? []), script, kind]);
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...options.env } });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`bench server (${kind}) exited with ${code} before it was ready`)));
      child.on('message', (message: FromServer) => {
        if (message.type === 'ready') resolve(message.url);
      });
    });
    child.removeAllListeners('exit');
    return new ServerProcess(child, url);
  }

  /** The server's CPU time so far (µs) and its monotonic clock (µs, the clock of --cpu-prof profiles). */
  cpu(): Promise<{ cpuUs: number; atUs: number }> {
    return ask<Extract<FromServer, { type: 'cpu' }>>(this.child, { type: 'cpu' } satisfies ToServer, 'cpu');
  }

  /** Asks the server to close and exit normally; resolves when it has (killed after 15 s). */
  stop(): Promise<void> {
    return stopChild(this.child, { type: 'stop' } satisfies ToServer);
  }
}

interface LoadOptions {
  readonly durationS: number;
  /** The cores of the server and of the generator, when pinned. */
  readonly pinning?: Pinning;
  readonly connections?: number;
  readonly token?: () => string;
}

export function autocannonRun(
  url: string,
  payload: string,
  { durationS, connections = CONNECTIONS, token }: LoadOptions,
): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    connections,
    duration: durationS,
    headers: { 'content-type': 'application/json' },
    body: payload,
    ...(token
      ? {
          requests: [
            { setupRequest: (request: autocannon.Request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${token()}` } }) },
          ],
        }
      : {}),
  });
}

/** Warm-up, then the measured run with the server's CPU time read before and after. */
export async function measure(server: ServerProcess, path: string, payload: string, options: LoadOptions & { warmupS: number }): Promise<LoadResult> {
  const url = `${server.url}${path}`;
  await autocannonRun(url, payload, { ...options, durationS: options.warmupS });
  const before = await server.cpu();
  const generatorBefore = process.cpuUsage();
  const coresBefore = coreTimes();
  const result = await autocannonRun(url, payload, options);
  const coresAfter = coreTimes();
  const after = await server.cpu();
  const generator = process.cpuUsage(generatorBefore);
  const wallUs = after.atUs - before.atUs;
  const requests = result.requests.total;
  const [serverMs, generatorMs, wallMs] = [(after.cpuUs - before.cpuUs) / 1000, (generator.user + generator.system) / 1000, wallUs / 1000];
  const pinned = options.pinning?.server != null && options.pinning.generator != null ? options.pinning : null;
  const machine = pinned ? null : othersPct(coresBefore, coresAfter, [...(coresBefore?.keys() ?? [])], serverMs + generatorMs, wallMs);
  return {
    rps: Math.round(result.requests.average),
    p99Ms: result.latency.p99,
    cpuMsPerRequest: requests > 0 ? Math.round(((after.cpuUs - before.cpuUs) / 1000 / requests) * 1000) / 1000 : NaN,
    requests,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    serverCorePct: Math.round(((after.cpuUs - before.cpuUs) / wallUs) * 100),
    generatorCorePct: Math.round(((generator.user + generator.system) / wallUs) * 100),
    othersPct: pinned
      ? {
          serverCore: othersPct(coresBefore, coresAfter, [pinned.server!], serverMs, wallMs),
          generatorCore: othersPct(coresBefore, coresAfter, [pinned.generator!], generatorMs, wallMs),
        }
      : { serverCore: machine, generatorCore: machine },
    bodyBytes: Buffer.byteLength(payload),
    windowUs: { fromUs: before.atUs, toUs: after.atUs },
  };
}

export interface HooksRun {
  /** Per scenario: the median over the rounds (each round a fresh server process). */
  readonly results: Record<string, LoadResult>;
  /** Per scenario: every round's result, in order. */
  readonly rounds: Record<string, LoadResult[]>;
  readonly verifyCost: Record<Alg, { pemMs: number; keyObjectMs: number }>;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** One figure per scenario from its rounds: medians, except errors (summed) and other processes' share (the worst). */
function medianOf(rounds: readonly LoadResult[]): LoadResult {
  const of = (pick: (r: LoadResult) => number) => median(rounds.map(pick));
  const worst = (pick: (r: LoadResult) => number | null) => {
    const values = rounds.map(pick).filter((v): v is number => v !== null);
    return values.length > 0 ? Math.max(...values) : null;
  };
  const tokens = rounds.flatMap((r) => (r.tokens ? [r.tokens] : []));
  return {
    rps: Math.round(of((r) => r.rps)),
    p99Ms: of((r) => r.p99Ms),
    cpuMsPerRequest: Math.round(of((r) => r.cpuMsPerRequest) * 1000) / 1000,
    requests: Math.round(of((r) => r.requests)),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
    serverCorePct: Math.round(of((r) => r.serverCorePct)),
    generatorCorePct: Math.round(of((r) => r.generatorCorePct)),
    othersPct: { serverCore: worst((r) => r.othersPct.serverCore), generatorCore: worst((r) => r.othersPct.generatorCore) },
    bodyBytes: rounds[0]!.bodyBytes,
    windowUs: rounds[0]!.windowUs,
    ...(tokens.length > 0
      ? {
          tokens: {
            alg: tokens[0]!.alg,
            pool: tokens.reduce((sum, t) => sum + t.pool, 0),
            used: tokens.reduce((sum, t) => sum + t.used, 0),
            exhausted: tokens.reduce((sum, t) => sum + t.exhausted, 0),
          },
        }
      : {}),
  };
}

/**
 * Every scenario, `rounds` times round-robin, each run in a fresh server process (a process's GC settles in one
 * of two regimes for the discharge body, ~25 % apart: one process is one draw). JWT pools are sized from the
 * throughput of the same hook without authentication (which does strictly less work), or from the scenario's
 * previous round, over warm-up and run, with a 30 % margin.
 */
export async function runHooks(
  pinning: Pinning,
  { durationS, warmupS, rounds, log }: { durationS: number; warmupS: number; rounds: number; log: (line: string) => void },
): Promise<HooksRun> {
  const bodies: Record<BodyName, string> = {
    orderSign: JSON.stringify(orderSignRequest()),
    discharge: JSON.stringify(dischargeRequest(DISCHARGE_FRACTIONS)),
  };
  const client = new BenchClient();
  const jwks = await client.serveJwks();
  const all: Record<string, LoadResult[]> = Object.fromEntries(SCENARIOS.map((s) => [s.name, []]));
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const scenario of SCENARIOS) {
        let pool: TokenPool | undefined;
        if (scenario.jwt) {
          const sizedOn = all[scenario.name]!.at(-1) ?? all[scenario.jwt.sizedFrom]!.at(-1);
          const perSecond = sizedOn ? sizedOn.requests / durationS : 5000;
          const size = Math.ceil(perSecond * (durationS + warmupS) * 1.3) + 4 * CONNECTIONS;
          const started = performance.now();
          pool = new TokenPool(client, scenario.jwt.alg, scenario.jwt.serviceId, size);
          log(
            `  ${scenario.name}: ${size} ${scenario.jwt.alg} tokens signed in ${((performance.now() - started) / 1000).toFixed(1)} s before the run`,
          );
        }
        const server = await ServerProcess.start(pinning, scenario.kind, {
          env: scenario.kind === 'secured' ? { BENCH_JWKS_URL: jwks.url, BENCH_ISSUER: ISSUER, BENCH_PUBLIC_BASE_URL: PUBLIC_BASE } : {},
        });
        try {
          const token = pool ? () => pool.take() : undefined;
          const result = await measure(server, scenario.path, bodies[scenario.body], { durationS, warmupS, pinning, ...(token ? { token } : {}) });
          all[scenario.name]!.push(
            pool ? { ...result, tokens: { alg: pool.alg, pool: pool.size, used: pool.used, exhausted: pool.exhausted } } : result,
          );
          log(
            `  round ${round}/${rounds} ${scenario.name}: ${result.rps} req/s, p99 ${result.p99Ms} ms, ${result.cpuMsPerRequest} CPU ms/request (server core ${result.serverCorePct} %, generator core ${result.generatorCorePct} %)`,
          );
          const others = Math.max(result.othersPct.serverCore ?? 0, result.othersPct.generatorCore ?? 0);
          if (others > NOISY_PCT)
            log(
              `  NOISY ${scenario.name}: other processes used ${result.othersPct.serverCore} % of the server's core and ${result.othersPct.generatorCore} % of the generator's during the run`,
            );
          if (pool?.exhausted) log(`  WARNING ${scenario.name}: the token pool ran out; ${pool.exhausted} tokens were signed during the run`);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    jwks.server.close();
  }
  return {
    results: Object.fromEntries(Object.entries(all).map(([name, results]) => [name, medianOf(results)])),
    rounds: all,
    verifyCost: { RS384: client.verifyCost('RS384'), ES384: client.verifyCost('ES384') },
  };
}

/**
 * The per-call cost of a hook in-process (request JSON parsed and validated, data gathered from the prefetch,
 * evaluated, response serialized), median of `runs`: what the service does per request without HTTP.
 */
export async function perCallMs(service: CdsService, body: unknown, runs = 400): Promise<number> {
  const text = JSON.stringify(body);
  const settings = { timeoutMs: 1000, maxBytes: 20_000_000 };
  // Information cards on (CDS_INFO_CARDS): a clean order or session answers `cards: []` by default, and the cost per
  // call includes building its cards, as it did before the card policy; a call that returns none did not run.
  const cards = { baseUrl: PUBLIC_BASE, smartLaunchUrl: `${PUBLIC_BASE}/smart-app/launch.html`, infoCards: true };
  const call = async () => {
    const request = HookRequest.parse(JSON.parse(text));
    const response = await service.handle(request, {
      data: new HookData(request, service.prefetch, settings),
      cards,
      now: new Date(),
      clinicTimeZone: null,
    });
    if (response.cards.length === 0) throw new Error(`${service.definition.id}: no cards`);
    return JSON.stringify(response).length;
  };
  for (let i = 0; i < 50; i++) await call(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** In-process per-call costs: both hooks as benchmarked, and discharge for a 5- and a 40-fraction course. */
export async function inProcessCosts() {
  const orderSignMs = await perCallMs(orderSign, orderSignRequest());
  const dischargeMs = await perCallMs(encounterDischarge, dischargeRequest(DISCHARGE_FRACTIONS));
  const five = await perCallMs(encounterDischarge, dischargeRequest(5));
  const forty = await perCallMs(encounterDischarge, dischargeRequest(40));
  return {
    orderSignMs: round3(orderSignMs),
    encounterDischargeMs: round3(dischargeMs),
    dischargeCourseScaling: { fiveMs: round3(five), fortyMs: round3(forty), ratio: Math.round((forty / five) * 100) / 100 },
  };
}
