import { describe, expect, it } from 'vitest';
import { browserAvailable, browserRequired } from '../helpers/browser.js';
import { demoPatient } from '../helpers/cases.js';
import { useDemoInBrowser } from '../helpers/demo-browser.js';

/**
 * The reviewer app on the demo's summary records (scenarios x4 and x6): delivery recorded only as phase summaries
 * shows in a "recorded only as summaries" table per course, with the fractions delivered and what each describes.
 */
describe.skipIf(!browserAvailable && !browserRequired)('reviewer app: delivery recorded only as summaries (Chromium)', () => {
  // D-COUNT is a data-feed note: an information card, shown where a site turns those on.
  const demo = useDemoInBrowser({ CDS_INFO_CARDS: 'on' });

  async function review(patient: string) {
    const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${demo.service.url}/demo`);
    await page.locator(`section[data-patient="${patient}"] a.launch`).click();
    await page.waitForURL(/\/smart-app\/index\.html/);
    await page.locator('#sessions').waitFor({ timeout: 20_000 });
    return { page, errors };
  }

  it('a course known only from treated phases: one row per phase with its fractions and code, per course', async () => {
    const { page, errors } = await review(demoPatient('x4'));
    const table = page.locator('#summaries table.phases');
    await table.waitFor();
    expect(await table.getAttribute('data-course')).toBe('Procedure/x4-course');
    const rows = table.locator('tbody tr.phase');
    expect(await rows.count()).toBe(3);
    const cells = async (column: number) => (await table.locator(`tbody tr.phase td:nth-child(${column})`).allInnerTexts()).map((t) => t.trim());
    expect(await cells(4)).toEqual(['16', '16', '4']); // fractions delivered
    expect(await cells(5)).toEqual(['0', '0', '0']); // with fraction records
    expect(await cells(6)).toEqual(['77407 (D-2)', '77407 (D-2)', '77402 (D-1)']);
    expect(await table.locator('a.rule', { hasText: 'D-COURSE' }).count()).toBe(2);
    expect(await page.locator('#sessions tbody').innerText()).toContain('No delivered sessions');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a phase missing a fraction from the record: the session and the phase, with its D-COUNT warning', async () => {
    const { page, errors } = await review(demoPatient('x6'));
    expect(await page.locator('#sessions tbody tr').count()).toBe(2);
    const row = page.locator('#summaries table.phases tbody tr.phase');
    expect(await row.count()).toBe(1);
    expect((await row.locator('td:nth-child(4)').innerText()).trim()).toBe('3');
    expect((await row.locator('td:nth-child(5)').innerText()).trim()).toBe('2');
    expect(await page.locator('#summaries tr.phase-findings a.rule', { hasText: 'D-COUNT' }).count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the D-COUNT card's link opens the app on that phase: its row marked and in view", async () => {
    const page = await demo.browser.newPage({ viewport: { width: 1280, height: 600 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${demo.service.url}/demo`);
    const section = page.locator(`section[data-patient="${demoPatient('x6')}"]`);
    await section
      .getByRole('button', { name: /^encounter-discharge/ })
      .first()
      .click();
    const card = section.locator('li.card[data-rule="D-COUNT"]');
    await card.waitFor();
    await card.locator('a[data-link-type="smart"]').click();
    await page.waitForURL(/\/smart-app\/index\.html/);
    const focused = page.locator('#summaries tr.phase.focused');
    await focused.waitFor({ timeout: 20_000 });
    expect(await focused.getAttribute('aria-current')).toBe('true');
    expect(await focused.getAttribute('data-phase')).toBe('Procedure/x6-phase-1');
    await page.waitForFunction(() => {
      const row = document.querySelector('#summaries tr.phase.focused');
      const box = row?.getBoundingClientRect();
      return !!box && box.top >= 0 && box.bottom <= window.innerHeight;
    });
    expect(errors).toEqual([]);
    await page.close();
  });
});
