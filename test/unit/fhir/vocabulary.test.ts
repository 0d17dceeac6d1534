import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  IMAGE_GUIDANCE_CODES,
  INTRAFRACTION_CODES,
  MODALITY_CODES,
  MOTION_CODES,
  NULL_FLAVOR,
  RADIOTHERAPY_PROCEDURE_CODES,
  radiotherapyBillingCode,
  TECHNIQUE_CODES,
} from '../../../src/fhir/vocabulary.js';
import { sharedAvailable, sharedPath } from '../../helpers/shared.js';

/**
 * The vocabularies against the published mCODE STU4 package (hl7.fhir.us.mcode 4.0.0 from the npm registry), read
 * here straight from its files rather than through the module under test: every code of its radiotherapy modality
 * and technique value sets must be known, and every code HL7's CodeX RT examples use must be too.
 */
const packageDir = dirname(createRequire(import.meta.url).resolve('hl7.fhir.us.mcode/package.json'));
interface ValueSetFile {
  url: string;
  compose: { include: { system?: string; concept?: { code: string }[]; valueSet?: string[] }[] };
}
const valueSets = new Map(
  readdirSync(packageDir)
    .filter((f) => f.startsWith('ValueSet-'))
    .map((f) => JSON.parse(readFileSync(join(packageDir, f), 'utf8')) as ValueSetFile)
    .map((vs) => [vs.url, vs]),
);
function codesOf(url: string): string[] {
  const vs = valueSets.get(url);
  if (!vs) throw new Error(`no ${url} in the package`);
  return vs.compose.include.flatMap((inc) => [
    ...(inc.valueSet ?? []).flatMap(codesOf),
    ...(inc.concept ?? []).map((c) => `${inc.system}|${c.code}`),
  ]);
}
const MCODE = 'http://hl7.org/fhir/us/mcode/ValueSet/';

