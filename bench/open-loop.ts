/**
 * An open-loop load generator: requests leave at fixed times (rate per second), whether or not earlier ones have
 * been answered, over keep-alive connections opened as needed. Each latency is measured from the request's
 * SCHEDULED time, so a server (or a generator) that falls behind counts the wait of every request queued behind
 * it (no coordinated omission, unlike a closed loop such as autocannon's, where a slow answer delays the next send).
 * Every request carries a fresh `hookInstance`, as every EHR call does.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';

/** A body template: the request with a fresh `hookInstance` per call (the rest of the JSON text as is). */
export function uniqueHookBodies(request: { hookInstance: string }): () => string {
  const marker = '__HOOK_INSTANCE__';
  const text = JSON.stringify({ ...request, hookInstance: marker });
  const at = text.indexOf(marker);
  const [before, after] = [text.slice(0, at), text.slice(at + marker.length)];
  return () => before + randomUUID() + after;
}

export interface OpenLoopResult {
  readonly ratePerS: number;
  readonly durationS: number;
  readonly sent: number;
  readonly ok: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly non2xx: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** How late the generator sent (99th percentile, ms after the scheduled time): its own share of the latency. */
  readonly sendLateP99Ms: number;
  /** Connections the generator had to open (more than a few: answers slower than the interval, or stalls). */
  readonly connections: number;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Sends `ratePerS × durationS` POSTs to `url` at fixed intervals; resolves when every one is answered or failed. */
export function openLoop(url: string, body: () => string, { ratePerS, durationS }: { ratePerS: number; durationS: number }): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  let connections = 0;
  const total = Math.round(ratePerS * durationS);
  const interval = 1000 / ratePerS;
  const latencies: number[] = [];
  const late: number[] = [];
  let [ok, errors, non2xx, finished] = [0, 0, 0, 0];
  return new Promise((resolve) => {
    const done = () => {
      if (++finished < total) return;
      agent.destroy();
      const sorted = latencies.sort((a, b) => a - b);
      resolve({
        ratePerS,
        durationS,
        sent: total,
        ok,
        errors,
        non2xx,
        p50Ms: round2(percentile(sorted, 50)),
        p99Ms: round2(percentile(sorted, 99)),
        maxMs: round2(sorted.at(-1) ?? NaN),
        sendLateP99Ms: round2(
          percentile(
            late.sort((a, b) => a - b),
            99,
          ),
        ),
        connections,
      });
    };
    const send = (scheduled: number) => {
      const payload = body();
      late.push(performance.now() - scheduled);
      const request = http.request(
        url,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (response) => {
          response.resume();
          response.once('end', () => {
            latencies.push(performance.now() - scheduled);
            if (response.statusCode === 200) ok++;
            else non2xx++;
            done();
          });
        },
      );
      request.once('socket', (socket) => {
        // A socket the agent reuses has already connected; count the new ones.
        if (socket.connecting) connections++;
      });
      request.setTimeout(30_000, () => request.destroy(new Error('timeout')));
      request.once('error', () => {
        errors++;
        done();
      });
      request.end(payload);
    };
    const start = performance.now() + 20;
    let next = 0;
    const tick = () => {
      const now = performance.now();
      // Everything due is sent now (a late timer sends the overdue requests at once, each timed from its schedule).
      while (next < total && start + next * interval <= now) send(start + next++ * interval);
      if (next < total) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    setTimeout(tick, 20);
  });
}
