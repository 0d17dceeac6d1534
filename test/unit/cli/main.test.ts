import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASES_DIR } from '../../helpers/cases.js';
import { cli as run } from '../../helpers/department.js';

const temp = mkdtempSync(join(tmpdir(), 'rt-billing-cli-'));
const file = (name: string, text: string) => {
  const path = join(temp, name);
  writeFileSync(path, text);
  return path;
};

describe('rt-billing evaluate FILE', () => {
  it('prints the determination as JSON and exits 0', async () => {
    const result = await run(['evaluate', join(CASES_DIR, 'acro-1-appa-2d-no-igrt.bundle.json')]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).sessions[0].deliveryCode).toBe('77402');
  });

  it.each([
    ['no arguments', [], 'Usage'],
    ['an unknown command', ['bill', 'x.json'], 'Usage'],
    ['a missing file', ['evaluate', join(temp, 'missing.json')], 'cannot read'],
    ['invalid JSON', ['evaluate', file('bad.json', '{')], 'not valid JSON'],
    ['an invalid Bundle', ['evaluate', file('patient.json', '{"resourceType":"Patient"}')], 'Bundle.resourceType'],
  ])('%s: message on stderr, exit 2', async (_label, args, message) => {
    const result = await run(args as string[]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  it('the installed bin runs (npx rt-billing)', () => {
    const out = execFileSync('node', ['bin/rt-billing.js', 'evaluate', join(CASES_DIR, 'sbrt-out-of-family.bundle.json')], { encoding: 'utf8' });
    expect(JSON.parse(out).sessions[0].outOfFamily).toContain('77373');
    const bad = spawnSync('node', ['bin/rt-billing.js', 'evaluate'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
  });
});
