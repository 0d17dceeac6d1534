import { Writable } from 'node:stream';
import { createApp } from '../../src/app.js';
import { SqliteFeedbackStore } from '../../src/cds/feedback-store.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

/**
 * An app with a silent-by-default logger whose lines tests can read. Information cards are on (CDS_INFO_CARDS): the
 * suites that read a session's determination through its codes card see every card; the card policy itself (only
 * what someone must do, by default) is tested with `CDS_INFO_CARDS: 'off'` (test/integration/card-policy.test.ts).
 */
export function testApp(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({
    LOG_LEVEL: 'debug',
    PUBLIC_BASE_URL: 'https://rt-billing.example.org',
    FEEDBACK_DB_PATH: ':memory:',
    CDS_INFO_CARDS: 'on',
    ...env,
  });
  const logger = createLogger(config.LOG_LEVEL, sink);
  const feedback = new SqliteFeedbackStore(config.FEEDBACK_DB_PATH);
  return { app: createApp({ config, logger, feedback }), lines, config, feedback };
}
