/**
 * Round trips to a slow EHR: each hook call in-process against the stand-in FHIR server (bench/fhir-stub.ts) over
 * HTTP, every answer after `rttMs` (real EHR FHIR APIs answer in 50–300 ms). Per scenario, after one warm-up call
 * (the same call: what a second user of the same EHR sees): the sequential round trips (depth), the requests and
 * the wall time of the call; `cold`: the same for the warm-up call itself.
 */
import { randomUUID } from 'node:crypto';
import { encounterDischarge } from '../cds-services/encounter-discharge/handler.js';
import { orderSign } from '../cds-services/order-sign/handler.js';
import { HookData, type FetchSettings } from '../src/cds/hook-data.js';
import { HookRequest } from '../src/cds/schemas.js';
import { SharedReadCache } from '../src/cds/shared-cache.js';
import type { CdsService } from '../src/cds/service.js';
import { answer, depthOf, startFhirStub, type Resource } from './fhir-stub.js';
import { orderSignRequest, orderSignResources } from './hooks.js';
import { dischargeRequest, syntheticBundle } from './synthetic.js';
import { PUBLIC_BASE } from './tokens.js';

export const RTT_MS = Number(process.env.BENCH_RTT_MS ?? 100);

export interface RoundTrips {
  /** Sequential round trips to the EHR (0: none). */
  readonly depth: number;
  readonly requests: number;
  /** Wall time of the call, ms. */
  readonly ms: number;
  /** The same for the warm-up call, the first to name the server (no Location, payer or signer cached). */
  readonly cold?: Omit<RoundTrips, 'cold'>;
}

type Prefetch = 'none' | 'full' | 'withoutIncludes';

/** The prefetch an EHR honouring the service's templates sends: each template answered by the stand-in. */
function prefetchOf(service: CdsService, context: Record<string, unknown>, resources: readonly Resource[], base: string, which: Prefetch) {
  if (which === 'none') return undefined;
  const prefetch: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(service.prefetch)) {
    if (which === 'withoutIncludes' && /[?&]_(rev)?include=/.test(spec.template)) continue;
    const query = spec.template.replace(/\{\{\s*context\.([A-Za-z]+)\s*\}\}/g, (_t, name: string) => encodeURIComponent(String(context[name])));
    const value = answer(resources, query, base) as { resourceType: string; entry?: unknown[] };
    prefetch[key] = value.resourceType === 'OperationOutcome' || (value.resourceType === 'Bundle' && (value.entry ?? []).length === 0) ? null : value;
  }
  return prefetch;
}

/** One hook call against the stub, as the router makes it (the settings shared by every call, as in the service). */
async function call(service: CdsService, body: unknown, settings: FetchSettings): Promise<void> {
  const request = HookRequest.parse(JSON.parse(JSON.stringify(body)));
  await service.handle(request, {
    data: new HookData(request, service.prefetch, settings),
    cards: { baseUrl: PUBLIC_BASE, smartLaunchUrl: `${PUBLIC_BASE}/smart-app/launch.html` },
    now: new Date('2026-11-25T12:00:00Z'),
    clinicTimeZone: null,
  });
}

async function scenario(
  service: CdsService,
  resources: readonly Resource[],
  request: () => { context: Record<string, unknown> } & Record<string, unknown>,
  which: Prefetch,
  settings: () => FetchSettings,
): Promise<RoundTrips> {
  const stub = await startFhirStub(resources, RTT_MS);
  const other = await startFhirStub(resources, 0);
  try {
    const shared = settings();
    // The process warmed on another server (another base URL: nothing of it serves the measured one), so that the
    // cold call measures the EHR's round trips, not the first call's compilation.
    const elsewhere = request();
    const prefetchElsewhere = prefetchOf(service, elsewhere.context, resources, other.base, which);
    for (let i = 0; i < 3; i++)
      await call(
        service,
        { ...elsewhere, hookInstance: randomUUID(), fhirServer: other.base, ...(prefetchElsewhere ? { prefetch: prefetchElsewhere } : {}) },
        settings(),
      );
    const body = request();
    const prefetch = prefetchOf(service, body.context, resources, stub.base, which);
    const full = { ...body, hookInstance: randomUUID(), fhirServer: stub.base, ...(prefetch ? { prefetch } : {}) };
    const measured = async (): Promise<RoundTrips> => {
      stub.requests.length = 0;
      const started = performance.now();
      await call(service, { ...full, hookInstance: randomUUID() }, shared);
      const ms = performance.now() - started;
      return { depth: depthOf(stub.requests), requests: stub.requests.length, ms: Math.round(ms) };
    };
    const cold = await measured(); // the warm-up: the first call naming this server (nothing of it cached yet)
    return { ...(await measured()), cold };
  } finally {
    await Promise.all([stub.close(), other.close()]);
  }
}

/**
 * The fetch settings of the service's defaults (src/config.ts), one object per scenario as the router holds one per
 * process: the shared cache of Locations, Organizations and signers (FHIR_SHARED_CACHE_SECONDS) included, so the
 * measured call sees what the warm-up call read.
 */
export const fetchSettings = (): FetchSettings => ({ timeoutMs: 2500, maxBytes: 20_000_000, sharedCache: new SharedReadCache(300_000, 1000) });

/** Every latency scenario of the issue ("Speed users feel"): discharge and order-sign, with and without prefetch. */
export async function runRoundTrips(settings: () => FetchSettings) {
  const bundle = syntheticBundle(35).entry.map((e) => e.resource);
  const discharge = (index?: number) => () => {
    const { prefetch: _prefetch, ...rest } = dischargeRequest(35, index);
    return rest;
  };
  const order = () => {
    const { prefetch: _prefetch, ...rest } = orderSignRequest() as { prefetch: unknown; context: Record<string, unknown> };
    return rest;
  };
  const orderResources = orderSignResources();
  return {
    rttMs: RTT_MS,
    discharge: {
      noPrefetch: await scenario(encounterDischarge, bundle, discharge(), 'none', settings),
      prefetch: await scenario(encounterDischarge, bundle, discharge(), 'full', settings),
      prefetchWithoutIncludes: await scenario(encounterDischarge, bundle, discharge(), 'withoutIncludes', settings),
      lateSession: await scenario(encounterDischarge, bundle, discharge(19), 'none', settings),
    },
    orderSign: {
      noPrefetch: await scenario(orderSign, orderResources, order, 'none', settings),
      prefetch: await scenario(orderSign, orderResources, order, 'full', settings),
    },
  };
}

export type Latency = Awaited<ReturnType<typeof runRoundTrips>>;
