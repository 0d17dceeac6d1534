import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { CASES_DIR } from './shared.js';

/**
 * The project's own scenarios (written by scripts/make-fixtures.mjs from scripts/scenarios.mjs): one made-up patient
 * each, with the answer the rules give. Tests that need a record for a general purpose (hooks, API, CLI, security)
 * take it from here; the golden cases in ../shared/cases are the acceptance tests (test/helpers/shared.ts).
 */
export const SCENARIOS_DIR = fileURLToPath(new URL('../fixtures/scenarios/', import.meta.url));

export interface ExpectedSession {
  fractions: string[];
  deliveryCode?: string | null;
  supportedDeliveryCode?: string | null;
  igrtProfessional?: string | null;
  igrtStatus?: string;
  outOfFamilyContains?: string;
  findingRules: string[];
  absentFindingRules: string[];
}

export interface ExpectedOrder {
  order: string;
  expectedDeliveryCode: string | null;
  findingRules: string[];
  absentFindingRules: string[];
}

/** A summary entry (`phases[]`) with the fields the expected file gives. */
export interface ExpectedPhase {
  procedure: string;
  kind?: string;
  fractionsDelivered?: number;
  fractionRecords?: number;
  deliveryCode?: string | null;
  igrtProfessional?: string | null;
  findingRules: string[];
}

export interface GoldenCase {
  name: string;
  bundle: unknown;
  expected: {
    description: string;
    rules: string[];
    sessions: ExpectedSession[];
    orders: ExpectedOrder[];
    notBilled?: string[];
    sessionCount?: number;
    topFindingRules?: string[];
    absentTopFindingRules?: string[];
    phases?: ExpectedPhase[];
  };
}

/** The cases of a folder in the case format (`X.bundle.json` beside `X.expected.json`). */
export function goldenCases(dir: string): GoldenCase[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.bundle.json'))
    .sort()
    .map((file) => {
      const name = file.replace('.bundle.json', '');
      return {
        name,
        bundle: JSON.parse(readFileSync(join(dir, file), 'utf8')),
        expected: JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8')),
      };
    });
}

let scenarios: GoldenCase[] | undefined;

/** Every scenario of the project (test/fixtures/scenarios). */
export function allScenarios(): GoldenCase[] {
  scenarios ??= goldenCases(SCENARIOS_DIR);
  return scenarios;
}

/** One scenario by its tag, the prefix of its name and of its resource ids (`a1`, `ig`, `au`…). */
export function scenario(tag: string): GoldenCase {
  const found = allScenarios().find((c) => c.name.startsWith(`${tag}-`));
  if (!found) throw new Error(`no scenario ${tag} in test/fixtures/scenarios`);
  return found;
}

/** The path of a scenario's bundle file (for the CLI and department runs). */
export const scenarioFile = (tag: string): string => join(SCENARIOS_DIR, `${scenario(tag).name}.bundle.json`);

/** The id of the demo patient (fixtures/index.json) made from the scenario with this tag: `a4` → `a4-pt-…`. */
export function demoPatient(tag: string): string {
  const index = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/index.json', import.meta.url)), 'utf8')) as {
    patients: { patient: string }[];
  };
  const found = index.patients.find((p) => p.patient.startsWith(`${tag}-`));
  if (!found) throw new Error(`no demo patient ${tag} in fixtures/index.json`);
  return found.patient;
}

export { CASES_DIR };

/**
 * One golden case of ../shared/cases by name: acceptance material kept outside the repository. Use it only under
 * `describe.skipIf(!sharedAvailable)` (test/helpers/shared.ts); for a record to exercise the service, take a scenario.
 */
export function goldenCase(name: string): GoldenCase {
  const found = goldenCases(CASES_DIR).find((c) => c.name === name);
  if (!found) throw new Error(`no golden case ${name} in ${CASES_DIR}`);
  return found;
}
