import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/usage.js';
import { scenarioFile } from '../../helpers/cases.js';
import { cli as run } from '../../helpers/department.js';

const temp = mkdtempSync(join(tmpdir(), 'rt-billing-cli-'));
const file = (name: string, text: string) => {
  const path = join(temp, name);
  writeFileSync(path, text);
  return path;
};

describe('rt-billing evaluate FILE', () => {
  it('prints the determination as JSON and exits 0', async () => {
    const result = await run(['evaluate', scenarioFile('a1')]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).sessions[0].deliveryCode).toBe('77402');
  });

  it.each([
    ['no arguments', [], 'Usage: rt-billing COMMAND'],
    ['an unknown command', ['bill', 'x.json'], 'unknown command bill'],
    ['evaluate without a PATH', ['evaluate'], 'rt-billing evaluate: PATH is missing'],
    ['report without --html', ['report', 'export/'], 'rt-billing report: --html FILE is missing'],
    ['merge without shards', ['merge'], 'rt-billing merge: SHARD.ndjson is missing'],
    ['an unknown option', ['evaluate', 'x.json', '--fromat', 'csv'], 'rt-billing evaluate: unknown option --fromat'],
    ['a missing file', ['evaluate', join(temp, 'missing.json')], 'cannot read'],
    ['invalid JSON', ['evaluate', file('bad.json', '{')], 'not valid JSON'],
    ['an invalid Bundle', ['evaluate', file('patient.json', '{"resourceType":"Patient"}')], 'Bundle.resourceType'],
  ])('%s: message on stderr, exit 2', async (_label, args, message) => {
    const result = await run(args as string[]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  it.each([
    ['evaluate', 'Usage: rt-billing evaluate PATH'],
    ['report', 'Usage: rt-billing report PATH [REMITTANCE...] --html FILE'],
    ['merge', 'Usage: rt-billing merge SHARD.ndjson'],
  ])("a mistake in %s prints that command's usage only, with an example", async (command, usage) => {
    const result = await run([command]);
    expect(result.stderr).toContain(usage);
    expect(result.stderr).toContain(`Examples:\n  rt-billing ${command} `);
    expect(result.stderr.match(/Usage:/g)).toHaveLength(1);
  });

  it('--help: the overview on stdout, exit 0; COMMAND --help and help COMMAND: that command', async () => {
    const overview = await run(['--help']);
    expect(overview).toMatchObject({ code: 0, stderr: '' });
    for (const command of ['evaluate', 'report', 'merge']) expect(overview.stdout).toContain(`  ${command} `);
    for (const args of [
      ['report', '--help'],
      ['help', 'report'],
      ['report', 'x', '-h'],
    ]) {
      const one = await run(args);
      expect(one.code).toBe(0);
      expect(one.stdout).toMatch(/^Usage: rt-billing report PATH \[REMITTANCE\.\.\.\] --html FILE/);
      expect(one.stdout).not.toContain('rt-billing merge');
    }
  });

  it('help and usage load no command module: main.js imports only the usage text (the rest on demand)', () => {
    const main = readFileSync(new URL('../../../src/cli/main.ts', import.meta.url), 'utf8');
    expect([...main.matchAll(/^import .* from '(.+)';$/gm)].map((m) => m[1])).toEqual(['./usage.js']);
  });

  it('the usage examples name files that are in the repository', () => {
    const named = Object.values(COMMANDS)
      .flatMap((help) => help.examples)
      .flatMap((example) => example.split(' ').filter((word) => word.startsWith('fixtures/')));
    expect(named.length).toBeGreaterThan(0);
    for (const path of named) expect(existsSync(path), path).toBe(true);
  });

  it('the installed bin runs (npx rt-billing)', () => {
    const out = execFileSync('node', ['bin/rt-billing.js', 'evaluate', scenarioFile('sb')], { encoding: 'utf8' });
    expect(JSON.parse(out).sessions[0].outOfFamily).toContain('77373');
    const bad = spawnSync('node', ['bin/rt-billing.js', 'evaluate'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
  });

  it('evaluate of one Bundle loads no report, chart, SQLite, X12, FHIRPath or YAML module (they cost a second at start)', () => {
    // A resolve hook that names every module the process imports, on stderr.
    const hooks = file(
      'log-imports.mjs',
      'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(`IMPORT ${r.url}\\n`); return r; }',
    );
    const register = file('register.mjs', `import { register } from 'node:module'; register(${JSON.stringify(`file://${hooks}`)});`);
    const run = (args: string[]) => spawnSync('node', ['--import', register, 'bin/rt-billing.js', ...args], { encoding: 'utf8' });
    const imported = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('IMPORT '));
    const one = run(['evaluate', scenarioFile('a1')]);
    expect(one.status).toBe(0);
    const modules = imported(one.stderr);
    expect(modules.some((url) => url.includes('/src/pipeline.js'))).toBe(true);
    const heavy =
      /\/node_modules\/(echarts|zrender|marked|better-sqlite3|yaml|fhirpath|node-x12)\/|\/src\/(report|appeals)\/|\/src\/batch\/(run|patient-store)\.js/;
    expect(modules.filter((url) => heavy.test(url))).toEqual([]);
    // The report still loads its charts.
    const report = run(['report', scenarioFile('a1'), '--html', join(temp, 'report.html')]);
    expect(report.status).toBe(0);
    expect(imported(report.stderr).some((url) => url.includes('/node_modules/echarts/'))).toBe(true);
  });
});
