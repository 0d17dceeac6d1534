import { ConfigError, loadConfig, startWarnings } from './config.js';
import { createLogger } from './logger.js';
import { PolicyError } from './policies/load.js';
import { startService } from './start.js';

/** `npm start`: the service, with the embedded demo unless DEMO=off. Prints the URLs it serves. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const service = await startService(config, logger);
  const base = config.PUBLIC_BASE_URL;
  process.stdout.write(
    [
      `rt-billing-cds listening on ${service.url}`,
      `  CDS Hooks:    GET  ${base}/cds-services  (discovery)`,
      `                POST ${base}/cds-services/rt-billing-order-sign`,
      `                POST ${base}/cds-services/rt-billing-encounter-discharge`,
      `  Direct API:   POST ${base}/api/v1/evaluate  (FHIR Bundle → determination)`,
      `  Rules:        GET  ${base}/rules`,
      `  Health:       GET  ${base}/healthz`,
      `  Reviewer app: ${base}/smart-app/launch.html  (SMART launch: ?iss=<FHIR base>&launch=<token>)`,
      ...(service.demo ? [`  Demo:         ${base}/demo  (${service.demo.patients.length} demo patients; FHIR R4 in memory at ${base}/fhir)`] : []),
      '',
    ].join('\n'),
  );
  for (const warning of startWarnings(config)) {
    process.stdout.write(`WARNING: ${warning}\n`);
    logger.warn({ warning }, 'open setting');
  }
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    void service.close().then(() => {
      logger.info('stopped');
      logger.flush();
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `rt-billing-cds: ${error instanceof ConfigError ? error.message : error instanceof PolicyError ? `payer policy ${error.message}` : `failed to start: ${error instanceof Error ? error.message : String(error)}`}\n`,
  );
  process.exit(1);
});
