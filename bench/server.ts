/**
 * The benchmark's server process, one per scenario (the parent starts it on the server's core):
 * - `baseline`: a bare express 5 endpoint that parses the same JSON body and returns a small card list;
 * - `open`: the real service, authentication off;
 * - `secured`: the real service with CDS client JWT authentication on, trusting the JWKS at BENCH_JWKS_URL.
 *
 * Over IPC it reports `{ type: 'ready', url }`, answers `{ type: 'cpu' }` with its CPU time so far (all threads:
 * JSON, GC and crypto alike) and a monotonic timestamp, and on `{ type: 'stop' }` (or SIGTERM/SIGINT) closes the
 * service and exits normally, so that a `--cpu-prof` profile is written.
 *
 * Logs are off by default (the baseline has none either); BENCH_LOG_LEVEL=info writes the service's logs to
 * /dev/null to measure what logging costs.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/start.js';
import { serveParent } from './child-ipc.js';

export type ServerKind = 'baseline' | 'open' | 'secured';

export type ToServer = { type: 'cpu' } | { type: 'stop' };
export type FromServer = { type: 'ready'; url: string } | { type: 'cpu'; cpuUs: number; atUs: number };

const kind = process.argv[2] as ServerKind;
const level = process.env.BENCH_LOG_LEVEL ?? 'silent';
const logger = pino({ level }, level === 'silent' ? undefined : pino.destination({ dest: '/dev/null', sync: false }));
const serviceEnv = { PORT: '0', DEMO: 'off', FEEDBACK_DB_PATH: ':memory:', LOG_LEVEL: level };

async function listenBaseline(): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  app.use(express.json({ limit: '5mb' }));
  app.post('/baseline', (req, res) => {
    const hookInstance = (req.body as { hookInstance?: string }).hookInstance ?? '';
    res.json({
      cards: [{ uuid: hookInstance, summary: 'Expected delivery: 77412 with 77387-26', indicator: 'info', source: { label: 'baseline' } }],
    });
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function listen(): Promise<{ url: string; close: () => Promise<void> }> {
  if (kind === 'baseline') return listenBaseline();
  if (kind === 'open') return startService(loadConfig(serviceEnv), logger);
  if (kind === 'secured') {
    const jwks = process.env.BENCH_JWKS_URL;
    if (!jwks) throw new Error('BENCH_JWKS_URL is required for the secured service');
    return startService(
      loadConfig({
        ...serviceEnv,
        PUBLIC_BASE_URL: process.env.BENCH_PUBLIC_BASE_URL ?? 'https://rt-billing.bench.example',
        CDS_TRUSTED_ISSUERS: JSON.stringify({ [process.env.BENCH_ISSUER ?? 'https://ehr.bench.example']: jwks }),
      }),
      logger,
    );
  }
  throw new Error(`unknown server kind "${kind}" (baseline, open or secured)`);
}

const running = await listen();
serveParent<ToServer, FromServer>(running, () => {
  const { user, system } = process.cpuUsage();
  return { type: 'cpu', cpuUs: user + system, atUs: Number(process.hrtime.bigint() / 1000n) };
});
