/**
 * `npm run bench`: hook throughput against a bare express baseline (autocannon, 10 s, 50 connections each), then
 * the pipeline (Bundle JSON → validated → facts → determination) and the engine alone on synthetic Bundles, then
 * department runs of 1,000 and 10,000 generated patients (batch.patientsPerSecond, batch.peakRssMb).
 * Prints a table, and as its last line one JSON object with the figures.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { evaluate } from '../src/engine/evaluate.js';
import { extractFacts } from '../src/fhir/extract.js';
import { parseBundle } from '../src/fhir/parse.js';
import { determineBundle } from '../src/pipeline.js';
import { encounterDischarge } from '../cds-services/encounter-discharge/handler.js';
import { HookData } from '../src/cds/hook-data.js';
import { HookRequest } from '../src/cds/schemas.js';
import { writeDepartment } from './department.js';
import { dischargeRequest, syntheticBundle } from './synthetic.js';
import { readFileSync } from 'node:fs';

const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 50;

interface Load {
  rps: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

function orderSignBody(): unknown {
  const golden = JSON.parse(
    readFileSync(fileURLToPath(new URL('../../../shared/cases/acro-4-breast-tangents-amm.bundle.json', import.meta.url)), 'utf8'),
  ) as { entry: { resource: { resourceType: string; intent?: string } }[] };
  const of = (type: string) => golden.entry.filter((e) => e.resource.resourceType === type);
  const searchset = (type: string) => ({ resourceType: 'Bundle', type: 'searchset', entry: of(type) });
  const drafts = golden.entry.filter((e) => e.resource.resourceType === 'ServiceRequest' && e.resource.intent === 'original-order');
  return {
    hook: 'order-sign',
    hookInstance: randomUUID(),
    context: {
      userId: 'Practitioner/dr-ro',
      patientId: 'pat-acro-4-breast-tangents-amm',
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: drafts.map((e) => ({ resource: { ...e.resource, status: 'draft' } })) },
    },
    prefetch: { coverage: searchset('Coverage'), preauthorizations: searchset('Claim'), preauthorizationResponses: searchset('ClaimResponse') },
  };
}

async function load(url: string, body: unknown, sign?: () => string): Promise<Load> {
  const payload = JSON.stringify(body);
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION,
    headers: { 'content-type': 'application/json' },
    body: payload,
    ...(sign
      ? {
          requests: [
            { setupRequest: (request: autocannon.Request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${sign()}` } }) },
          ],
        }
      : {}),
  });
  return { rps: Math.round(result.requests.average), p99Ms: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(runs: number, fn: () => void): number {
  fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

async function hooks() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench', alg: 'ES384', use: 'sig' };
  const child = fork(fileURLToPath(new URL('./server.js', import.meta.url)), {
    env: { ...process.env, BENCH_PUBLIC_JWK: JSON.stringify(jwk) },
    stdio: 'inherit',
  });
  const urls = await new Promise<{ baseline: string; open: string; secured: string }>((resolve) => child.once('message', (m) => resolve(m as never)));
  const order = orderSignBody();
  const discharge = dischargeRequest(35);
  const aud = 'https://rt-billing.bench.example/cds-services/rt-billing-order-sign';
  const sign = () => {
    const now = Math.floor(Date.now() / 1000);
    return jwt.sign({ iss: 'https://ehr.bench.example', sub: 'bench', aud, iat: now, exp: now + 300, jti: randomUUID() }, privateKey, {
      algorithm: 'ES384',
      header: { alg: 'ES384', typ: 'JWT', kid: 'bench' },
    });
  };
  try {
    // A short warm-up of each path so JIT and caches are as in steady state.
    for (const [url, body] of [
      [`${urls.baseline}/baseline`, order],
      [`${urls.open}/cds-services/rt-billing-order-sign`, order],
      [`${urls.open}/cds-services/rt-billing-encounter-discharge`, discharge],
    ] as const) {
      await autocannon({
        url,
        method: 'POST',
        connections: 10,
        duration: 1,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    }
    const baseline = await load(`${urls.baseline}/baseline`, order);
    const orderSign = await load(`${urls.open}/cds-services/rt-billing-order-sign`, order);
    const encounterDischarge = await load(`${urls.open}/cds-services/rt-billing-encounter-discharge`, discharge);
    const orderSignJwt = await load(`${urls.secured}/cds-services/rt-billing-order-sign`, order, sign);
    return { baseline, orderSign, encounterDischarge, orderSignJwt };
  } finally {
    child.kill();
  }
}

function pipeline() {
  const rows: { sessions: number; pipelineMs: number; engineMs: number }[] = [];
  for (const sessions of [100, 1000, 10_000]) {
    const text = JSON.stringify(syntheticBundle(sessions));
    const runs = sessions >= 10_000 ? 5 : 15;
    const pipelineMs = time(runs, () => determineBundle(JSON.parse(text), { asOf: '2026-11-25' }));
    const input = extractFacts(parseBundle(JSON.parse(text)), { asOf: '2026-11-25' });
    const engineMs = time(runs, () => evaluate(input));
    rows.push({ sessions, pipelineMs, engineMs });
  }
  return rows;
}

/**
 * The per-call cost of encounter-discharge in-process (request JSON parsed and validated, data gathered from the
 * prefetch, evaluated, cards serialized) for the last session of a course of `sessions` fractions: what a hook costs
 * as the course grows. The prefetch asks for nothing that grows with the course, so neither should this.
 */
