import type Client from 'fhirclient/lib/Client';
import { h } from './dom.js';
import { apiCredentials } from './session.js';
import { courseUpload } from './upload.js';

/**
 * "Charts for this course": the department report's charts and tables for this patient's course, rendered by the
 * service (`POST /api/v1/report`, no script in it) from the record the app has already read, and opened in a new
 * tab. The tab is opened during the click, so no pop-up blocker stops it, then shows the report when it arrives.
 */
export function reportLink(client: Client, bundle: unknown): HTMLElement {
  const link = h('a', { href: '#', id: 'open-report', role: 'button' }, 'Charts for this course (report)');
  link.addEventListener('click', (event) => {
    event.preventDefault();
    const tab = window.open('', '_blank');
    if (tab) void showReport(tab, client, bundle);
  });
  return link;
}

async function showReport(tab: Window, client: Client, bundle: unknown): Promise<void> {
  tab.document.title = 'Billing report';
  tab.document.body.textContent = 'Preparing the report…';
  try {
    const { body, headers } = await courseUpload(bundle);
    const response = await fetch(new URL('../api/v1/report', window.location.href), {
      method: 'POST',
      headers: { ...headers, ...apiCredentials(client) },
      body,
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const html = await response.text();
    tab.location.href = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
  } catch {
    tab.document.body.textContent = 'The report could not be made. Close this tab and try again from the charge review.';
  }
}
