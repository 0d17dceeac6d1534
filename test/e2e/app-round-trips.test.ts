import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appCourse, launchChromium, launchOnce, startAppService, startSmartFhirStub, type AppLaunch, type SmartFhirStub } from '../../bench/app.js';
import type { ServerBehaviour } from '../../bench/fhir-stub.js';
import type { RunningService } from '../../src/start.js';
import { browserAvailable, browserRequired, CHROMIUM } from '../helpers/browser.js';

/**
 * The reviewer app's reads of the EHR (issue 24, "Reviewer app"), counted where the EHR sees them: a real SMART launch
 * in Chromium of the built app against the stand-in FHIR server (bench/app.ts, the benchmark's harness), a 40-fraction
 * AMM course. Counts only (requests, waves = sequential round trips from the requests' start and end times): the
 * times are `npm run bench`'s. Whatever the server does with `_revinclude`/`_include` and paging, the review is the same.
 */
/** Long enough that a machine busy with other work does not push a request of one wave past the end of another. */
const DELAY_MS = 200;

/** The Patient and the 8 searches, at most 6 at a time: two waves when the server brings what they name. */
const SEARCHES = ['Procedure', 'DocumentReference', 'Encounter', 'Coverage', 'ServiceRequest', 'Claim', 'ClaimResponse', 'ExplanationOfBenefit'];

describe.skipIf(!browserAvailable && !browserRequired)('the reviewer app reads the record in two waves', () => {
  let browser: Browser;
  const course = appCourse();
  const running: { ehr: SmartFhirStub; service: RunningService }[] = [];

  beforeAll(async () => {
    if (!browserAvailable) throw new Error(`Chromium is required (RT_BILLING_REQUIRE_BROWSER=1) but ${CHROMIUM} is missing`);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const { ehr, service } of running) {
      await service.close();
      await ehr.close();
    }
  });

  async function launch(behaviour: ServerBehaviour = {}): Promise<AppLaunch> {
    const ehr = await startSmartFhirStub(course.resources, course.patient, DELAY_MS, behaviour);
    const service = await startAppService(ehr);
    running.push({ ehr, service });
    return launchOnce(browser, service, ehr);
  }

  const typesOf = (paths: string[]) => paths.map((path) => path.split(/[/?]/)[0]);
  let honoured: AppLaunch;

  it('a server that honours _revinclude and _include: the Patient first, every search at once, nothing after them but the searches that waited their turn', async () => {
    honoured = await launch();
    expect(honoured.paths[0]).toBe(`Patient/${course.patient}`);
    expect(typesOf(honoured.paths).sort()).toEqual(['Patient', ...SEARCHES].sort());
    expect(honoured.requests).toBe(9);
    expect(honoured.waves).toBeLessThanOrEqual(2);
    // Each request with a bearer token to another origin is preflighted (its own URL): one each, no more.
    expect(honoured.preflights).toBe(honoured.requests);
    // Large pages: one request per search.
    expect(honoured.paths.filter((path) => path.includes('?')).every((path) => path.includes('_count=1000'))).toBe(true);
    expect(honoured.rows).toHaveLength(40);
    // The course reaches the service compressed.
    expect(honoured.uploadEncoding).toBe('gzip');
  }, 60_000);

  it('a server that ignores them silently: the signatures, sessions’ Location, payer and signers asked for in the same plan, the same review', async () => {
    const ignored = await launch({ revinclude: false, include: false });
    const extra = ignored.paths.filter((path) => !SEARCHES.includes(path.split('?')[0]!) && !path.startsWith('Patient/'));
    // 80 signed targets (40 fractions, 40 AMM records) in searches of 40; the Location and payer read; the signer by _id.
    expect(extra.map((path) => path.split('?')[0]).sort()).toEqual([
      'Location/clinic',
      'Organization/payer',
      'Practitioner',
      'Provenance',
      'Provenance',
    ]);
    expect(ignored.requests).toBe(14);
    // The signers wait for the signatures: one wave more, not one per kind of read.
    expect(ignored.waves).toBeLessThanOrEqual(3);
    expect(ignored.rows).toEqual(honoured.rows);
  }, 60_000);

  it('a server that pages at 15 whatever _count asks: every next page is read, the same review', async () => {
    const paged = await launch({ pageSize: 15 });
    // 40 fractions and 40 AMM records in pages of 15 (3 each), 40 sessions (3); the Patient and the other 5 searches.
    expect(paged.paths.filter((path) => path.includes('_page=')).length).toBe(2 + 2 + 2);
    expect(paged.requests).toBe(9 + 6);
    expect(paged.rows).toEqual(honoured.rows);
  }, 60_000);

  it('shows the patient banner while the rest of the course is still being read', async () => {
    const ehr = await startSmartFhirStub(course.resources, course.patient, 0);
    const service = await startAppService(ehr);
    running.push({ ehr, service });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route(/\/fhir\/ExplanationOfBenefit\?/, async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${service.url}/smart-app/launch.html?iss=${encodeURIComponent(ehr.base)}&launch=banner-first`);
      await page.locator('#patient-banner').waitFor({ timeout: 20_000 });
      expect(await page.locator('#sessions').count()).toBe(0);
      release();
      await page.locator('#sessions').waitFor({ timeout: 20_000 });
    } finally {
      await context.close();
    }
  }, 60_000);
});
