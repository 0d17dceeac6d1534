/**
 * Text into GitHub Flavored Markdown for card `detail`, safely. Finding messages are plain sentences that quote data
 * from the EHR's records (references, codes, systems): a code is whatever the sender wrote, so it must not become
 * HTML (`<img onerror>`), a link (`[x](javascript:…)`) or an autolink to a look-alike site in the EHR's renderer.
 * Words that carry such data (anything with `/`, `|`, `:` or `@` in it) go into code spans, where Markdown makes
 * nothing of them; in the rest, every character with a meaning in Markdown or HTML is backslash-escaped.
 */

/** A code span that holds `text` whatever backticks it contains (CommonMark: a longer fence, spaces when needed). */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text.startsWith(' ') || text.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * The characters that make Markdown or HTML inside one line of text: emphasis, code, links and images, raw HTML,
 * entities, tables, strikethrough. (Line-start syntax such as `#` or `-` cannot occur: a message is one line placed
 * after other text.)
 */
const MARKDOWN_SYNTAX = /[\\`*_[\]<>|~&!]/g;

/** Backslash-escapes Markdown and HTML syntax in plain text. */
export function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN_SYNTAX, (char) => `\\${char}`);
}

/** Data-carrying words (references, URLs, code keys, `www.` hosts GFM would link): never prose, shown literally. */
const DATA_WORD = /[/|:@]|(^|[^a-z0-9])www\./i;
/** Punctuation that ends a sentence or clause, kept outside the code span. */
const TRAILING = /[.,;:)\]]+$/;
const LEADING = /^[([]+/;

/** A plain-text message as safe Markdown: data words in code spans, everything else escaped. */
export function markdownText(text: string): string {
  return text
    .split(/(\s+)/)
    .map((word) => {
      if (/^\s*$/.test(word) || !DATA_WORD.test(word)) return escapeMarkdown(word);
      const lead = LEADING.exec(word)?.[0] ?? '';
      const trail = TRAILING.exec(word.slice(lead.length))?.[0] ?? '';
      const core = word.slice(lead.length, word.length - trail.length);
      if (!DATA_WORD.test(core)) return escapeMarkdown(word);
      return `${escapeMarkdown(lead)}${codeSpan(core)}${escapeMarkdown(trail)}`;
    })
    .join('');
}
