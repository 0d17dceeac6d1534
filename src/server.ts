import { createApp } from './app.js';
import { SqliteFeedbackStore } from './cds/feedback-store.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

/** Starts the service: `npm start`. Prints the URLs it serves. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const feedback = new SqliteFeedbackStore(config.FEEDBACK_DB_PATH);
  const app = createApp({ config, logger, feedback });
  const server = app.listen(config.PORT, config.HOST, () => {
    const base = config.PUBLIC_BASE_URL;
    process.stdout.write(
      [
        `rt-billing-cds listening on http://${config.HOST}:${config.PORT}`,
        `  CDS Hooks:    GET  ${base}/cds-services  (discovery)`,
        `                POST ${base}/cds-services/rt-billing-order-sign`,
        `                POST ${base}/cds-services/rt-billing-encounter-discharge`,
        `  Direct API:   POST ${base}/api/v1/evaluate  (FHIR Bundle → determination)`,
        `  Rules:        GET  ${base}/rules`,
        `  Health:       GET  ${base}/healthz`,
        '',
      ].join('\n'),
    );
    if (!config.CDS_TRUSTED_ISSUERS) {
      process.stdout.write('WARNING: CDS client authentication is OFF (demo mode). Set CDS_TRUSTED_ISSUERS to require signed JWTs from your EHR.\n');
    }
  });
  const stop = () =>
    server.close(() => {
      void feedback.close().finally(() => process.exit(0));
    });
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`rt-billing-cds: ${error instanceof ConfigError ? error.message : 'failed to start'}\n`);
  if (!(error instanceof ConfigError)) process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
