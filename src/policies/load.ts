import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type * as FhirPath from 'fhirpath';
import type * as Yaml from 'yaml';
import { z } from 'zod';
import type { EditVariables, PayerPolicy } from '../engine/policy.js';
import { PROJECT_ROOT } from '../paths.js';

/** The shipped policies (spec P): Medicare national, Medicaid CA/TX/MA, an NIA-managed plan, Priority Health. */
export const SHIPPED_POLICY_DIR = join(PROJECT_ROOT, 'policies');

/**
 * The shipped policies as the YAML reader reads them, written by the build (`npm run build`): loading and running the
 * YAML reader costs every CLI call 70 ms, half of a one-Bundle `evaluate`. Used only for a text identical to the one
 * read at build time; any other text (an edited file, a department's folder) is read as YAML.
 */
export const POLICY_SNAPSHOT = join(PROJECT_ROOT, 'dist', 'policies-read.json');

/** YAML dates (`from: 2026-01-01`) kept as dates through JSON: `{"$date": ISO}`. */
const DATE_TAG = '$date';
function tagged(value: unknown): unknown {
  if (value instanceof Date) return { [DATE_TAG]: value.toISOString() };
  if (Array.isArray(value)) return value.map(tagged);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tagged(v)]));
  return value;
}
const untagged = (_key: string, value: unknown): unknown =>
  value !== null &&
  typeof value === 'object' &&
  !Array.isArray(value) &&
  Object.keys(value).length === 1 &&
  typeof (value as Record<string, unknown>)[DATE_TAG] === 'string'
    ? new Date((value as Record<string, string>)[DATE_TAG]!)
    : value;

/** Policy texts already read, by text, for each snapshot file. */
const readAtBuild = new Map<string, Map<string, unknown>>();
function fromSnapshot(text: string, file: string): unknown {
  let known = readAtBuild.get(file);
  if (!known) {
    known = new Map();
    readAtBuild.set(file, known);
    try {
      const entries = JSON.parse(readFileSync(file, 'utf8'), untagged) as { text: string; document: unknown }[];
      for (const { text: read, document } of entries) known.set(read, document);
    } catch {
      // No snapshot (running from src/, or not built yet): every file is read as YAML.
    }
  }
  return known.get(text);
}

/** The YAML reader, loaded when a text is not in the snapshot. */
let yamlModule: typeof Yaml | undefined;
const yaml = (): typeof Yaml => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml);

/** A policy text's document, or where it is not valid YAML. */
function documentOf(file: string, text: string, snapshot: string): unknown {
  const known = fromSnapshot(text, snapshot);
  if (known !== undefined) return known;
  const document = yaml().parseDocument(text, { prettyErrors: true });
  const broken = document.errors[0];
  if (broken) {
    const at = broken.linePos?.[0];
    throw new PolicyError(file, at ? `line ${at.line}, column ${at.col}` : '(file)', `not valid YAML (${broken.code})`);
  }
  return document.toJS();
}

/**
 * Writes the snapshot of the shipped policies (run by the build). A document that JSON would not give back identical
 * (anything but plain values and dates) is left out: it is read as YAML at run time.
 */
export function writePolicySnapshot(dir: string = SHIPPED_POLICY_DIR, file: string = POLICY_SNAPSHOT): number {
  const entries: { text: string; document: unknown }[] = [];
  // A build without the policies folder (a container's build stage that did not copy it) writes an empty snapshot.
  for (const path of existsSync(dir) ? policyFiles(dir) : []) {
    const text = readFileSync(path, 'utf8');
    const document = yaml().parseDocument(text, { prettyErrors: true });
    if (document.errors.length > 0) continue;
    const value: unknown = document.toJS();
    const entry = { text, document: tagged(value) };
    if (isDeepStrictEqual((JSON.parse(JSON.stringify(entry), untagged) as typeof entry).document, value)) entries.push(entry);
  }
  writeFileSync(file, `${JSON.stringify(entries)}\n`);
  return entries.length;
}

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD');
/** YAML reads an unquoted 2026-01-01 as a date: accept it as its calendar day. */
const DayText = z.preprocess((value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value), Day);
const Code = z.string().regex(/^[0-9A-Z]{5}(-(26|TC))?$/, 'must be a CPT/HCPCS code, with -26 or -TC when a component');

const Rate = z
  .object({
    code: Code,
    setting: z.enum(['non-facility', 'facility']).optional(),
    amount: z.number().nonnegative().nullable(),
    note: z.string().optional(),
    from: DayText,
    to: DayText.optional(),
  })
  .strict();

const Edit = z
  .object({
    id: z.string().regex(/^[A-Z0-9][A-Z0-9-]*$/, 'must be upper-case letters, digits and dashes'),
    message: z.string().min(1),
    severity: z.enum(['info', 'warning', 'critical']),
    source: z.string().min(1),
    when: z.string().min(1),
  })
  .strict();

const Port = z.union([
  z.literal('bundled'),
  z
    .object({
      everyFractions: z.number().int().positive(),
      notInLastFractions: z.number().int().nonnegative(),
      unitsPerCharge: z.number().int().positive(),
      notWithIgrt: z.boolean(),
    })
    .strict(),
]);

