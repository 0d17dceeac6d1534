import { Marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { escapeMarkdown } from '../../../src/cds/markdown.js';

/** Rendered as an EHR would render card detail: GitHub-flavoured markdown, raw HTML allowed. */
const render = (markdown: string) => new Marked({ gfm: true }).parse(markdown) as string;

describe('escapeMarkdown', () => {
  it.each([
    ['raw HTML', '<img src=x onerror=alert(1)>', '&lt;img'],
    ['a javascript: link', '[click me](javascript:alert(1))', '[click me](javascript:alert(1))'],
    ['a phishing link', '[Sign here](https://evil.example.com/login)', '[Sign here](https://evil.example.com/login)'],
    ['an autolink', '<https://evil.example.com>', '&lt;https://evil.example.com&gt;'],
    ['emphasis', '**urgent**', '**urgent**'],
    ['an entity', '&lt;script&gt;', '&amp;lt;script&amp;gt;'],
  ])('%s stays literal text', (_label, text, shown) => {
    const html = render(`Unknown code ${escapeMarkdown(text)}`);
    expect(html).not.toMatch(/<(img|a|strong|script)\b/);
    expect(html).toContain(shown);
  });

  it('line breaks cannot start a block of their own', () => {
    const html = render(`Code: ${escapeMarkdown('77412\n# Heading\n- item\n\n| a | b |\n|---|---|')}`);
    expect(html).not.toMatch(/<(h1|ul|li|table)\b/);
  });

  it('plain codes read the same', () => {
    expect(render(escapeMarkdown('77412')).trim()).toBe('<p>77412</p>');
  });
});
