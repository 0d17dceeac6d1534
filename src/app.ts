import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { evaluateRouter, JSON_TYPES } from './api/evaluate.js';
import type { Config } from './config.js';
import { errorHandler } from './errors.js';

export interface AppDependencies {
  readonly config: Config;
  readonly logger: Logger;
}

/** Builds the express app: JSON bodies with a size limit, the routes, then the one error handler. */
export function createApp({ config, logger }: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(express.json({ limit: config.BODY_LIMIT, type: JSON_TYPES, strict: true }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(evaluateRouter());
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use(errorHandler(logger));
  return app;
}