describe('value sets from the mCODE STU4 package', () => {
  it('the package is mCODE 4.0.0', () => {
    expect(JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'))).toMatchObject({ name: 'hl7.fhir.us.mcode', version: '4.0.0' });
  });

  it('every code of mcode-radiotherapy-modality-vs has a meaning (UNC apart, which is the null flavor)', () => {
    const codes = codesOf(`${MCODE}mcode-radiotherapy-modality-vs`);
    expect(codes.length).toBeGreaterThanOrEqual(12);
    for (const code of codes) {
      if (code.startsWith(`${NULL_FLAVOR}|`)) continue;
      expect(MODALITY_CODES.has(code), code).toBe(true);
    }
  });

  it('every code of mcode-radiotherapy-technique-vs is known (those that decide no level are known and ignored)', () => {
    const codes = codesOf(`${MCODE}mcode-radiotherapy-technique-vs`);
    expect(codes.length).toBeGreaterThanOrEqual(15);
    for (const code of codes) {
      if (code.startsWith(`${NULL_FLAVOR}|`)) continue;
      expect(TECHNIQUE_CODES.has(code), code).toBe(true);
    }
  });

  it('UNC is in both value sets: the published way to say "un-encoded"', () => {
    expect(codesOf(`${MCODE}mcode-radiotherapy-modality-vs`)).toContain(`${NULL_FLAVOR}|UNC`);
    expect(codesOf(`${MCODE}mcode-radiotherapy-technique-vs`)).toContain(`${NULL_FLAVOR}|UNC`);
  });

  it.each([
    ['http://snomed.info/sct|1156506007', 'photon'],
    ['http://snomed.info/sct|45643008', 'electron'],
    ['http://snomed.info/sct|10611004', 'proton'],
    ['http://snomed.info/sct|394902000', 'brachytherapy'],
    ['http://snomed.info/sct|169359004', 'brachytherapy'],
    ['http://snomed.info/sct|440252007', 'radiopharmaceutical'],
  ])('modality %s means %s', (code, meaning) => {
    expect(MODALITY_CODES.get(code)).toBe(meaning);
  });

  it.each([
    ['http://snomed.info/sct|1156530009', 'imrt'],
    ['http://snomed.info/sct|441799006', 'imrt'],
    ['http://snomed.info/sct|1162782007', '3d-crt'],
    ['http://snomed.info/sct|1156526006', '2d'],
    ['http://snomed.info/sct|113120007', null],
    ['http://snomed.info/sct|168524008', null],
    ['http://snomed.info/sct|1156528007', null],
  ])('technique %s means %s', (code, meaning) => {
    expect(TECHNIQUE_CODES.get(code)).toBe(meaning);
  });
});

describe.skipIf(!sharedAvailable)('codes in HL7 CodeX RT examples (../shared/examples/codex-ig)', () => {
  const examples = pathToFileURL(`${sharedPath('examples', 'codex-ig')}/`);
  const extensions = (
    resource: unknown,
  ): { url: string; extension?: unknown[]; valueCodeableConcept?: { coding?: { system: string; code: string }[] } }[] =>
    ((resource as { extension?: unknown[] }).extension ?? []) as never;
  const used = new Map<string, Set<string>>();
  for (const file of sharedAvailable ? readdirSync(examples).filter((f) => f.endsWith('.json')) : []) {
    const bundle = JSON.parse(readFileSync(new URL(file, examples), 'utf8')) as { entry: { resource: unknown }[] };
    for (const { resource } of bundle.entry) {
      for (const ext of extensions(resource)) {
        const walk = (
          node: { url: string; extension?: unknown[]; valueCodeableConcept?: { coding?: { system: string; code: string }[] } },
          path: string,
        ) => {
          for (const c of node.valueCodeableConcept?.coding ?? []) used.set(path, (used.get(path) ?? new Set()).add(`${c.system}|${c.code}`));
          for (const child of (node.extension ?? []) as (typeof node)[]) walk(child, `${path}>${child.url.split('/').pop()}`);
        };
        walk(ext, ext.url.split('/').pop()!);
      }
    }
  }
  const codes = (path: string) => [...(used.get(path) ?? [])];

  it('every modality, technique, guidance and motion code they use is known', () => {
    const checks: [string, ReadonlyMap<string, unknown>][] = [
      ['mcode-radiotherapy-modality-and-technique>mcode-radiotherapy-modality', MODALITY_CODES],
      ['mcode-radiotherapy-modality-and-technique>mcode-radiotherapy-technique', TECHNIQUE_CODES],
      ['codexrt-image-guided-radiotherapy-modality>modality', IMAGE_GUIDANCE_CODES],
      ['codexrt-intrafraction-verification>procedure', INTRAFRACTION_CODES],
      ['codexrt-radiotherapy-respiratory-motion-management', MOTION_CODES],
      ['codexrt-radiotherapy-free-breathing-motion-mgmt-technique', MOTION_CODES],
    ];
    for (const [path, table] of checks) {
      expect(codes(path).length, path).toBeGreaterThan(0);
      for (const code of codes(path)) if (!code.startsWith(`${NULL_FLAVOR}|`)) expect(table.has(code), `${path}: ${code}`).toBe(true);
    }
  });
});

describe('radiotherapy without the CodeX RT structure (D-UNSTRUCTURED)', () => {
  const CPT = 'http://www.ama-assn.org/go/cpt';
  it.each([
    [CPT, '77261', 'supporting'],
    [CPT, '77300', 'supporting'],
    [CPT, '77336', 'supporting'],
    [CPT, '77373', 'delivery'],
    [CPT, '77387', 'delivery'],
    [CPT, '77412', 'delivery'],
    [CPT, '77427', 'supporting'],
    [CPT, '77523', 'delivery'],
    [CPT, '77605', 'supporting'],
    [CPT, '77770', 'delivery'],
    [CPT, '77799', 'delivery'],
    [CPT, '77260', null],
    [CPT, '77800', null],
    [CPT, 'G6001', 'delivery'],
    [CPT, 'G6017', 'delivery'],
    [CPT, 'G6018', null],
    ['https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', 'G6015', 'delivery'],
    ['http://snomed.info/sct', '77412', null],
  ])('D-UNSTRUCTURED: %s %s records %s', (system, code, expected) => {
    expect(radiotherapyBillingCode(system, code)).toBe(expected);
  });

  it('SNOMED radiotherapy procedures include the mCODE value sets and common EHR concepts, not imaging', () => {
    expect(RADIOTHERAPY_PROCEDURE_CODES.has('http://snomed.info/sct|1156506007')).toBe(true);
    expect(RADIOTHERAPY_PROCEDURE_CODES.has('http://snomed.info/sct|33195004')).toBe(true);
    expect(RADIOTHERAPY_PROCEDURE_CODES.has('http://snomed.info/sct|77477000')).toBe(false);
    expect(RADIOTHERAPY_PROCEDURE_CODES.has(`${NULL_FLAVOR}|UNC`)).toBe(false);
  });
});
