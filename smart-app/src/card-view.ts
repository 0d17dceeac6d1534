import { Marked } from 'marked';
import { h, severityBadge } from './dom.js';

interface CardLink {
  label: string;
  url: string;
  type: 'absolute' | 'smart';
  appContext?: string;
}

export interface Card {
  uuid: string;
  summary: string;
  detail?: string;
  indicator: 'info' | 'warning' | 'critical';
  source: { label: string; url?: string; topic?: { code: string } };
  suggestions?: { label: string }[];
  links?: CardLink[];
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Markdown without raw HTML: card detail is rendered, never trusted as HTML. */
const markdown = new Marked({ gfm: true, renderer: { html: ({ text }) => escapeHtml(text) } });

/** Renders CDS Hooks cards as an EHR would: indicator, summary, markdown detail, source, suggestions, links. */
export function renderCards(cards: readonly Card[], smartLaunch: (link: CardLink) => string): HTMLElement {
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
        card.suggestions?.length ? h('p', { class: 'small' }, 'Suggestions: ', card.suggestions.map((s) => s.label).join('; ')) : null,
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
