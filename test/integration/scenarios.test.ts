import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { determineBundle } from '../../src/pipeline.js';
import { allScenarios, goldenCases } from '../helpers/cases.js';
import { AS_OF } from '../helpers/facts.js';
import { r4Errors } from '../helpers/fhir-validate.js';
import { goldenCaseChecks } from '../helpers/golden-checks.js';
import { CASES_DIR, CHARGE_CASES_DIR, REPO_ROOT, sharedAvailable, sharedPath } from '../helpers/shared.js';

/**
 * The project's own scenarios (scripts/scenarios.mjs → test/fixtures/scenarios and the demo in fixtures/): each gives
 * the answer written for it from the rules, the committed files are what the generator writes, and every resource is
 * valid FHIR R4. With the shared acceptance material beside the repository, no fixture carries its text.
 */
type Resource = { resourceType: string; id?: string };
type Bundle = { entry: { fullUrl?: string; resource: Resource }[] };

const scenarios = allScenarios();
const DEMO_DIR = join(REPO_ROOT, 'fixtures');
const demoIndex = JSON.parse(readFileSync(join(DEMO_DIR, 'index.json'), 'utf8')) as { patients: { patient: string; case: string }[] };
const demoBundles = readdirSync(DEMO_DIR)
  .filter((f) => f.endsWith('.json') && f !== 'index.json')
  .map((f) => [f, JSON.parse(readFileSync(join(DEMO_DIR, f), 'utf8')) as Bundle] as const);

describe('scenarios (test/fixtures/scenarios)', () => {
  it('finds the scenarios, each with a description of its own', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(15);
    for (const s of scenarios) expect(s.expected.description.length, s.name).toBeGreaterThan(40);
  });

  describe.each(scenarios.map((c) => [c.name, c] as const))('%s', (_name, golden) => {
    goldenCaseChecks(golden, determineBundle(golden.bundle, { asOf: AS_OF }));
  });
});

describe('the generated fixtures', () => {
  it('are what scripts/make-fixtures.mjs writes (run it after changing a scenario)', () => {
    let output = '';
    try {
      output = execFileSync('node', ['scripts/make-fixtures.mjs', '--check'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      expect.fail((error as { stderr?: string }).stderr ?? String(error));
    }
    expect(output).toMatch(/up to date/);
  });

  it('give every scenario its own patient, and every resource id its scenario’s tag', () => {
    const patients = scenarios.map((s) => (s.bundle as Bundle).entry.filter((e) => e.resource.resourceType === 'Patient').map((e) => e.resource.id));
    for (const ids of patients) expect(ids).toHaveLength(1);
    expect(new Set(patients.flat()).size).toBe(scenarios.length);
    // Besides the clinic's resources (physicians, linac, room, payers: the same in every record), a record's ids all
    // start with its tag, so that the records can share one FHIR server (the demo) and one department export.
    const ids = scenarios.map((s) => (s.bundle as Bundle).entry.map((e) => `${e.resource.resourceType}/${e.resource.id}`));
    const clinic = ids[0]!.filter((id) => ids.every((other) => other.includes(id)));
    expect(clinic.length).toBeLessThanOrEqual(8);
    scenarios.forEach((s, i) => {
      const tag = s.name.split('-')[0]!;
      expect(
        ids[i]!.filter((id) => !clinic.includes(id) && !id.split('/')[1]!.startsWith(`${tag}-`)),
        s.name,
      ).toEqual([]);
    });
  });

  it('list in the demo index a patient of each demo file', () => {
    const demoPatients = demoBundles.flatMap(([, b]) => b.entry.filter((e) => e.resource.resourceType === 'Patient').map((e) => e.resource.id));
    expect(demoIndex.patients.map((p) => p.patient).sort()).toEqual([...demoPatients].sort());
    for (const p of demoIndex.patients) expect(scenarios.map((s) => s.name)).toContain(p.case);
  });

  it('are valid FHIR R4, resource by resource (scenarios and demo)', () => {
    const bundles = [...scenarios.map((s) => [s.name, s.bundle as Bundle] as const), ...demoBundles];
    const errors = bundles.flatMap(([name, bundle]) =>
      bundle.entry.flatMap(({ resource }) => r4Errors(resource).map((e) => `${name} ${resource.resourceType}/${resource.id} ${e}`)),
    );
    expect(errors).toEqual([]);
  });
});

/** Every string value in a JSON document. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

/** The JSON files the repository holds (not its dependencies or build output). */
function repositoryJson(dir = REPO_ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (['node_modules', 'dist', '.git'].includes(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return repositoryJson(path);
    return entry.name.endsWith('.json') && !['package.json', 'package-lock.json'].includes(entry.name) && !entry.name.startsWith('tsconfig')
      ? [path]
      : [];
  });
}

describe.skipIf(!sharedAvailable)('no text from the shared acceptance material in the repository’s JSON fixtures', () => {
  const golden = sharedAvailable ? [...goldenCases(CASES_DIR), ...goldenCases(CHARGE_CASES_DIR)] : [];
  const examples = sharedAvailable
    ? readdirSync(sharedPath('examples', 'codex-ig'))
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(sharedPath('examples', 'codex-ig', f), 'utf8')) as Bundle)
    : [];
  const resources = golden.flatMap((c) => (c.bundle as Bundle).entry.map((e) => e.resource));
  const patients = resources.filter((r) => r.resourceType === 'Patient') as (Resource & {
    identifier?: { value?: string }[];
    name?: { family?: string; given?: string[] }[];
  })[];
  /** Whole values that must not appear: golden patient ids, MRNs and names, HL7 example resource ids. */
  const values = new Set([
    ...patients.flatMap((p) => [
      p.id!,
      ...(p.identifier ?? []).map((i) => i.value!),
      ...(p.name ?? []).flatMap((n) => [n.family!, ...(n.given ?? [])]),
    ]),
    ...examples.flatMap((b) => b.entry.map((e) => e.resource.id!)).filter((id) => id.length >= 8),
  ]);
  /** Text that must not appear inside any value: descriptions and the free text of the golden records. */
  const texts = [
    ...golden.map((c) => c.expected.description),
    ...resources.flatMap((r) => strings(r)).filter((s) => s.length >= 24 && s.includes(' ') && !/^https?:/.test(s)),
  ];

  it.each(repositoryJson().map((path) => [relative(REPO_ROOT, path), path] as const))('%s', (_name, path) => {
    const found = strings(JSON.parse(readFileSync(path, 'utf8')));
    const copied = [
      ...found.filter((s) => values.has(s) || [...values].some((v) => v.length >= 8 && s.includes(v))),
      ...found.filter((s) => texts.some((t) => s.includes(t))),
    ];
    expect(copied).toEqual([]);
  });
});
