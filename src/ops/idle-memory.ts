import type { Server } from 'node:http';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Memory that comes back after load (issue 24). Under load V8 grows its heap; once the load is over it gives the
 * memory back only when its memory reducer decides to, which it did within a minute in some processes and not in
 * others (bench, `BENCH_ONLY=load`: RSS 60 s after a minute of load between 0.8 and 2.1 times the idle RSS). So
 * the service does it itself: when no request has started for IDLE_CHECKS checks in a row (CHECK_MS apart) and
 * V8's heap is at least GROWTH_BYTES above what it was after the last time, one memory-reducing full collection
 * (V8's "last resort" flavour: compacts, and releases the pages the load grew). Nothing is collected while
 * requests come, nor after a light request that grew nothing.
 */
export const CHECK_MS = 5000;
export const IDLE_CHECKS = 2;
export const GROWTH_BYTES = 32 * 1_048_576;

type Collect = () => void;

/** V8's collector, reached without exposing `gc` to the service's own code (a context of its own). */
export function memoryReducingCollector(): Collect | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as ((options: { type: string; execution: string; flavor: string }) => void) | undefined;
    return typeof gc === 'function' ? () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' }) : null;
  } catch {
    return null;
  }
}

export class IdleMemoryReturn {
  private requests = 0;
  private seen = 0;
  private quietChecks = 0;
  private baseline: number;
  /** How many times memory was given back (for tests and the logs). */
  collections = 0;

  constructor(
    private readonly collect: Collect,
    private readonly heapBytes: () => number = () => getHeapStatistics().total_heap_size,
  ) {
    this.baseline = heapBytes();
  }

  /** A request started. */
  request(): void {
    this.requests++;
  }

  /** One periodic check: collects once the service has been quiet long enough with memory to give back. */
  check(): boolean {
    if (this.requests !== this.seen) {
      this.seen = this.requests;
      this.quietChecks = 0;
      return false;
    }
    if (++this.quietChecks < IDLE_CHECKS) return false;
    if (this.heapBytes() < this.baseline + GROWTH_BYTES) {
      // What the heap is when quiet: later growth is measured from here (it can also have shrunk by itself).
      this.baseline = Math.min(this.baseline, this.heapBytes());
      return false;
    }
    this.collect();
    this.collections++;
    this.baseline = this.heapBytes();
    return true;
  }
}

/** Watches `server`'s requests and gives memory back when it goes quiet; returns the function that stops it. */
export function returnMemoryWhenIdle(server: Server, onCollect: (heapBytes: number) => void = () => undefined): () => void {
  const collect = memoryReducingCollector();
  if (!collect) return () => undefined;
  const idle = new IdleMemoryReturn(collect);
  const onRequest = () => idle.request();
  server.on('request', onRequest);
  const timer = setInterval(() => {
    if (idle.check()) onCollect(getHeapStatistics().total_heap_size);
  }, CHECK_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    server.off('request', onRequest);
  };
}
