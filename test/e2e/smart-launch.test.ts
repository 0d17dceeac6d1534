import { pino } from 'pino';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { API_REFUSAL_SYSTEM } from '../../src/security/api-auth.js';
import { startService, type RunningService } from '../../src/start.js';
import { browserAvailable, browserRequired, CHROMIUM, launchBrowser } from '../helpers/browser.js';
import { SMART_STYLE, startFramingPage, startSmartEhr, type LaunchContext, type SmartEhr } from '../helpers/smart-ehr.js';
import { demoPatient } from '../helpers/cases.js';

/**
 * The reviewer app inside an EHR, in Chromium: a production configuration of the service (client
 * authentication, FHIR_SERVER_ALLOWLIST, FRAME_ANCESTORS) and an EHR whose authorization server behaves like
 * the SMART reference launcher, in front of Medplum's FHIR router (test/helpers/smart-ehr.ts).
 */
describe.skipIf(!browserAvailable && !browserRequired)('the reviewer app launched by an EHR', () => {
  let ehr: SmartEhr;
  let stranger: Awaited<ReturnType<typeof startFramingPage>>;
  let service: RunningService;
  let browser: Browser;
  let appLaunch: string;
  const consoleErrors: string[] = [];

  const A4 = demoPatient('a4');
  const IG = demoPatient('ig');

  beforeAll(async () => {
    if (!browserAvailable)
      throw new Error(`Chromium is required (RT_BILLING_REQUIRE_BROWSER=1) but ${CHROMIUM} is missing: apt-get install -y chromium`);
    [ehr, stranger] = await Promise.all([startSmartEhr(), startFramingPage()]);
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '0',
      CDS_TRUSTED_ISSUERS: JSON.stringify({ [ehr.origin]: `${ehr.origin}/jwks.json` }),
      FHIR_SERVER_ALLOWLIST: ehr.fhirBase,
      FRAME_ANCESTORS: ehr.origin,
      FEEDBACK_DB_PATH: ':memory:',
      LOG_LEVEL: 'silent',
    });
    service = await startService(config, pino({ level: 'silent' }));
    appLaunch = `${service.url}/smart-app/launch.html`;
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await ehr?.close();
    await stranger?.close();
  });

  beforeEach(() => {
    Object.assign(ehr.settings, { accessTokenSeconds: 3600, grantRefresh: true, refreshFails: false, fhirDown: false });
  });

  async function newPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    return page;
  }

  /** Opens the launch URL the EHR would open and waits for the review (or an alert). */
  async function launch(context: LaunchContext): Promise<Page> {
    const page = await newPage();
    await page.goto(ehr.launchUrl(appLaunch, context));
    await page.locator('#sessions, [role="alert"]').first().waitFor({ timeout: 20_000 });
    return page;
  }

  const alertOf = async (target: Page | Frame) => {
    const alert = target.getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    return {
      text: await alert.innerText(),
      kind: await alert.getAttribute('data-problem'),
      retry: await alert.getByRole('button', { name: 'Try again' }).count(),
    };
  };

  it('launches like the SMART reference launcher: launch parameter, PKCE S256, context from the token response', async () => {
    const before = ehr.log.introspections;
    const page = await launch({ patient: IG, encounter: 'ig-enc-2' });
    const authorize = ehr.log.authorize.at(-1)!;
    expect(authorize.launch).toBeTruthy();
    expect(authorize.code_challenge_method).toBe('S256');
    expect(authorize.aud).toBe(ehr.fhirBase);
    expect(authorize.scope?.split(' ')).toEqual(expect.arrayContaining(['launch', 'launch/patient', 'online_access', 'patient/Procedure.rs']));
    expect(ehr.log.tokenRequests.at(-1)!.grant_type).toBe('authorization_code');
    expect(await page.locator('#sessions tbody tr').count()).toBe(2);
    // The token response's encounter opens the app on that session.
    expect(await page.locator('#detail-title').innerText()).toBe('Session of 2026-03-10');
    // The service checked the token with the EHR (introspection advertised in .well-known) before evaluating.
    expect(ehr.log.introspections).toBeGreaterThan(before);
    // smart_style_url colours
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim())).toBe(
      SMART_STYLE.color_highlight,
    );
    await page.close();
  });

  it('shows the patient banner (name, birth date, MRN) when need_patient_banner is true', async () => {
    const page = await launch({ patient: IG, need_patient_banner: true });
    const banner = page.locator('#patient-banner');
    expect(await banner.innerText()).toMatch(/Unsigned images Demo[\s\S]*Born[\s\S]*1963-05-02[\s\S]*MRN[\s\S]*LRC-040689/);
    await page.close();
  });

  it('hides the banner when need_patient_banner is false (the EHR shows its own)', async () => {
    const page = await launch({ patient: IG, need_patient_banner: false });
    await page.locator('#sessions').waitFor();
    expect(await page.locator('#patient-banner').count()).toBe(0);
    await page.close();
  });

  it('review state: saved with the user the EHR names for the token; a request without a valid token is refused and changes nothing', async () => {
    const page = await launch({ patient: IG, encounter: 'ig-enc-2' });
    await page.locator('#review-status').waitFor();
    // The same request with a token the EHR never issued: the service refuses it.
    await page.route(/\/review-state$/, (route) =>
      route.continue({ headers: { ...route.request().headers(), authorization: 'Bearer made-up-token' } }),
    );
    await page.locator('#review-status').selectOption('on-hold');
    await page.locator('#review-save').click();
    await expect.poll(() => page.locator('#review-saved').innerText()).toMatch(/^Not saved: /);
    expect(await page.locator('.review-current').innerText()).toBe('Not reviewed yet.');
    await page.unroute(/\/review-state$/);
    await page.locator('#review-save').click();
    await expect.poll(() => page.locator('#review-saved').innerText()).toBe('Saved.');
    expect(await page.locator('.review-current').innerText()).toMatch(/^On hold · Practitioner\/smart-ehr-reviewer · /);
    await page.close();
    const again = await launch({ patient: IG });
    expect(await again.locator('[data-review-mark="Encounter/ig-enc-2"]').innerText()).toBe('On hold');
    await again.close();
  });

  it('shows evidence as a readable summary, with the raw FHIR one click away', async () => {
    const page = await launch({ patient: IG, encounter: 'ig-enc-2' });
    const evidence = page.locator('#detail [data-evidence="Procedure/ig-fx-2"]');
    expect(await evidence.locator('.evidence-summary').innerText()).toMatch(/^Treatment fraction · 2026-03-10 .* · completed$/);
    expect(await evidence.locator('pre').isVisible()).toBe(false);
    await evidence.locator('summary').click();
    expect(JSON.parse(await evidence.locator('pre').innerText())).toMatchObject({ resourceType: 'Procedure', id: 'ig-fx-2' });
    await page.close();
  });

  /**
   * The EHR and the app on one site (localhost), on different origins (ports): frame-ancestors is about origins,
   * and the browser lets a same-site frame keep its launch state.
   */
  const sameSiteLaunch = (context: LaunchContext) => ehr.launchUrl(appLaunch.replace('//127.0.0.1:', '//localhost:'), context);

  it('works inside the EHR that FRAME_ANCESTORS lists', async () => {
    const page = await newPage();
    await page.goto(ehr.framePage(sameSiteLaunch({ patient: A4 })));
    const frame = page.frameLocator('#app');
    await frame.locator('#sessions').waitFor({ timeout: 20_000 });
    expect(await frame.locator('#sessions tbody tr').count()).toBe(2);
    expect(await frame.locator('#patient-banner').count()).toBe(1);
    await page.close();
  });

  it('is refused inside a page from an origin FRAME_ANCESTORS does not list', async () => {
    const page = await browser.newPage();
    const refusals: string[] = [];
    page.on('console', (message) => refusals.push(message.text()));
    const authorizations = ehr.log.authorize.length;
    await page.goto(stranger.framePage(sameSiteLaunch({ patient: A4 })));
    await expect.poll(() => refusals.join('\n'), { timeout: 10_000 }).toMatch(/frame-ancestors/);
    const frame = page.frames().find((f) => f !== page.mainFrame())!;
    expect(await frame.locator('#main').count()).toBe(0);
    expect(ehr.log.authorize.length).toBe(authorizations); // the app never ran
    await page.close();
  });

  it("framed by an EHR on another site, where the browser blocks the frame's storage: says so, and offers its own window", async () => {
    // Chromium's private contexts (Playwright's pages) block third-party storage, as browsers with
    // third-party cookies blocked do; SMART clients keep their launch state in sessionStorage.
    const page = await newPage();
    await page.goto(ehr.framePage(ehr.launchUrl(appLaunch, { patient: A4 })));
    const frame = page.frames().find((f) => f !== page.mainFrame())!;
    const alert = await alertOf(frame);
    expect(alert.kind).toBe('storage-blocked');
    expect(alert.text).toContain('Open the charge review in a window of its own');
    expect(await frame.locator('#open-window').getAttribute('href')).toContain('/smart-app/launch.html?iss=');
    await page.close();
  });

  it('an OAuth error redirect is shown as a fixed message with its error code, not "Not launched", never its error_description', async () => {
    const page = await launch({ patient: A4, auth_error: 'invalid_scope' });
    const alert = await alertOf(page);
    expect(alert.kind).toBe('authorization-refused');
    expect(alert.text).toContain('The EHR did not authorize the app');
    expect(alert.text).toContain('error code invalid_scope (the app asked for scopes the EHR does not grant it)');
    expect(alert.text).not.toContain('Simulated invalid scope error');
    expect(alert.text).not.toContain('Not launched');
    await page.close();
  });

  it.each([
    ['error_description', '?error=access_denied&error_description=', 'error code access_denied (access to the record was declined)'],
    ['error', '?error=', 'an error code the app does not show'],
  ])("a link to the app with a crafted %s: the attacker's words are not shown", async (_label, query, shown) => {
    const lure = 'Your session is locked. Call the help desk at +1-800-555-0100 and give your password.';
    const page = await newPage();
    await page.goto(`${service.url}/smart-app/index.html${query}${encodeURIComponent(lure)}&state=anything`);
    const alert = await alertOf(page);
    expect(alert.kind).toBe('authorization-refused');
    expect(alert.text).toContain(shown);
    expect(alert.text).not.toContain('555-0100');
    expect(alert.text).not.toContain('locked');
    await page.close();
  });

  it('a FHIR server the service may not call: says so, naming FHIR_SERVER_ALLOWLIST, before any authorization', async () => {
    const page = await newPage();
    const before = ehr.log.authorize.length;
    const other = `${ehr.origin}/other-fhir`;
    await page.goto(`${appLaunch}?iss=${encodeURIComponent(other)}&launch=x`);
    const alert = await alertOf(page);
    expect(alert.kind).toBe('server-not-allowed');
    expect(alert.text).toContain(other);
    expect(alert.text).toContain('FHIR_SERVER_ALLOWLIST');
    expect(alert.retry).toBe(0);
    expect(ehr.log.authorize.length).toBe(before);
    await page.close();
  });

  it('a token the FHIR server refuses (revoked): its own message, not "session expired"', async () => {
    const page = await launch({ patient: A4 });
    ehr.revokeAll();
    await page.locator('#reload').click();
    const alert = await alertOf(page);
    expect(alert.kind).toBe('token-refused');
    expect(alert.text).toContain("The EHR's FHIR server refused the app's access");
    expect(alert.text).not.toContain('expired');
    await page.close();
  });

  it('a FHIR server that is down: its own message, and Try again works once it is back', async () => {
    const page = await launch({ patient: A4 });
    ehr.settings.fhirDown = true;
    await page.locator('#reload').click();
    const alert = await alertOf(page);
    expect(alert.kind).toBe('fhir-server-down');
    expect(alert.text).toContain("The EHR's FHIR server is not answering");
    expect(alert.retry).toBe(1);
    ehr.settings.fhirDown = false;
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('#sessions').waitFor({ timeout: 20_000 });
    await page.close();
  });

  it('the billing service down: its own message', async () => {
    const page = await newPage();
    await page.route(/\/api\/v1\/evaluate/, (route) => route.abort());
    await page.goto(ehr.launchUrl(appLaunch, { patient: A4 }));
    const alert = await alertOf(page);
    expect(alert.kind).toBe('service-down');
    expect(alert.text).toContain('The billing service is not answering');
    expect(alert.retry).toBe(1);
    await page.close();
  });

  it('the billing service holding back failed sign-ins (429): its own message, and Try again', async () => {
    const errorsBefore = consoleErrors.length;
    const page = await newPage();
    // The service's answer when this address has used up AUTH_FAILURES_PER_MINUTE (test/integration/rate-limit.test.ts).
    await page.route(/\/api\/v1\/evaluate/, (route) =>
      route.fulfill({
        status: 429,
        headers: { 'retry-after': '6', 'content-type': 'application/json' },
        body: JSON.stringify({
          resourceType: 'OperationOutcome',
          issue: [
            {
              severity: 'error',
              code: 'throttled',
              diagnostics: 'too many failed attempts from this client: retry after 6 s',
              details: { coding: [{ system: API_REFUSAL_SYSTEM, code: 'too-many-attempts' }] },
            },
          ],
        }),
      }),
    );
    await page.goto(ehr.launchUrl(appLaunch, { patient: A4 }));
    const alert = await alertOf(page);
    expect(alert.kind).toBe('throttled');
    expect(alert.text).toContain('Too many failed sign-ins from this network');
    expect(alert.text).toContain('retry after 6 s');
    expect(alert.retry).toBe(1);
    await page.close();
    // The 429 this test provoked is the only console error it leaves; any real 429 elsewhere still fails the run.
    expect(consoleErrors.splice(errorsBefore).filter((text) => !/status of 429/.test(text))).toEqual([]);
  });

  it('token expiry without a refresh token: asks to relaunch, and the service refuses the expired token too', async () => {
    Object.assign(ehr.settings, { accessTokenSeconds: 2, grantRefresh: false });
    const page = await launch({ patient: A4 });
    await page.locator('#sessions').waitFor();
    const expiredToken = await page.evaluate(() => {
      const key = sessionStorage.getItem('SMART_KEY')!;
      return (JSON.parse(sessionStorage.getItem(JSON.parse(key) as string)!) as { tokenResponse: { access_token: string } }).tokenResponse
        .access_token;
    });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await page.locator('#reload').click();
    const alert = await alertOf(page);
    expect(alert.kind).toBe('expired');
    expect(alert.text).toContain('Your session has expired');
    expect(alert.text).toContain('Relaunch');
    expect(alert.retry).toBe(0);
    expect(ehr.log.tokenRequests.some((r) => r.grant_type === 'refresh_token')).toBe(false);
    // Whatever expiry a client claims, the service asks the EHR (introspection: not active) and refuses.
    const res = await fetch(`${service.url}/api/v1/evaluate`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${expiredToken}`,
        'x-fhir-server': ehr.fhirBase,
        'x-patient-id': A4,
        'x-token-expires-at': String(Math.floor(Date.now() / 1000) + 3600),
      },
      body: JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [] }),
    });
    expect(res.status).toBe(401);
    await page.close();
  });

  it('token expiry with online_access: the app renews the token with the refresh token and carries on', async () => {
    // fhirclient renews a token that expires within 10 s: 12 s tokens, 3 s in, and one renewal serves the reload.
    Object.assign(ehr.settings, { accessTokenSeconds: 12, grantRefresh: true });
    const page = await launch({ patient: A4 });
    await page.locator('#sessions').waitFor();
    const refreshes = () => ehr.log.tokenRequests.filter((r) => r.grant_type === 'refresh_token').length;
    const before = refreshes();
    expect(before).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await page.locator('#reload').click();
    await page.locator('#sessions').waitFor({ timeout: 20_000 });
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(refreshes()).toBe(1);
    // The renewed token is the one the FHIR server and the service saw last.
    const tokens = ehr.log.fhirRequests.filter((r) => r.token).map((r) => r.token);
    expect(new Set(tokens.slice(-3)).size).toBe(1);
    await page.close();
  });

  it('token expiry with a refresh the authorization server refuses: asks to relaunch', async () => {
    Object.assign(ehr.settings, { accessTokenSeconds: 2, grantRefresh: true });
    const page = await launch({ patient: A4 });
    await page.locator('#sessions').waitFor();
    ehr.settings.refreshFails = true;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await page.locator('#reload').click();
    const alert = await alertOf(page);
    expect(alert.kind).toBe('expired');
    expect(alert.text).toContain('could not be renewed');
    await page.close();
  });

  it('raised no errors in the console beyond the ones the tests provoked', () => {
    const provoked = /status of (401|503)|net::ERR_FAILED|frame-ancestors/;
    expect(consoleErrors.filter((text) => !provoked.test(text))).toEqual([]);
  });
});
