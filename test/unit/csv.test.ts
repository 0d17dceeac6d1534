import { describe, expect, it } from 'vitest';
import { csvField } from '../../src/csv.js';

/** The one CSV field writer of the CLI and the reviewer app (src/csv.ts). */
describe('csvField: a spreadsheet shows every field as text', () => {
  it.each([
    ['=HYPERLINK("https://evil.example","x")', `"'=HYPERLINK(""https://evil.example"",""x"")"`],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', `"'\r=1+1"`],
  ])('%j begins like a formula: written %j', (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it.each([
    ['Encounter/enc-1', 'Encounter/enc-1'],
    ['a, b', '"a, b"'],
    ['say "x"', '"say ""x"""'],
    ['two\nlines', '"two\nlines"'],
    ['a=b', 'a=b'],
    [-36.74, '-36.74'],
    [1, '1'],
    [null, ''],
    [undefined, ''],
  ])('%j is written %j', (value, written) => {
    expect(csvField(value)).toBe(written);
  });
});
