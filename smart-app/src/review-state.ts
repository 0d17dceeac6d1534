import type Client from 'fhirclient/lib/Client';
import type { ReviewState, ReviewStatus } from '../../src/api/review-store.js';
import { h } from './dom.js';
import { apiCredentials, freshSession } from './session.js';

export const STATUS_TEXT: Record<ReviewStatus, string> = {
  reviewed: 'Reviewed',
  'on-hold': 'On hold',
  'sent-to-physician': 'Sent to the physician',
};

/**
 * The patient's review states, kept by the service (`/api/v1/patients/{id}/review-states`), and the way to set one.
 * The service records who (the SMART user its token check names) and when; the app sends only status and note.
 */
export class ReviewBook {
  private readonly states = new Map<string, ReviewState>();

  private constructor(
    private readonly client: Client,
    states: readonly ReviewState[],
    /** Why the states could not be read, when they could not (the review is shown all the same). */
    readonly unavailable: string | null,
  ) {
    for (const state of states) this.states.set(state.session, state);
  }

  static async load(client: Client): Promise<ReviewBook> {
    try {
      const response = await fetch(url(client, 'review-states'), { headers: headers(client) });
      if (!response.ok) return new ReviewBook(client, [], `the billing service answered HTTP ${response.status}`);
      const body = (await response.json()) as { reviewStates?: ReviewState[] };
      return new ReviewBook(client, body.reviewStates ?? [], null);
    } catch {
      return new ReviewBook(client, [], 'the billing service did not answer');
    }
  }

  get(session: string): ReviewState | undefined {
    return this.states.get(session);
  }

  async set(session: string, status: ReviewStatus, note: string): Promise<ReviewState> {
    await freshSession(this.client);
    const response = await fetch(url(this.client, `sessions/${session}/review-state`), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...headers(this.client) },
      body: JSON.stringify({ status, note: note.trim() === '' ? null : note }),
    });
    const body = (await response.json().catch(() => ({}))) as ReviewState & { issue?: { diagnostics?: string }[] };
    if (!response.ok) throw new Error(body.issue?.[0]?.diagnostics ?? `HTTP ${response.status}`);
    this.states.set(session, body);
    return body;
  }
}

const url = (client: Client, rest: string) =>
  new URL(`../api/v1/patients/${encodeURIComponent(client.getPatientId() ?? '')}/${rest}`, window.location.href);

/** The token's credentials; in the open demo (no token) the FHIR server the record is on, which keys the states. */
const headers = (client: Client): Record<string, string> => ({ 'x-fhir-server': client.state.serverUrl, ...apiCredentials(client) });

/** `Sent to the physician · Practitioner/r1 · 2026-04-13 17:02 UTC`, with the note. */
export function stateText(state: ReviewState): string {
  return [STATUS_TEXT[state.status], state.by ?? 'no user named', `${state.at.slice(0, 16).replace('T', ' ')} UTC`].join(' · ');
}

/** The review state of a session: what it is, and a form to set it (status and note). */
export function reviewPanel(session: string, book: ReviewBook, onSaved: () => void): HTMLElement {
  const current = book.get(session);
  const shown = h('p', { class: 'review-current', 'data-review-status': current?.status }, current ? stateText(current) : 'Not reviewed yet.');
  const note = current?.note ? h('p', { class: 'review-note' }, current.note) : null;
  const select = h(
    'select',
    { id: 'review-status', name: 'status' },
    (Object.keys(STATUS_TEXT) as ReviewStatus[]).map((status) =>
      h('option', { value: status, selected: current?.status === status }, STATUS_TEXT[status]),
    ),
  );
  const text = h('textarea', { id: 'review-note', name: 'note', rows: '2', maxlength: '2000' });
  text.value = current?.note ?? '';
  const status = h('p', { class: 'small', role: 'status', id: 'review-saved' });
  const save = h('button', { type: 'submit', id: 'review-save' }, 'Save review state');
  const form = h(
    'form',
    { class: 'review-form' },
    h('label', { for: 'review-status' }, 'Status '),
    select,
    h('label', { for: 'review-note', class: 'block' }, 'Note'),
    text,
    save,
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save.disabled = true;
    status.textContent = 'Saving…';
    book
      .set(session, select.value as ReviewStatus, text.value)
      .then((state) => {
        shown.textContent = stateText(state);
        shown.dataset.reviewStatus = state.status;
        status.textContent = 'Saved.';
        onSaved();
      })
      .catch((error: unknown) => {
        status.textContent = `Not saved: ${error instanceof Error ? error.message : String(error)}`;
      })
      .finally(() => {
        save.disabled = false;
      });
  });
  return h(
    'section',
    { class: 'review-state', 'aria-labelledby': 'review-title' },
    h('h3', { id: 'review-title' }, 'Review state'),
    book.unavailable ? h('p', { class: 'muted' }, `Review states could not be read: ${book.unavailable}.`) : null,
    shown,
    note,
    form,
  );
}
