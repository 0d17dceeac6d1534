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
    'a1-pat-acro-1-appa-2d-no-igrt',
    'a2-pat-acro-2-prostate-imrt-stereoscopic',
    'a3-pat-acro-3-breast-vmat-cbct',
    'a4-pat-acro-4-breast-tangents-amm',
    'a5-pat-acro-5-two-benign-sites-port-images',
    'ig-pat-igrt-unsigned-last-fraction',
    'am-pat-amm-record-unsigned-next-started',
    'au-pat-order-authorized-lower-level',
    'x4-Patient-XRTS-04-22B',
    'x6-Patient-6',
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
    const page = await open('am-pat-amm-record-unsigned-next-started');
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
    await expect.poll(() => text(page, '#detail-title')).toBe('Session of 2026-04-13');
    expect(await text(page, '#detail [data-money="lost"]')).toBe('$36.74 (77387-26)');
    await page.close();
  });

  it('images not approved yet: 77387-26 at risk until signed, nothing lost', async () => {
    const page = await open('ig-pat-igrt-unsigned-last-fraction');
    expect(await text(page, '#money-billable')).toBe('$672.02');
    expect(await text(page, '#money-at-risk')).toBe('$36.74');
    expect(await text(page, '#money-lost')).toBe('$0.00');
    expect(await page.locator('#sessions tbody tr').nth(1).locator('td.money').innerText()).toMatch(/\$317\.64\s+\$36\.74 at risk/);
    await page.close();
  });

  it("counts an order's and a phase's concerns, not only sessions', and keeps information below", async () => {
    const au = await open('au-pat-order-authorized-lower-level');
    expect(await text(au, '#act-count')).toBe('1');
    expect(await text(au, '#to-act-on li')).toContain('C-AUTH-MISMATCH');
    await au.close();
    const x6 = await open('x6-Patient-6');
    expect(await text(x6, '#act-count')).toBe('2');
    expect(await x6.locator('#to-act-on li').evaluateAll((items) => items.map((li) => li.getAttribute('data-rule')))).toEqual(['D-COUNT', 'I-SIGN']);
    expect(await text(x6, '[data-tile="money-lost"]')).toContain('1 fraction recorded only as summaries');
    const order = await x6.evaluate(() =>
      ['#to-act-on', '.summary', '#sessions', '#information'].map((s) => document.querySelector(s)!.getBoundingClientRect().top),
    );
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    await x6.close();
  });

  it('exports CSV with the patient, MRN, local date, CPT and modifier apart, units, place of service, rendering NPI, session and fractions', async () => {
    const page = await open('a2-pat-acro-2-prostate-imrt-stereoscopic');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^rt-billing-a2-pat-acro-2-prostate-imrt-stereoscopic-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = (await readFile((await download.path())!, 'utf8')).trim().split('\r\n');
    expect(lines[0]).toBe(
      'patient_id,mrn,date_of_service,cpt,modifier,units,place_of_service,rendering_practitioner,rendering_npi,status,rule,session,fractions,estimated_amount_usd',
    );
    expect(lines).toContain(
      'a2-pat-acro-2-prostate-imrt-stereoscopic,MRN-acro-2-prostate-imrt,2026-02-02,77407,,1,11,Practitioner/a2-dr-ro,,bill,D-2,Encounter/a2-enc-1,Procedure/a2-fx-1,317.64',
    );
    expect(lines).toContain(
      'a2-pat-acro-2-prostate-imrt-stereoscopic,MRN-acro-2-prostate-imrt,2026-02-02,77387,26,1,11,Practitioner/a2-dr-ro,,bill,I-PC,Encounter/a2-enc-1,Procedure/a2-fx-1,36.74',
    );
    expect(lines).toHaveLength(5);
    await page.close();

    // HL7's Patient-6 records the performer's NPI.
    const x6 = await open('x6-Patient-6');
    const [x6Download] = await Promise.all([x6.waitForEvent('download'), x6.locator('#export-csv').click()]);
    const rows = (await readFile((await x6Download.path())!, 'utf8')).trim().split('\r\n').slice(1);
    expect(rows.map((row) => row.split(',').slice(3, 9))).toEqual([
      ['77407', '', '1', '', 'Practitioner/x6-Practitioner-1005', '19941339108'],
      ['77387', '26', '1', '', expect.stringMatching(/^Practitioner\//), expect.any(String)],
    ]);
    await x6.close();
  });

  it('a reviewer marks a session sent to the physician, with a note; the service keeps it, and the next launch shows it', async () => {
    const page = await open('ig-pat-igrt-unsigned-last-fraction');
    await page.locator('#sessions tbody tr').nth(1).locator('button').click();
    await page.locator('#review-status').selectOption('sent-to-physician');
    await page.locator('#review-note').fill('Asked Dr Rivera to approve the images today');
    await page.locator('#review-save').click();
    await expect.poll(() => text(page, '#review-saved')).toBe('Saved.');
    expect(await text(page, '.review-current')).toMatch(/^Sent to the physician · no user named · \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    expect(await text(page, '[data-review-mark="Encounter/ig-enc-2"]')).toBe('Sent to the physician');
    await page.close();

    const again = await open('ig-pat-igrt-unsigned-last-fraction');
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
