/**
 * The V8 flags the service runs with (`npm start`, the container, the benchmark's hook and load servers alike):
 * none, V8's defaults. Until issue 24 the service ran with `--max-semi-space-size=64` (a 64 MB young generation,
 * against V8's 16 MB), which cut the discharge hook's CPU per request at saturation (closed-loop load, 50 requests
 * in flight whose objects the scavenger promoted). Measured under the load suite (`BENCH_ONLY=load`: 200 requests
 * per second, open loop; docs/performance.md) it bought nothing — CPU per request over the floor within the noise
 * of the two settings — and it cost the memory: RSS 60 s after a minute of load stayed at ×2.2 the idle RSS
 * (360–380 MB: the young generation, once grown, is never given back), against ×0.8–1.4 with V8's default.
 */
export const NODE_FLAGS: readonly string[] = [];

/**
 * For one very large Bundle in one process (100,000 sessions: a 1.2 GB live heap), where a larger young generation
 * keeps the scavenger from promoting what is still being built: the pipeline benchmark runs with it, and the CLI
 * takes it through NODE_OPTIONS (docs/performance.md). Department runs stream and do not need it.
 */
export const LARGE_BUNDLE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
