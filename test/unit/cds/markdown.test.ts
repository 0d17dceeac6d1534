import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { codeSpan, markdownText } from '../../../src/cds/markdown.js';

/**
 * Finding text comes from the EHR's records (an unrecognised code is quoted as written): in card detail it must render
 * as the same words, never as HTML or a link. Rendered with a GFM renderer (marked) as an EHR would.
 */
const render = (markdown: string): string => marked.parse(markdown, { gfm: true, async: false });

describe('markdownText: data from the EHR stays text in card detail', () => {
  it.each([
    ['raw HTML', 'code <img src=x onerror=alert(1)> on Procedure/fx-1 is not recognised'],
    ['a javascript link', 'code [x](javascript:alert(1)) on Procedure/fx-1'],
    ['an autolink to a look-alike site', 'code https://ehr-login.example.net/reset on Procedure/fx-1'],
    ['a bare www autolink', 'code www.evil.example on Procedure/fx-1'],
    ['emphasis and an image', 'code **bold** ![i](https://x.example/i.png) on Procedure/fx-1'],
    ['backticks breaking out of a code span', 'code `](javascript:alert(1))` on Procedure/fx-1'],
    ['an HTML entity', 'code &lt;script&gt; on Procedure/fx-1'],
  ])('%s renders as text', (_what, message) => {
    const html = render(markdownText(message));
    expect(html).not.toMatch(/<(img|a|script|strong|em)\b/);
    expect(html).not.toContain('href=');
    // The words are all there, to be read.
    const text = html
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'");
    expect(text.replace(/\s+/g, ' ').trim()).toBe(message);
  });

  it('references and codes are shown as code', () => {
    expect(markdownText('signed Procedure/fx-1: late')).toBe('signed `Procedure/fx-1`: late');
  });

  it('a code span holds any backticks', () => {
    expect(render(codeSpan('a``b'))).toContain('<code>a``b</code>');
    expect(render(codeSpan('`x`'))).toContain('<code>`x`</code>');
  });
});
