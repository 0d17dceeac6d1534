/**
 * Text from FHIR data (codes, displays, identifiers) made safe for CDS Hooks card `detail`, which EHRs render as
 * GitHub-flavoured markdown: every ASCII punctuation character that markdown or HTML gives a meaning to is
 * backslash-escaped (CommonMark §2.4), so `<img onerror=…>`, `[x](javascript:…)`, `**`, `|` tables and
 * autolinks stay literal text; line breaks become spaces, so the text cannot start a heading, a list or a
 * block of its own. Not for text the service writes itself.
 */
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]()#+\-.!|~<>&"':=/@$%^;?,]/g;

export function escapeMarkdown(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`);
}
