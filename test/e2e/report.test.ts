import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDepartment } from '../../bench/department.js';
import { browserAvailable, browserRequired, CHROMIUM, launchBrowser } from '../helpers/browser.js';
import { useDemoInBrowser } from '../helpers/demo-browser.js';
import { cli, removeTempDirs, tempDir } from '../helpers/department.js';
import { demoPatient } from '../helpers/cases.js';

/**
 * `rt-billing report` opened in Chromium from the file itself (no server, network blocked): the charts are there
 * as SVG, the worklist is sorted by the next beam-on, tables sort on a click, nothing fails in the console.
 */
describe.skipIf(!browserAvailable && !browserRequired)('the department report in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let html: string;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    if (!browserAvailable) throw new Error(`Chromium is required (RT_BILLING_REQUIRE_BROWSER=1) but ${CHROMIUM} is missing`);
    const dir = tempDir();
    await writeDepartment(join(dir, 'export'), 40);
    const file = join(dir, 'report.html');
    const result = await cli(['report', join(dir, 'export'), '--html', file]);
    expect(result.code, result.stderr).toBe(0);
    html = readFileSync(file, 'utf8');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(`file://${file}`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    removeTempDirs();
  });

  it('is one self-contained file: no script, style, image or font from elsewhere', () => {
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(requests).toEqual([]);
  });

  it.each(['share-by-month', 'sessions-by-level', 'findings-by-rule'])('chart #%s is an inline SVG with data', async (id) => {
    const svg = page.locator(`#${id} figure svg`);
    await expect(svg.count()).resolves.toBe(1);
    expect(await svg.locator('path, rect').count()).toBeGreaterThan(3);
    expect(await svg.getAttribute('aria-label')).toBeTruthy();
  });

  it('the share chart draws the 35% line', async () => {
    await expect(page.locator('#share-by-month svg').textContent()).resolves.toContain('CMS expectation 35%');
  });

  it('the worklist names patient, date, rule and evidence, sorted by the next beam-on', async () => {
    const rows = page.locator('#worklist tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    const due = await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLTableRowElement).cells[0]!.dataset.sort!));
    expect(due).toEqual([...due].sort());
    const first = await rows.first().innerText();
    expect(first).toMatch(/Patient\/p\d+/);
    expect(first).toMatch(/I-SIGN|A-SIGN/);
    expect(first).toMatch(/Procedure\/p\d+-fx-\d+/);
  });

  it('charges to fix come critical first, and a click on a header sorts (aria-sort says how)', async () => {
    const severities = await page.locator('#charges tbody tr td:first-child').allInnerTexts();
    expect(severities[0]).toMatch(/critical/i);
    expect(severities.findIndex((s) => /warning/i.test(s))).toBeGreaterThan(severities.lastIndexOf(severities.find((s) => /critical/i.test(s))!) - 1);
    const amountHeader = page.locator('#charges thead th', { hasText: 'Amount at risk' });
    await amountHeader.locator('button').click();
    await expect(amountHeader.getAttribute('aria-sort')).resolves.toBe('ascending');
    const amounts = await page
      .locator('#charges tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Number((tr as HTMLTableRowElement).cells[4]!.dataset.sort)));
    expect(amounts).toEqual([...amounts].sort((a, b) => a - b));
  });

  it('prints: a print style, and a PDF renders', async () => {
    expect(html).toContain('@media print');
    const pdf = await page.pdf({ format: 'A4', landscape: true });
    expect(pdf.byteLength).toBeGreaterThan(10_000);
  });

  it('logs no console error or warning', () => {
    expect(problems).toEqual([]);
  });
});

describe.skipIf(!browserAvailable && !browserRequired)("the reviewer app's link to the charts of the patient's course", () => {
  const demo = useDemoInBrowser();
  const problems: string[] = [];

  it('opens the report of this course in a new tab: charts, the worklist, no console error', async () => {
    // The launch itself is the reviewer app's business (its own tests); here, the report tab must be clean.
    const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${demo.service.url}/demo`);
    await page.locator(`section[data-patient="${demoPatient('ig')}"] a.launch`).click();
    await page.waitForURL(/\/smart-app\/index\.html/);
    await page.locator('#sessions').waitFor({ timeout: 20_000 });

    const [report] = await Promise.all([context.waitForEvent('page'), page.locator('#open-report').click()]);
    report.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    report.on('pageerror', (error) => problems.push(error.message));
    report.on('requestfailed', (request) => problems.push(`${request.url()} failed`));
    await report.waitForURL(/^blob:/, { timeout: 20_000 });
    await report.locator('#sessions-by-level svg').waitFor();
    expect(await report.locator('figure svg').count()).toBeGreaterThanOrEqual(2);
    expect(await report.locator('#worklist tbody tr').first().innerText()).toContain('I-SIGN');
    expect(problems).toEqual([]);
    await context.close();
  });
});
