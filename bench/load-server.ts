/**
 * The load benchmark's server process (open-loop latency, CPU over the floor, memory after load): the real service
 * as `npm start` builds it (authentication off, no demo, feedback in memory), plus the FLOOR: the same express app,
 * behind the same application middleware and the same per-route chain as a hook (media type check, the same JSON
 * body parser with the same limit), answering one fixed card to the same body. The floor is mounted through
 * `startService`'s `firstRoutes`, which only this file passes: production has no such route.
 *
 * Over IPC: `{ type: 'ready', url }`; `{ type: 'sample' }` → its CPU time (all threads), monotonic clock and RSS;
 * `{ type: 'stop' }` (or SIGTERM/SIGINT, or the parent gone) closes the service and exits.
 */
import express, { Router, type RequestHandler } from 'express';
import { pino } from 'pino';
import { JSON_TYPES, requireJson } from '../src/api/evaluate.js';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/start.js';
import { serveParent } from './child-ipc.js';
import { FLOOR_PREFIX, type FromLoadServer, type ToLoadServer } from './load-protocol.js';

const config = loadConfig({ PORT: '0', DEMO: 'off', FEEDBACK_DB_PATH: ':memory:', LOG_LEVEL: 'silent' });

/** One fixed card, the size of the hooks' smaller cards. */
const FIXED_ANSWER = {
  cards: [
    {
      uuid: '00000000-0000-4000-8000-000000000000',
      summary: 'Expected delivery: 77412 with 77387-26',
      indicator: 'info',
      source: { label: 'rt-billing-cds (floor)' },
    },
  ],
};

/** As the hook route: an (empty) service check and authentication step, the media type, the same JSON parser. */
function floorRouter(): Router {
  const pass: RequestHandler = (_req, _res, next) => next();
  const parseJson = express.json({ limit: config.BODY_LIMIT, type: JSON_TYPES, strict: true });
  const router = Router();
  router.post(`${FLOOR_PREFIX}/:id`, pass, pass, requireJson, parseJson, (req, res) => {
    if (typeof req.body !== 'object' || req.body === null) throw new Error('floor: no body');
    res.json(FIXED_ANSWER);
  });
  return router;
}

const running = await startService(config, pino({ level: 'silent' }), { firstRoutes: [floorRouter()] });
serveParent<ToLoadServer, FromLoadServer>(running, () => {
  const { user, system } = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    type: 'sample',
    cpuUs: user + system,
    atUs: Number(process.hrtime.bigint() / 1000n),
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
  };
});
