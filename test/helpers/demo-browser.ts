import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startService, type RunningService } from '../../src/start.js';
import { browserAvailable, CHROMIUM, launchBrowser } from './browser.js';

/**
 * The demo (the service in this process on a free port, with its FHIR server and fixtures) and a Chromium, started
 * before the tests of the describe block that calls this and closed after them.
 */
export function useDemoInBrowser(env: Record<string, string> = {}): { readonly service: RunningService; readonly browser: Browser } {
  let service: RunningService | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!browserAvailable)
      throw new Error(`Chromium is required (RT_BILLING_REQUIRE_BROWSER=1) but ${CHROMIUM} is missing: apt-get install -y chromium`);
    service = await startService(
      loadConfig({ PORT: '0', DEMO: 'on', FEEDBACK_DB_PATH: ':memory:', LOG_LEVEL: 'silent', ...env }),
      pino({ level: 'silent' }),
    );
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });
  return {
    get service() {
      return service!;
    },
    get browser() {
      return browser!;
    },
  };
}
