import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RULE_CATALOG } from '../../../src/engine/rules/index.js';
import { sharedAvailable, sharedPath } from '../../helpers/shared.js';

const ENGINE = fileURLToPath(new URL('../../../src/engine/', import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

describe('the engine is pure', () => {
  it.each(files(ENGINE).map((f) => [f.slice(ENGINE.length), f]))('%s does no I/O and reads no clock', (_name, file) => {
    const source = readFileSync(file, 'utf8');
    expect(source).not.toMatch(/from ['"](node:|express|fs|http|pino|fhirpath)/);
    expect(source).not.toMatch(/process\.env|Date\.now\(|new Date\(\)/);
  });

  it.each(files(ENGINE).map((f) => [f.slice(ENGINE.length), f]))('%s speaks in domain facts: no FHIR reading, no code systems', (_name, file) => {
    const source = readFileSync(file, 'utf8');
    expect(source).not.toMatch(/from ['"](\.\.\/)+(fhir|cds|api)\//);
    expect(source).not.toMatch(/snomed\.info\/sct|ama-assn\.org\/go\/cpt|\/StructureDefinition\/|\/CodeSystem\//);
  });

  it('rules contain no literal CPT or SNOMED codes (they live in tables/)', () => {
    for (const file of files(join(ENGINE, 'rules'))) {
      const code = readFileSync(file, 'utf8').replace(/\/\*\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/['"](77\d{3}|G\d{4}|\d{9,})['"]/);
    }
  });

  it.skipIf(!sharedAvailable)('every rule of the spec (../shared/spec/billing-rules.md) is in the catalog, once', () => {
    const spec = readFileSync(sharedPath('spec', 'billing-rules.md'), 'utf8');
    const ids = [...new Set([...spec.matchAll(/\| ([DAIC]-[A-Z0-9-]+) \|/g)].map((m) => m[1]))];
    const catalog = RULE_CATALOG.map((r) => r.id);
    expect(ids.length).toBeGreaterThan(25);
    for (const id of ids) expect(catalog, id).toContain(id);
    expect(new Set(catalog).size).toBe(catalog.length);
  });
});
