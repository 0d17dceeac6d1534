import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserAvailable, browserRequired } from '../helpers/browser.js';
import { useDemoInBrowser } from '../helpers/demo-browser.js';

/**
 * The demo's whole loop in Chromium (issue 21, item 7), on the demo patients (fixtures/index.json): every patient
 * has hook buttons; accepting a card's suggestion creates its resource on the demo FHIR server and sends feedback;
 * dismissing it sends feedback with the reason.
 */
describe.skipIf(!browserAvailable && !browserRequired)('the demo loop in Chromium', () => {
  const demo = useDemoInBrowser();
  const pageErrors: string[] = [];

  async function demoPage(): Promise<Page> {
    const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${demo.service.url}/demo`);
    await page.locator('section.demo-patient').first().waitFor();
    return page;
  }

  const feedback = async () =>
    ((await (await fetch(`${demo.service.url}/api/v1/feedback`)).json()) as { feedback: Record<string, unknown>[] }).feedback;

  it('every demo patient has a hook button, the CodeX breast course (no encounters, filler orders) too', async () => {
    const page = await demoPage();
    const sections = page.locator('section.demo-patient');
    expect(await sections.count()).toBe(10);
    const buttons = await sections.evaluateAll((nodes) =>
      nodes.map((n) => [n.getAttribute('data-patient'), n.querySelectorAll('.actions > button').length]),
    );
    expect(buttons.filter(([, count]) => count === 0)).toEqual([]);
    const x4 = page.locator('section[data-patient="x4-pt-41362"]');
    await x4.getByRole('button', { name: 'order-sign' }).click();
    await x4.locator('.results h4, .results .error').first().waitFor();
    expect(await x4.locator('.results').innerText()).toContain('Cards from order-sign');
    await page.close();
  });

  it('accepting a suggestion creates its Task on the demo FHIR server and sends feedback naming the suggestion', async () => {
    const page = await demoPage();
    const section = page.locator('section[data-patient="ig-pt-40689"]');
    await section.getByRole('button', { name: 'encounter-discharge ig-enc-2' }).click();
    const card = section.locator('li.card[data-rule="I-SIGN"]');
    await card.waitFor();
    await card.locator('button.accept').first().click();
    await expect
      .poll(() => card.locator('.card-outcome').innerText())
      .toMatch(/^Accepted: created Task\/[\w-]+ on the demo FHIR server; feedback sent\.$/);
    const task = (await card.locator('.card-outcome').innerText()).match(/Task\/([\w-]+)/)![1];
    const created = (await (await fetch(`${demo.service.url}/fhir/Task/${task}`)).json()) as {
      focus?: { reference?: string };
      owner?: { reference?: string };
    };
    expect(created.focus?.reference).toBe('Procedure/ig-fx-2');
    expect(created.owner?.reference).toMatch(/^Practitioner\//);
    const record = (await feedback()).find((f) => f.outcome === 'accepted');
    expect(record).toMatchObject({ serviceId: 'rt-billing-encounter-discharge', cardStatus: 'issued', acceptedSuggestions: [expect.any(String)] });
    await page.close();
  });

  it('dismissing a card sends feedback with the reason chosen and the comment', async () => {
    const page = await demoPage();
    const section = page.locator('section[data-patient="au-pt-40926"]');
    await section.getByRole('button', { name: 'order-sign' }).click();
    const card = section.locator('li.card[data-rule="C-AUTH-MISMATCH"]');
    await card.waitFor();
    const reasons = await card.locator('select.override-reason option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    const reason = reasons.find((value) => value !== '')!;
    await card.locator('select.override-reason').selectOption(reason);
    await card.locator('input.override-comment').fill('Payer confirmed by phone');
    await card.locator('button.override').click();
    await expect.poll(() => card.locator('.card-outcome').innerText()).toMatch(/^Dismissed \(.+\); feedback sent\.$/);
    const record = (await feedback()).find((f) => f.outcome === 'overridden');
    expect(record).toMatchObject({ serviceId: 'rt-billing-order-sign', overrideReason: reason, userComment: 'Payer confirmed by phone' });
    await page.close();
  });

  it('raised no uncaught page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
