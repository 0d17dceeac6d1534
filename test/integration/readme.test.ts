import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';

/**
 * The README and the manual in docs/ as a newcomer meets them (issue 25): every command they show is run here or by
 * CI, and every link between them leads somewhere.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = [
  join(ROOT, 'README.md'),
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(ROOT, 'docs', f)),
];

/** The commands of a markdown file's `sh` blocks, one per line, comments and prompts removed. */
function shellCommands(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
    block[1]!
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
}

/** Commands CI runs as written (`.ci/run`: npm ci, npm test) or tests run as `npm start` does (test/helpers/processes.ts). */
const RUN_ELSEWHERE = [/^npm (install|ci)( && npm (start|test))?$/, /^npm (start|test)$/, /^npm run (bench|build|lint|format|typecheck)\b/];

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('the README quick start and tour', () => {
  const commands = shellCommands(readme);

  it('shows the two commands, install-and-start and install-and-test, first', () => {
    expect(commands.slice(0, 2)).toEqual(['npm install && npm start', 'npm install && npm test']);
  });

  const cliCommands = commands.filter((command) => /^(npx )?rt-billing /.test(command));
  it('every command is one CI runs, or a CLI command this test runs', () => {
    expect(cliCommands.length).toBeGreaterThan(0);
    for (const command of commands) expect(RUN_ELSEWHERE.some((re) => re.test(command)) || cliCommands.includes(command), command).toBe(true);
  });

  it.each(cliCommands)('%s runs from a fresh clone: exit 0', async (command) => {
    const scratch = mkdtempSync(join(tmpdir(), 'rt-readme-'));
    const args = command
      .replace(/^(npx )?rt-billing /, '')
      .split(/\s+/)
      // Files it writes go to a scratch folder; files it reads are the repository's.
      .map((word, index, words) => (index > 0 && ['--html', '--out'].includes(words[index - 1]!) ? join(scratch, word) : word));
    const out: string[] = [];
    const err: string[] = [];
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const code = await runCli(
        args,
        (t) => out.push(t),
        (t) => err.push(t),
        {},
        {},
      );
      expect(code, err.join('')).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    for (const [index, word] of args.entries()) if (['--html', '--out'].includes(args[index - 1] ?? '')) expect(existsSync(word)).toBe(true);
  });
});

describe('links between the README and docs/', () => {
  it.each(DOCS.map((file) => [file.slice(ROOT.length), file] as const))('%s: every relative link leads to a file that exists', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const links = [...text.matchAll(/\]\(([^)#\s]+)(#[^)\s]*)?\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/.test(target));
    for (const target of links) expect(existsSync(resolve(dirname(file), target)), `${file}: ${target}`).toBe(true);
  });
});