async function dischargePerCallMs(sessions: number, runs = 400): Promise<number> {
  const text = JSON.stringify(dischargeRequest(sessions));
  const settings = { timeoutMs: 1000, maxBytes: 20_000_000 };
  const cards = { baseUrl: 'https://rt-billing.bench.example', smartLaunchUrl: 'https://rt-billing.bench.example/smart-app/launch.html' };
  const call = async () => {
    const request = HookRequest.parse(JSON.parse(text));
    const response = await encounterDischarge.handle(request, {
      data: new HookData(request, encounterDischarge.prefetch, settings),
      cards,
      now: new Date(),
    });
    if (response.cards.length === 0) throw new Error('no cards');
    return JSON.stringify(response).length;
  };
  for (let i = 0; i < 50; i++) await call(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

async function dischargeCourseScaling() {
  const five = await dischargePerCallMs(5);
  const forty = await dischargePerCallMs(40);
  return { fiveMs: Math.round(five * 1000) / 1000, fortyMs: Math.round(forty * 1000) / 1000, ratio: Math.round((forty / five) * 100) / 100 };
}

const BATCH_HEAP_MB = 128;

interface BatchRun {
  patients: number;
  sessions: number;
  inputMb: number;
  seconds: number;
  patientsPerSecond: number;
  peakRssMb: number;
  errors: number;
}

/**
 * A department run: a generated Bulk Data export of `patients` patients (35-fraction courses, charges on file, some
 * wrong), evaluated by `rt-billing evaluate DIR --format ndjson --out FILE` in a fresh process.
 */
async function batch(patients: number): Promise<BatchRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rt-billing-bench-'));
  try {
    const stats = await writeDepartment(join(dir, 'export'), patients);
    // The V8 heap capped at 128 MB: a run whose memory grew with the department would fail at 10,000 patients;
    // without a cap V8 collects lazily and the peak says more about the machine's free memory than about the run.
    const child = fork(fileURLToPath(new URL('./batch-child.js', import.meta.url)), [join(dir, 'export'), join(dir, 'out.ndjson')], {
      stdio: 'inherit',
      execArgv: [`--max-old-space-size=${BATCH_HEAP_MB}`],
    });
    const report = await new Promise<{ seconds: number; peakRssMb: number; patients: number; sessions: number; errors: number }>(
      (resolve, reject) => {
        child.once('message', (m) => resolve(m as never));
        child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`batch run exited ${code}`))));
      },
    );
    return {
      patients: report.patients,
      sessions: report.sessions,
      inputMb: Math.round(stats.bytes / 1_048_576),
      seconds: Math.round(report.seconds * 10) / 10,
      patientsPerSecond: Math.round(report.patients / report.seconds),
      peakRssMb: report.peakRssMb,
      errors: report.errors,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pad = (text: string | number, width: number) => String(text).padStart(width);

/** `BENCH_ONLY=batch npm run bench` runs only the department figures. */
async function batchOnly(): Promise<void> {
  const runs = [await batch(1000), await batch(10_000)];
  printBatch(runs);
  console.log(`\n${JSON.stringify({ batch: batchSummary(runs) })}`);
}

function printBatch(runs: BatchRun[]): void {
  console.log(
    `\nDepartment runs (generated Bulk Data export → rt-billing evaluate --format ndjson, a fresh process each, V8 heap capped at ${BATCH_HEAP_MB} MB)`,
  );
  console.log(
    `${'patients'.padEnd(10)}${pad('sessions', 10)}${pad('input MB', 10)}${pad('seconds', 9)}${pad('patients/s', 12)}${pad('peak RSS MB', 13)}${pad('errors', 8)}`,
  );
  for (const r of runs)
    console.log(
      `${String(r.patients).padEnd(10)}${pad(r.sessions, 10)}${pad(r.inputMb, 10)}${pad(r.seconds, 9)}${pad(r.patientsPerSecond, 12)}${pad(r.peakRssMb, 13)}${pad(r.errors, 8)}`,
    );
}

function batchSummary(runs: BatchRun[]) {
  const [small, large] = [runs[0]!, runs[runs.length - 1]!];
  return {
    patients: large.patients,
    sessions: large.sessions,
    patientsPerSecond: large.patientsPerSecond,
    peakRssMb: large.peakRssMb,
    peakRssMbAt1k: small.peakRssMb,
    peakRss10kOver1k: Math.round((large.peakRssMb / small.peakRssMb) * 100) / 100,
    heapCapMb: BATCH_HEAP_MB,
  };
}

async function main(): Promise<void> {
  if (process.env.BENCH_ONLY === 'batch') return batchOnly();
  const loads = await hooks();
  const rows = pipeline();
  const scaling = await dischargeCourseScaling();
  const batchRuns = [await batch(1000), await batch(10_000)];
  const by = (n: number) => rows.find((r) => r.sessions === n)!;
  const ratio = (l: Load) => Math.round((l.rps / loads.baseline.rps) * 100) / 100;
  const msPer = (ms: number, n: number) => Math.round((ms / n) * 10_000) / 10_000;

  console.log(
    `\nrt-billing-cds benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(`\nHooks (autocannon, ${DURATION} s, ${CONNECTIONS} connections)`);
  console.log(`${'endpoint'.padEnd(34)}${pad('req/s', 9)}${pad('p99 ms', 9)}${pad('× base', 9)}${pad('errors', 8)}${pad('non-2xx', 9)}`);
  for (const [name, l] of Object.entries(loads))
    console.log(`${name.padEnd(34)}${pad(l.rps, 9)}${pad(l.p99Ms, 9)}${pad(ratio(l), 9)}${pad(l.errors, 8)}${pad(l.non2xx, 9)}`);
  console.log(
    `\nencounter-discharge per call, in-process: ${scaling.fiveMs} ms for a 5-fraction course, ${scaling.fortyMs} ms for 40 (× ${scaling.ratio})`,
  );
  console.log('\nPipeline (Bundle JSON → validated → facts → determination) and engine alone (facts → determination)');
  console.log(`${'sessions'.padEnd(12)}${pad('pipeline ms', 13)}${pad('ms/session', 12)}${pad('engine ms', 11)}${pad('ms/session', 12)}`);
  for (const r of rows)
    console.log(
      `${String(r.sessions).padEnd(12)}${pad(r.pipelineMs.toFixed(1), 13)}${pad(msPer(r.pipelineMs, r.sessions), 12)}${pad(r.engineMs.toFixed(1), 11)}${pad(msPer(r.engineMs, r.sessions), 12)}`,
    );

  printBatch(batchRuns);

  const summary = {
    baseline: { rps: loads.baseline.rps, p99Ms: loads.baseline.p99Ms },
    orderSign: { rps: loads.orderSign.rps, p99Ms: loads.orderSign.p99Ms },
    encounterDischarge: { rps: loads.encounterDischarge.rps, p99Ms: loads.encounterDischarge.p99Ms },
    orderSignJwt: { rps: loads.orderSignJwt.rps, p99Ms: loads.orderSignJwt.p99Ms },
    ratios: { orderSign: ratio(loads.orderSign), encounterDischarge: ratio(loads.encounterDischarge), orderSignJwt: ratio(loads.orderSignJwt) },
    pipeline: {
      sessions: 10_000,
      msPerSession: msPer(by(10_000).pipelineMs, 10_000),
      scaling10kOver1k: Math.round((by(10_000).pipelineMs / by(1000).pipelineMs) * 100) / 100,
    },
    engine: { sessions: 10_000, msPerSession: msPer(by(10_000).engineMs, 10_000) },
    dischargeCourseScaling: scaling.ratio,
    batch: batchSummary(batchRuns),
  };
  console.log(`\n${JSON.stringify(summary)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
