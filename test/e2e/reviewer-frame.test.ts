import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserAvailable, browserRequired } from '../helpers/browser.js';
import { useDemoInBrowser } from '../helpers/demo-browser.js';

/**
 * The reviewer app in an EHR's 800×600 frame, on the demo patients (fixtures/index.json): what to act on first, the
 * money (billable, at risk until signed, lost), no sideways scrolling, and the CSV a charge entry screen takes.
 */
describe.skipIf(!browserAvailable && !browserRequired)('reviewer app at 800×600 in Chromium', () => {
  const demo = useDemoInBrowser();
  const pageErrors: string[] = [];

  async function open(patient: string): Promise<Page> {
    const page = await demo.browser.newPage({ viewport: { width: 800, height: 600 }, acceptDownloads: true });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${demo.service.url}/demo`);
    await page.locator(`section[data-patient="${patient}"] a.launch`).click();
    await page.waitForURL(/\/smart-app\/index\.html/);
    await page.locator('#sessions').waitFor({ timeout: 20_000 });
    return page;
  }

  const text = (page: Page, selector: string) => page.locator(selector).innerText();

  it.each([
    'a1-pt-40117',
    'a2-pt-40232',
    'a3-pt-40358',
    'a4-pt-40461',
    'a5-pt-40573',
    'ig-pt-40689',
    'am-pt-40815',
    'au-pt-40926',
    'x4-pt-41362',
    'x6-pt-41475',
  ])('%s: nothing scrolls sideways, and each session row shows its date, code, 77387-26 and worst finding', async (patient) => {
    const page = await open(patient);
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      tables: [...document.querySelectorAll<HTMLElement>('.table-wrap')].map((wrap) => wrap.scrollWidth - wrap.clientWidth),
    }));
    expect(widths.page).toBeLessThanOrEqual(0);
    expect(widths.tables.every((overflow) => overflow <= 0)).toBe(true);
    expect(await text(page, '#level3-share')).toBe('Not judged (one patient)');
    const rows = page.locator('#sessions tbody tr[data-fractions]');
    for (let i = 0; i < (await rows.count()); i += 1) {
      const cells = await rows
        .nth(i)
        .locator('th, td')
        .evaluateAll((nodes) =>
          nodes.filter((n) => (n as HTMLElement).offsetParent !== null).map((n) => [n.textContent, (n as HTMLElement).getBoundingClientRect().right]),
        );
      expect(cells).toHaveLength(5);
      const [date, code, igrt, , worst] = cells.map(([content]) => content as string);
      expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(code).toMatch(/^(77402|77407|77412|—)/);
      expect(igrt).toMatch(/^(Billable|Pending approval|Lost|None)/);
      expect(worst).toMatch(/None|Warning|Critical/);
      expect(Math.max(...cells.map(([, right]) => right as number))).toBeLessThanOrEqual(800);
    }
    await page.close();
  });

  it('a 77387-26 lost to an AMM record never signed: billable, nothing at risk, its amount lost, and it is the one thing to act on', async () => {
    const page = await open('am-pt-40815');
    expect(await text(page, '#money-billable')).toBe('$819.66');
    expect(await text(page, '#money-at-risk')).toBe('$0.00');
    expect(await text(page, '#money-lost')).toBe('$36.74');
    expect(await text(page, '[data-tile="money-lost"]')).toContain('77387-26 not supportable on 1 session');
    expect(await text(page, '#act-count')).toBe('1');
    expect(await text(page, '#to-act-on li')).toContain('A-SIGN');
    const first = page.locator('#sessions tbody tr').first();
    expect(await first.locator('td.money').innerText()).toMatch(/\$391\.46\s+\$36\.74 lost/);
    // The worklist opens the session it names.
    await page.locator('#to-act-on button.subject').first().click();
    await expect.poll(() => text(page, '#detail-title')).toBe('Session of 2026-04-06');
    expect(await text(page, '#detail [data-money="lost"]')).toBe('$36.74 (77387-26)');
    await page.close();
  });

  it('images not approved yet: 77387-26 at risk until signed, nothing lost', async () => {
    const page = await open('ig-pt-40689');
    expect(await text(page, '#money-billable')).toBe('$672.02');
    expect(await text(page, '#money-at-risk')).toBe('$36.74');
    expect(await text(page, '#money-lost')).toBe('$0.00');
    expect(await page.locator('#sessions tbody tr').nth(1).locator('td.money').innerText()).toMatch(/\$317\.64\s+\$36\.74 at risk/);
    await page.close();
  });

  it("counts an order's and a phase's concerns, not only sessions', and keeps information below", async () => {
    const au = await open('au-pt-40926');
    expect(await text(au, '#act-count')).toBe('1');
    expect(await text(au, '#to-act-on li')).toContain('C-AUTH-MISMATCH');
    await au.close();
    const x6 = await open('x6-pt-41475');
    expect(await text(x6, '#act-count')).toBe('1');
    expect(await x6.locator('#to-act-on li').evaluateAll((items) => items.map((li) => li.getAttribute('data-rule')))).toEqual(['D-COUNT']);
    expect(await text(x6, '[data-tile="money-lost"]')).toContain('1 fraction recorded only as summaries');
    const order = await x6.evaluate(() =>
      ['#to-act-on', '.summary', '#sessions', '#information'].map((s) => document.querySelector(s)!.getBoundingClientRect().top),
    );
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    await x6.close();
  });

  it('exports CSV with the patient, MRN, local date, CPT and modifier apart, units, place of service, rendering NPI, session and fractions', async () => {
    const page = await open('a2-pt-40232');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^rt-billing-a2-pt-40232-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = (await readFile((await download.path())!, 'utf8')).trim().split('\r\n');
    expect(lines[0]).toBe(
      'patient_id,mrn,date_of_service,cpt,modifier,units,place_of_service,rendering_practitioner,rendering_npi,status,rule,session,fractions,estimated_amount_usd',
    );
    // The delivery line and the 77387-26 line of a session: CPT and modifier apart, units, place of service 11, the
    // rendering practitioner, the session and its fraction, the estimate.
    expect(lines.find((l) => l.includes(',77407,,1,11,'))).toMatch(
      /^a2-pt-40232,LRC-040232,2026-\d\d-\d\d,77407,,1,11,Practitioner\/[\w-]+,\d*,bill,D-2,Encounter\/a2-enc-\d,Procedure\/a2-fx-\d,\d+\.\d\d$/,
    );
    expect(lines.find((l) => l.includes(',77387,26,1,11,'))).toMatch(
      /^a2-pt-40232,LRC-040232,2026-\d\d-\d\d,77387,26,1,11,Practitioner\/[\w-]+,\d*,bill,I-PC,Encounter\/a2-enc-\d,Procedure\/a2-fx-\d,\d+\.\d\d$/,
    );
    expect(lines).toHaveLength(5);
    await page.close();

    // The NPI column holds the Practitioner's NPI when the record has one.
    const x6 = await open('x6-pt-41475');
    const [x6Download] = await Promise.all([x6.waitForEvent('download'), x6.locator('#export-csv').click()]);
    const rows = (await readFile((await x6Download.path())!, 'utf8')).trim().split('\r\n').slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows)
      expect(row.split(',').slice(7, 9)).toEqual([expect.stringMatching(/^Practitioner\//), expect.stringMatching(/^(\d{10})?$/)]);
    await x6.close();
  });

  it('a reviewer marks a session sent to the physician, with a note; the service keeps it, and the next launch shows it', async () => {
    const page = await open('ig-pt-40689');
    await page.locator('#sessions tbody tr').nth(1).locator('button').click();
    await page.locator('#review-status').selectOption('sent-to-physician');
    await page.locator('#review-note').fill('Asked Dr Rivera to approve the images today');
    await page.locator('#review-save').click();
    await expect.poll(() => text(page, '#review-saved')).toBe('Saved.');
    expect(await text(page, '.review-current')).toMatch(/^Sent to the physician · no user named · \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    expect(await text(page, '[data-review-mark="Encounter/ig-enc-2"]')).toBe('Sent to the physician');
    await page.close();

    const again = await open('ig-pt-40689');
    expect(await text(again, '[data-review-mark="Encounter/ig-enc-2"]')).toBe('Sent to the physician');
    expect(await text(again, '[data-review-mark="Encounter/ig-enc-1"]')).toBe('');
    await again.locator('#sessions tbody tr').nth(1).locator('button').click();
    expect(await text(again, '.review-note')).toBe('Asked Dr Rivera to approve the images today');
    expect(await again.locator('#review-status').inputValue()).toBe('sent-to-physician');
    await again.close();
  });

  it('raised no uncaught page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
