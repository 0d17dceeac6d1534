import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPolicies, PolicyError, readPolicy } from '../../../src/policies/load.js';

/** Policy files (spec P): every field checked at start, errors naming the file and the field or YAML position. */
const dirs: string[] = [];
const folder = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'rtb-policies-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const MINIMAL = `id: acme
version: 1
name: Acme Health
source: "Acme provider manual"
effective: { from: 2026-01-01 }
applies: { payorNames: ["Acme Health"] }
`;

const failure = (run: () => unknown): PolicyError => {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('no PolicyError');
};

describe('shipped policies', () => {
  it('load, each with a source, one fallback (Medicare national)', () => {
    const policies = loadPolicies();
    expect(policies.map((p) => p.id).sort()).toEqual([
      'medicaid-ca',
      'medicaid-ma',
      'medicaid-tx',
      'medicare-national',
      'nia-managed',
      'priority-health',
    ]);
    for (const policy of policies) expect(policy.source).toMatch(/00[0-4]/);
    expect(policies.filter((p) => p.fallback).map((p) => p.id)).toEqual(['medicare-national']);
    const medicare = policies.find((p) => p.id === 'medicare-national')!;
    expect(medicare.rates.find((r) => r.code === '77412' && r.setting === 'facility')?.amount).toBe(564.51);
  });
});

describe('policy file errors name the file and the field', () => {
  it.each([
    ['a rate that is not a number', `${MINIMAL}rates:\n  - { code: "77412", amount: "a lot", from: 2026-01-01 }\n`, 'rates[0].amount'],
    ['an unknown coverage type', MINIMAL.replace('{ payorNames: ["Acme Health"] }', '{ coverageTypes: [medicaire] }'), 'applies.coverageTypes[0]'],
    ['a code that is not CPT', `${MINIMAL}authorization: { codes: ["77412-XX"] }\n`, 'authorization.codes[0]'],
    ['an unknown field', `${MINIMAL}ratez: []\n`, '(file)'],
    ['a selector that selects nothing', MINIMAL.replace('{ payorNames: ["Acme Health"] }', '{}'), 'applies'],
    ['an edit that is not FHIRPath', `${MINIMAL}edits:\n  - { id: X-1, message: m, severity: info, source: s, when: "where((" }\n`, 'edits[0].when'],
  ])('%s', (_label, text, where) => {
    const error = failure(() => readPolicy('/dept/acme.yaml', text));
    expect(error.file).toBe('acme.yaml');
    expect(error.where).toBe(where);
    expect(error.message).toContain(`acme.yaml: ${where}`);
  });

  it('broken YAML names the line and column', () => {
    const error = failure(() => readPolicy('acme.yaml', `${MINIMAL}rates: [ { code: "77412"\n`));
    expect(error.where).toMatch(/^line \d+, column \d+$/);
  });
});

describe('a department folder', () => {
  it('adds a payer, and a file with a shipped id replaces that policy', () => {
    const medicareLocal = readFileSync(fileURLToPath(new URL('../../../policies/medicare-national.yaml', import.meta.url)), 'utf8').replace(
      'version: 2026.1',
      'version: 2026.1-local',
    );
    const policies = loadPolicies(folder({ 'acme.yaml': MINIMAL, 'medicare.yaml': medicareLocal }));
    expect(policies.find((p) => p.id === 'acme')?.name).toBe('Acme Health');
    expect(policies.filter((p) => p.id === 'medicare-national').map((p) => p.version)).toEqual(['2026.1-local']);
  });

  it('two files with one id, or a bad file, stop the load', () => {
    expect(failure(() => loadPolicies(folder({ 'a.yaml': MINIMAL, 'b.yml': MINIMAL }))).where).toBe('id');
    expect(failure(() => loadPolicies(folder({ 'acme.json': '{"id": "Acme"}' }))).file).toBe('acme.json');
  });
});
