/**
 * `BENCH_PROFILE=1 npm run bench`: where a hook's time goes under HTTP load. Each scenario's server runs under
 * `node --cpu-prof` on its own core (the load generator on another, as in the load test); after a warm-up the
 * hook is loaded for BENCH_DURATION_S seconds (10 by default), then the server is asked to stop and exits
 * normally, which writes the profile. The summary covers the loaded window only (start-up and warm-up excluded).
 *
 * BENCH_PROFILE_SCENARIOS (default orderSign,encounterDischarge,orderSignJwt) picks scenarios of hooks.ts;
 * BENCH_PROFILE_DIR keeps the .cpuprofile files (a temporary folder otherwise), for Chrome DevTools or speedscope.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dischargeRequest } from './synthetic.js';
import { DISCHARGE_FRACTIONS, measure, orderSignRequest, SCENARIOS, ServerProcess, type LoadResult } from './hooks.js';
import { printSummary, readProfile, summariseProfile, type ProfileSummary } from './cpuprofile.js';
import { describePinning, pinGenerator, planPinning } from './pinning.js';
import { BenchClient, ISSUER, PUBLIC_BASE, TokenPool } from './tokens.js';

/**
 * Sampling interval, µs (BENCH_PROFILE_INTERVAL_US). At 1000 (V8's default) the profiled order-sign server spent
 * 0.57 CPU ms per request against 0.51 unprofiled; at 250, 0.76: the profile would describe a different program.
 */
const INTERVAL_US = Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 1000);

export interface ProfiledScenario {
  readonly name: string;
  readonly file: string;
  readonly load: LoadResult;
  readonly summary: ProfileSummary;
}

export async function profileHooks({ durationS, warmupS }: { durationS: number; warmupS: number }): Promise<ProfiledScenario[]> {
  const names = (process.env.BENCH_PROFILE_SCENARIOS ?? 'orderSign,encounterDischarge,orderSignJwt').split(',').map((name) => name.trim());
  const scenarios = names.map((name) => {
    const scenario = SCENARIOS.find((s) => s.name === name);
    if (!scenario) throw new Error(`unknown scenario ${name} (one of ${SCENARIOS.map((s) => s.name).join(', ')})`);
    return scenario;
  });
  const dir = process.env.BENCH_PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'rt-billing-profile-'));
  mkdirSync(dir, { recursive: true });
  const pinning = planPinning();
  console.log(`CPU profiles of the service under load (${describePinning(pinning)}), sampling every ${INTERVAL_US} µs, into ${dir}`);
  const bodies = { orderSign: JSON.stringify(orderSignRequest()), discharge: JSON.stringify(dischargeRequest(DISCHARGE_FRACTIONS)) };
  const client = new BenchClient();
  const jwks = await client.serveJwks();
  const unpin = pinGenerator(pinning);
  const profiled: ProfiledScenario[] = [];
  try {
    for (const scenario of scenarios) {
      const name = `${scenario.name}-${Date.now()}.cpuprofile`;
      // Profiled servers are slower; 5,000 requests a second is more than any scenario reaches.
      const pool = scenario.jwt ? new TokenPool(client, scenario.jwt.alg, scenario.jwt.serviceId, 5000 * (durationS + warmupS)) : undefined;
      const server = await ServerProcess.start(pinning, scenario.kind, {
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`, `--cpu-prof-interval=${INTERVAL_US}`],
        env: scenario.kind === 'secured' ? { BENCH_JWKS_URL: jwks.url, BENCH_ISSUER: ISSUER, BENCH_PUBLIC_BASE_URL: PUBLIC_BASE } : {},
      });
      let load: LoadResult;
      try {
        load = await measure(server, scenario.path, bodies[scenario.body], {
          durationS,
          warmupS,
          pinning,
          ...(pool ? { token: () => pool.take() } : {}),
        });
      } finally {
        await server.stop();
      }
      if (!readdirSync(dir).includes(name)) throw new Error(`no profile written for ${scenario.name} (${join(dir, name)})`);
      const file = join(dir, name);
      // The loaded window beside the profile: `node dist/bench/cpuprofile.js FILE` then summarises that window only.
      writeFileSync(`${file}.window.json`, JSON.stringify({ ...load.windowUs, requests: load.requests }));
      const summary = summariseProfile(readProfile(file), load.windowUs, 15);
      console.log(
        `\n${scenario.name}: ${load.rps} req/s under the profiler, ${load.cpuMsPerRequest} CPU ms/request, ${load.non2xx} non-2xx; profile ${file}`,
      );
      printSummary(`${scenario.name} (loaded window)`, summary);
      profiled.push({ name: scenario.name, file, load, summary });
    }
  } finally {
    unpin();
    jwks.server.close();
  }
  return profiled;
}
