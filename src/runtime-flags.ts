/**
 * The V8 flags the service runs with (`npm start`, the container, the benchmark's servers alike). A 64 MB young
 * generation: a hook call allocates a few hundred KB (the request, the validated prefetch, facts, cards), and with
 * V8's default semi-space the scavenger ran every few dozen requests and promoted in-flight requests' objects to the
 * old generation, doubling the discharge hook's CPU in some processes (bench: 1.15 vs 1.6–1.8 ms per request).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
