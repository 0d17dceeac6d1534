#!/usr/bin/env node
// Writes the project's fixtures from its own scenarios (scripts/scenarios.mjs):
//   test/fixtures/scenarios/NAME.bundle.json + NAME.expected.json   every scenario, in the case format of the tests
//   fixtures/NAME.json + fixtures/index.json                           the embedded demo's patients (npm start)
// Run: node scripts/make-fixtures.mjs           (the output is committed)
//      node scripts/make-fixtures.mjs --check   (exit 1 naming each file that differs from what it would write)
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS } from './scenarios.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIO_DIR = join(ROOT, 'test', 'fixtures', 'scenarios');
const DEMO_DIR = join(ROOT, 'fixtures');
const DEMO_BASE = 'urn:rt-billing-demo:';

const json = (value) => `${JSON.stringify(value, null, 1)}\n`;

/** Every file this script owns, by path, with its content. */
export function fixtureFiles() {
  const files = new Map();
  const index = [];
  for (const scenario of SCENARIOS) {
    const record = scenario.build();
    files.set(join(SCENARIO_DIR, `${scenario.name}.bundle.json`), json(record.bundle()));
    files.set(join(SCENARIO_DIR, `${scenario.name}.expected.json`), json(scenario.expected));
    if (!scenario.demo) continue;
    // In the demo the patient is named after the scenario's title, so that the patient list reads as a menu.
    const demo = record.bundle(DEMO_BASE.slice(0, -1));
    demo.id = `demo-${scenario.tag}`;
    for (const entry of demo.entry) {
      entry.fullUrl = `${DEMO_BASE}${entry.resource.resourceType}/${entry.resource.id}`;
      if (entry.resource.resourceType === 'Patient') entry.resource = { ...entry.resource, name: [{ family: 'Demo', given: [scenario.demo.title] }] };
    }
    files.set(join(DEMO_DIR, `${scenario.name}.json`), json(demo));
    index.push({ patient: record.patientId, title: scenario.demo.title, description: scenario.demo.description, case: scenario.name });
  }
  files.set(join(DEMO_DIR, 'index.json'), json({ patients: index }));
  return files;
}

/** Files in the generated folders that this script would not write (left over from a renamed scenario). */
function strayFiles(files) {
  const owned = (dir, keep) =>
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && keep(e.name))
      .map((e) => join(dir, e.name));
  const existing = [...owned(SCENARIO_DIR, (name) => name.endsWith('.json')), ...owned(DEMO_DIR, (name) => name.endsWith('.json'))];
  return existing.filter((path) => !files.has(path));
}

function main(args) {
  const files = fixtureFiles();
  mkdirSync(SCENARIO_DIR, { recursive: true });
  mkdirSync(DEMO_DIR, { recursive: true });
  if (args.includes('--check')) {
    const read = (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return null;
      }
    };
    const differ = [...files].filter(([path, content]) => read(path) !== content).map(([path]) => path);
    const stray = strayFiles(files);
    for (const path of differ) console.error(`differs from scripts/make-fixtures.mjs: ${relative(ROOT, path)}`);
    for (const path of stray) console.error(`not written by scripts/make-fixtures.mjs: ${relative(ROOT, path)}`);
    if (differ.length + stray.length > 0) {
      console.error('run: node scripts/make-fixtures.mjs');
      process.exit(1);
    }
    console.log(`${files.size} fixture files are up to date`);
    return;
  }
  for (const path of strayFiles(files)) rmSync(path);
  for (const [path, content] of files) writeFileSync(path, content);
  console.log(`wrote ${files.size} fixture files (${relative(ROOT, SCENARIO_DIR)}, ${relative(ROOT, DEMO_DIR)})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
