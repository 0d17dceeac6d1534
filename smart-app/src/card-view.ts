import { Marked } from 'marked';
import { h, severityBadge } from './dom.js';

interface CardLink {
  label: string;
  url: string;
  type: 'absolute' | 'smart';
  appContext?: string;
}

export interface Coding {
  code: string;
  system?: string;
  display?: string;
}

export interface Suggestion {
  label: string;
  uuid?: string;
  actions?: { type: 'create' | 'update' | 'delete'; description: string; resource?: { resourceType: string } & Record<string, unknown> }[];
}

export interface Card {
  uuid: string;
  summary: string;
  detail?: string;
  indicator: 'info' | 'warning' | 'critical';
  source: { label: string; url?: string; topic?: { code: string } };
  suggestions?: Suggestion[];
  overrideReasons?: Coding[];
  links?: CardLink[];
}

/** What the EHR does when the user acts on a card: accept a suggestion, or dismiss the card with a reason. */
export interface CardActions {
  accept(card: Card, suggestion: Suggestion): Promise<string>;
  override(card: Card, reason: Coding | undefined, comment: string): Promise<string>;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Markdown without raw HTML: card detail is rendered, never trusted as HTML. */
const markdown = new Marked({ gfm: true, renderer: { html: ({ text }) => escapeHtml(text) } });

/** Renders CDS Hooks cards as an EHR would: indicator, summary, markdown detail, source, suggestions, links. */
export function renderCards(cards: readonly Card[], smartLaunch: (link: CardLink) => string, actions?: CardActions): HTMLElement {
  if (cards.length === 0) return h('p', { class: 'muted' }, 'No cards: nothing to say about this.');
  return h(
    'ol',
    { class: 'cards' },
    cards.map((card) => {
      const detail = h('div', { class: 'card-detail' });
      if (card.detail) detail.innerHTML = markdown.parse(card.detail) as string;
      return h(
        'li',
        { class: `card card-${card.indicator}`, 'data-rule': card.source.topic?.code },
        h('p', { class: 'card-summary' }, severityBadge(card.indicator), ' ', h('strong', {}, card.summary)),
        detail,
        h(
          'p',
          { class: 'small muted' },
          'Source: ',
          card.source.url ? h('a', { href: card.source.url, target: '_blank', rel: 'noopener' }, card.source.label) : card.source.label,
        ),
        card.suggestions?.length && !actions ? h('p', { class: 'small' }, 'Suggestions: ', card.suggestions.map((s) => s.label).join('; ')) : null,
        actions ? cardActions(card, actions) : null,
        card.links?.length
          ? h(
              'p',
              {},
              card.links.map((link) =>
                h('a', { href: link.type === 'smart' ? smartLaunch(link) : link.url, class: 'button-link', 'data-link-type': link.type }, link.label),
              ),
            )
          : null,
      );
    }),
  );
}

/**
 * Accept (one button per suggestion) and Dismiss (with one of the card's override reasons and a comment), as an EHR
 * offers them; what happened is said beside them.
 */
function cardActions(card: Card, actions: CardActions): HTMLElement {
  const outcome = h('p', { class: 'small card-outcome', role: 'status' });
  const buttons: HTMLButtonElement[] = [];
  const act = (button: HTMLButtonElement, run: () => Promise<string>) =>
    button.addEventListener('click', () => {
      for (const b of buttons) b.disabled = true;
      outcome.textContent = 'Sending…';
      run()
        .then((text) => {
          outcome.textContent = text;
        })
        .catch((error: unknown) => {
          outcome.textContent = `Failed: ${error instanceof Error ? error.message : String(error)}`;
          for (const b of buttons) b.disabled = false;
        });
    });
  for (const suggestion of card.suggestions ?? []) {
    const button = h('button', { type: 'button', class: 'accept' }, `Accept: ${suggestion.label}`);
    act(button, () => actions.accept(card, suggestion));
    buttons.push(button);
  }
  const reasons = card.overrideReasons ?? [];
  const select = h(
    'select',
    { class: 'override-reason', 'aria-label': 'Reason for dismissing' },
    h('option', { value: '' }, reasons.length > 0 ? 'Reason…' : 'No reason'),
    reasons.map((reason) => h('option', { value: reason.code }, reason.display ?? reason.code)),
  );
  const comment = h('input', {
    type: 'text',
    class: 'override-comment',
    'aria-label': 'Comment',
    placeholder: 'Comment (optional)',
    maxlength: '500',
  });
  const dismiss = h('button', { type: 'button', class: 'secondary override' }, 'Dismiss');
  act(dismiss, () =>
    actions.override(
      card,
      reasons.find((reason) => reason.code === select.value),
      comment.value,
    ),
  );
  buttons.push(dismiss);
  return h('div', { class: 'card-actions' }, buttons.slice(0, -1), h('span', { class: 'override-group' }, select, comment, dismiss), outcome);
}
