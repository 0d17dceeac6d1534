import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { SqliteFeedbackStore, type FeedbackStore } from './cds/feedback-store.js';
import type { Config } from './config.js';
import { createDemoFhirServer, type DemoFhirServer } from './demo/fhir-server.js';
import { demoRoutes } from './demo/routes.js';
import { FIXTURES_DIR } from './paths.js';

export interface RunningService {
  readonly server: Server;
  readonly url: string;
  readonly demo: DemoFhirServer | null;
  readonly feedback: FeedbackStore;
  close(): Promise<void>;
}

/** Builds the service (with the demo when enabled) and listens. `PORT=0` picks a free port. */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const feedback = new SqliteFeedbackStore(config.FEEDBACK_DB_PATH);
  const demo = config.DEMO === 'on' ? await createDemoFhirServer(FIXTURES_DIR) : null;
  const app = createApp({ config, logger, feedback, extraRoutes: demo ? [demoRoutes(demo)] : [] });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.PORT, config.HOST, (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${config.HOST}:${port}`,
    demo,
    feedback,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => void feedback.close().finally(resolve));
        server.closeIdleConnections();
      }),
  };
}
