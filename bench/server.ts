/**
 * The benchmark's server process: the real service twice (authentication off; JWT authentication on, trusting
 * a JWKS served here) and, in the same process, a bare express 5 baseline that parses the same body and returns
 * a small card list. Reports its ports to the parent over IPC.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/start.js';

const publicJwk = JSON.parse(process.env.BENCH_PUBLIC_JWK ?? '{}') as Record<string, unknown>;
const logger = pino({ level: 'silent' });

const baseline = express();
baseline.use(express.json({ limit: '5mb' }));
baseline.get('/jwks.json', (_req, res) => {
  res.json({ keys: [publicJwk] });
});
baseline.post('/baseline', (req, res) => {
  const hookInstance = (req.body as { hookInstance?: string }).hookInstance ?? '';
  res.json({ cards: [{ uuid: hookInstance, summary: 'Expected delivery: 77412 with 77387-26', indicator: 'info', source: { label: 'baseline' } }] });
});
const baseServer = baseline.listen(0, '127.0.0.1', async () => {
  const basePort = (baseServer.address() as AddressInfo).port;
  const open = await startService(loadConfig({ PORT: '0', DEMO: 'off', FEEDBACK_DB_PATH: ':memory:', LOG_LEVEL: 'silent' }), logger);
  const secured = await startService(
    loadConfig({
      PORT: '0',
      DEMO: 'off',
      FEEDBACK_DB_PATH: ':memory:',
      LOG_LEVEL: 'silent',
      PUBLIC_BASE_URL: 'https://rt-billing.bench.example',
      CDS_TRUSTED_ISSUERS: JSON.stringify({ 'https://ehr.bench.example': `http://127.0.0.1:${basePort}/jwks.json` }),
    }),
    logger,
  );
  process.send?.({ baseline: `http://127.0.0.1:${basePort}`, open: open.url, secured: secured.url });
});