/** The policy file format (README "Payer policies"): every field checked, unknown fields refused. */
export const PolicyFile = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
    version: z.union([z.string(), z.number()]).transform(String),
    name: z.string().min(1),
    source: z.string().min(1),
    effective: z.object({ from: DayText, to: DayText.optional() }).strict(),
    fallback: z.boolean().optional(),
    applies: z
      .object({
        coverageTypes: z.array(z.enum(['medicare', 'medicaid', 'commercial', 'other'])).optional(),
        payorIdentifiers: z.array(z.string().min(1)).optional(),
        payorNames: z.array(z.string().min(1)).optional(),
        states: z.array(z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter state')).optional(),
      })
      .strict()
      .refine((a) => Object.values(a).some((list) => list.length > 0), 'must name at least one coverage type, payor or state'),
    codeSet: z
      .object({ delivery: z.enum(['2026', 'legacy']), until: DayText.optional(), note: z.string().optional() })
      .strict()
      .optional(),
    igrt: z
      .object({
        paid: z.array(z.enum(['26', 'TC', 'global'])),
        technicalWith: z.array(z.enum(['2d', '3d-crt', 'imrt'])).optional(),
        with2d: z.enum(['not-medically-necessary', 'covered', 'unspecified']).optional(),
      })
      .strict()
      .optional(),
    port: Port.optional(),
    authorization: z
      .object({ codes: z.array(Code) })
      .strict()
      .optional(),
    rates: z.array(Rate).optional(),
    edits: z.array(Edit).optional(),
  })
  .strict();

/** A policy file that cannot be used: names the file and the field (or the YAML line and column). */
export class PolicyError extends Error {
  constructor(
    readonly file: string,
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${file}: ${where}: ${problem}`);
    this.name = 'PolicyError';
  }
}

const fieldPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '') || '(file)';

/**
 * FHIRPath, loaded with the first policy that has edits (80 ms at every start otherwise; no shipped policy has one).
 * Synchronous, as loading the policies is: the package's CommonJS build.
 */
let fhirpathModule: typeof FhirPath | undefined;
const fhirpath = (): typeof FhirPath => (fhirpathModule ??= createRequire(import.meta.url)('fhirpath') as typeof FhirPath);

/** Compiles a P-EDIT condition once; the result evaluates it over a session with the documented variables. */
function compileEdit(file: string, index: number, expression: string): (session: unknown, variables: EditVariables) => unknown[] {
  try {
    const compiled = fhirpath().compile(expression, undefined);
    return (session, variables) => compiled(session as object, { ...variables } as Record<string, unknown>) as unknown[];
  } catch (error) {
    // The library's message names the expression's token, not any patient data.
    throw new PolicyError(file, `edits[${index}].when`, `not a FHIRPath expression (${(error as Error).message.split('\n')[0]})`);
  }
}

/** Reads and checks one policy file (YAML or JSON). Throws PolicyError naming the file and the field. */
export function readPolicy(path: string, text: string = readFileSync(path, 'utf8'), snapshot: string = POLICY_SNAPSHOT): PayerPolicy {
  const file = basename(path);
  const parsed = PolicyFile.safeParse(documentOf(file, text, snapshot));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PolicyError(file, fieldPath(issue.path), issue.message);
  }
  const p = parsed.data;
  return {
    id: p.id,
    version: p.version,
    name: p.name,
    source: p.source,
    file,
    effective: { from: p.effective.from, to: p.effective.to ?? null },
    fallback: p.fallback ?? false,
    applies: {
      coverageKinds: p.applies.coverageTypes ?? [],
      payorIdentifiers: p.applies.payorIdentifiers ?? [],
      payorNames: p.applies.payorNames ?? [],
      states: p.applies.states ?? [],
    },
    codeSet: { delivery: p.codeSet?.delivery ?? '2026', until: p.codeSet?.until ?? null, note: p.codeSet?.note ?? null },
    igrt: { paid: p.igrt?.paid ?? ['26'], technicalWith: p.igrt?.technicalWith ?? [], with2d: p.igrt?.with2d ?? 'unspecified' },
    port:
      p.port === undefined || p.port === 'bundled'
        ? { kind: 'bundled' }
        : {
            kind: 'edits',
            everyFractions: p.port.everyFractions,
            notInLastFractions: p.port.notInLastFractions,
            unitsPerCharge: p.port.unitsPerCharge,
            notWithIgrt: p.port.notWithIgrt,
          },
    authorization: { codes: p.authorization?.codes ?? [] },
    rates: (p.rates ?? []).map((r) => ({
      code: r.code,
      setting: r.setting ?? null,
      amount: r.amount,
      note: r.note ?? null,
      from: r.from,
      to: r.to ?? null,
    })),
    edits: (p.edits ?? []).map((e, index) => ({
      id: e.id,
      message: e.message,
      severity: e.severity,
      source: e.source,
      expression: e.when,
      evaluate: compileEdit(file, index, e.when),
    })),
  };
}

const POLICY_FILE = /\.(ya?ml|json)$/i;

/** The policy files of a folder, in name order. */
function policyFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new PolicyError(basename(dir), '(folder)', `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return names
    .filter((name) => POLICY_FILE.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/**
 * The policies in force: the shipped ones, and a department's folder whose files add payers or replace a shipped
 * policy of the same id. Throws PolicyError on the first bad file; two files with one id in a folder are an error.
 */
export function loadPolicies(departmentDir: string | null = null, shippedDir: string = SHIPPED_POLICY_DIR): PayerPolicy[] {
  const byId = new Map<string, PayerPolicy>();
  for (const dir of [shippedDir, ...(departmentDir ? [departmentDir] : [])]) {
    const seen = new Set<string>();
    for (const path of policyFiles(dir)) {
      const policy = readPolicy(path);
      if (seen.has(policy.id)) throw new PolicyError(policy.file, 'id', `"${policy.id}" is already used by another file in the folder`);
      seen.add(policy.id);
      byId.set(policy.id, policy);
    }
  }
  const policies = [...byId.values()];
  if (policies.filter((p) => p.fallback).length > 1)
    throw new PolicyError(policies.filter((p) => p.fallback)[1]!.file, 'fallback', 'only one policy may be the fallback');
  return policies;
}
