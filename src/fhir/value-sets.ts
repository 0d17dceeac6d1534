import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * mCODE STU4's radiotherapy value sets, read from the published package (`hl7.fhir.us.mcode` 4.0.0 on the npm
 * registry) rather than typed from memory: what the service knows of modality and technique codes is exactly what
 * HL7 published. Expanded once, at start-up, from each ValueSet's `compose` (concept lists and included value sets;
 * mCODE's radiotherapy value sets use no filters, and one that did would stop the start rather than be half read).
 */
const MCODE_VALUE_SET = 'http://hl7.org/fhir/us/mcode/ValueSet/';

export const MCODE_VALUE_SETS = {
  radiotherapyModality: `${MCODE_VALUE_SET}mcode-radiotherapy-modality-vs`,
  radiotherapyTechnique: `${MCODE_VALUE_SET}mcode-radiotherapy-technique-vs`,
  teleradiotherapyModality: `${MCODE_VALUE_SET}mcode-teleradiotherapy-modality-vs`,
  brachytherapyModality: `${MCODE_VALUE_SET}mcode-brachytherapy-modality-vs`,
} as const;

/** One code of an expanded value set. */
export interface ValueSetCode {
  readonly system: string;
  readonly code: string;
  readonly display: string;
}

interface ValueSetResource {
  resourceType: 'ValueSet';
  url: string;
  compose?: {
    include?: { system?: string; concept?: { code: string; display?: string }[]; valueSet?: string[]; filter?: unknown[] }[];
    exclude?: unknown[];
  };
}

const packageDir = dirname(createRequire(import.meta.url).resolve('hl7.fhir.us.mcode/package.json'));

function loadPackageValueSets(): Map<string, ValueSetResource> {
  const byUrl = new Map<string, ValueSetResource>();
  for (const file of readdirSync(packageDir).filter((name) => name.startsWith('ValueSet-') && name.endsWith('.json'))) {
    const resource = JSON.parse(readFileSync(join(packageDir, file), 'utf8')) as ValueSetResource;
    byUrl.set(resource.url, resource);
  }
  return byUrl;
}

const valueSets = loadPackageValueSets();

function expand(url: string, seen: ReadonlySet<string> = new Set()): ValueSetCode[] {
  const valueSet = valueSets.get(url);
  if (!valueSet) throw new Error(`ValueSet ${url} is not in the hl7.fhir.us.mcode package`);
  if (seen.has(url)) throw new Error(`ValueSet ${url} includes itself`);
  if (valueSet.compose?.exclude?.length) throw new Error(`ValueSet ${url} excludes codes, which this reader does not expand`);
  const codes: ValueSetCode[] = [];
  for (const include of valueSet.compose?.include ?? []) {
    if (include.filter?.length) throw new Error(`ValueSet ${url} uses a filter, which this reader does not expand`);
    for (const nested of include.valueSet ?? []) codes.push(...expand(nested, new Set([...seen, url])));
    for (const concept of include.concept ?? [])
      codes.push({ system: include.system ?? '', code: concept.code, display: concept.display ?? concept.code });
  }
  const unique = new Map(codes.map((code) => [`${code.system}|${code.code}`, code]));
  return [...unique.values()];
}

/** The codes of an mCODE value set (its compose, expanded), each once. */
export function mcodeValueSet(url: string): readonly ValueSetCode[] {
  return expand(url);
}

/** `system|code` keys of an mCODE value set. */
export function mcodeValueSetKeys(url: string): ReadonlySet<string> {
  return new Set(expand(url).map((code) => `${code.system}|${code.code}`));
}
