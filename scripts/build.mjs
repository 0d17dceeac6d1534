#!/usr/bin/env node
// The one build: the service (tsc) and the reviewer app (vite), then a stamp listing what it was built from.
// `node scripts/build.mjs --if-stale` builds only when a source is newer than the last build (npm test uses it:
// `npm install` has just built, so the tests do not build a second time).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = 'dist/.build-stamp';
/** What the build reads: a change to any of these makes dist/ stale. */
const SOURCES = [
  'src',
  'cds-services',
  'bench',
  'smart-app',
  'policies',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
];
const SKIP = new Set(['node_modules', 'dist']);

function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const name of readdirSync(path)) if (!SKIP.has(name)) latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

const ifStale = process.argv.includes('--if-stale');
if (ifStale && existsSync(STAMP) && statSync(STAMP).mtimeMs >= Math.max(...SOURCES.map(newest))) {
  console.log('build: dist/ is up to date (built after the last change to the sources); not building again');
  process.exit(0);
}
const run = (command, args) => execFileSync(command, args, { stdio: 'inherit' });
run('npx', ['--no-install', 'tsc', '-p', 'tsconfig.build.json']);
// The shipped payer policies read once here (dist/policies-read.json): each CLI call then skips the YAML reader. A
// policy whose text differs from the one read here is read as YAML at run time, so a stale snapshot changes nothing.
run('node', ['--input-type=module', '-e', "(await import('./dist/src/policies/load.js')).writePolicySnapshot()"]);
run('npx', ['--no-install', 'vite', 'build', '--config', 'smart-app/vite.config.ts']);
writeFileSync(STAMP, `${new Date().toISOString()}\n`);
