import { z } from 'zod';

/**
 * Hostile input costs linear time and bounded memory: each limit below is a setting (an environment variable, read by
 * the service and the CLI alike), and input beyond it is refused with an error that names the limit — a 400 naming the
 * field for a request, an error record naming the file and line for a department run — never a crash.
 */
export interface InputLimits {
  /** Longest NDJSON line read, in bytes: checked while the line is read, before it is held as a string. */
  readonly maxLineBytes: number;
  /** Largest Bundle file a department run reads whole. */
  readonly maxBundleFileBytes: number;
  /** Deepest JSON nesting accepted (FHIR resources nest a dozen levels; a Bundle nested 700,000 levels is an attack). */
  readonly maxDepth: number;
  /** Most resources in one Bundle, or of one patient in a department run. */
  readonly maxResourcesPerPatient: number;
  /** Most references in one resource (a Procedure whose basedOn lists 50,000 plans is not a record). */
  readonly maxReferencesPerResource: number;
}

const positive = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

/** The settings and their defaults (README, Configuration). */
export const LimitSettings = z.object({
  MAX_NDJSON_LINE_BYTES: positive(8_000_000),
  MAX_BUNDLE_FILE_BYTES: positive(256_000_000),
  MAX_JSON_DEPTH: positive(64),
  MAX_RESOURCES_PER_PATIENT: positive(100_000),
  MAX_REFERENCES_PER_RESOURCE: positive(1_000),
});

export function inputLimits(settings: z.infer<typeof LimitSettings>): InputLimits {
  return {
    maxLineBytes: settings.MAX_NDJSON_LINE_BYTES,
    maxBundleFileBytes: settings.MAX_BUNDLE_FILE_BYTES,
    maxDepth: settings.MAX_JSON_DEPTH,
    maxResourcesPerPatient: settings.MAX_RESOURCES_PER_PATIENT,
    maxReferencesPerResource: settings.MAX_REFERENCES_PER_RESOURCE,
  };
}

export const DEFAULT_LIMITS: InputLimits = inputLimits(LimitSettings.parse({}));

let configured: InputLimits = DEFAULT_LIMITS;

/** The limits in force: the defaults, or what the process was started with (the service's configuration, the CLI's environment). */
export const limits = (): InputLimits => configured;

/** Sets the limits in force for the process (at start, from the parsed settings). */
export function useLimits(chosen: InputLimits): void {
  configured = chosen;
}

/** The limits from an environment (the CLI's; the service reads them with the rest of its configuration). */
export function limitsFromEnv(env: NodeJS.ProcessEnv): InputLimits | string {
  const parsed = LimitSettings.safeParse(env);
  if (parsed.success) return inputLimits(parsed.data);
  const issue = parsed.error.issues[0]!;
  return `${issue.path.join('.')}: ${issue.message}`;
}

/**
 * Whether JSON text nests deeper than `limit` (objects and arrays; brackets inside strings do not count). One pass over
 * the text, no parse: what a deeper text would cost to parse, copy or serialise is never spent.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The objects and arrays inside a parsed JSON value, each with its depth, by an iterative walk (no recursion to
 * overflow, no array allocated per object): `visit` returns true to stop the walk.
 */
export function walkObjects(value: unknown, visit: (node: object, depth: number) => boolean): boolean {
  const nodes: object[] = [];
  const depths: number[] = [];
  if (value !== null && typeof value === 'object') {
    nodes.push(value);
    depths.push(1);
  }
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (visit(node, depth)) return true;
    if (Array.isArray(node)) {
      for (const child of node as unknown[])
        if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
    } else
      for (const key in node) {
        const child = (node as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
  }
  return false;
}

/** Whether a parsed JSON value nests deeper than `limit` (an iterative walk: no recursion to overflow). */
export function valueDeeperThan(value: unknown, limit: number): boolean {
  return walkObjects(value, (_node, depth) => depth > limit);
}

/** A FHIR Reference's text, when `node` is an object with a string `reference`. */
export const referenceText = (node: object): string | null => {
  const reference = Array.isArray(node) ? undefined : (node as { reference?: unknown }).reference;
  return typeof reference === 'string' ? reference : null;
};

/** Whether a resource holds more than `limit` references (objects with a string `reference`); stops counting there. */
export function hasMoreReferencesThan(resource: unknown, limit: number): boolean {
  let count = 0;
  return walkObjects(resource, (node) => referenceText(node) !== null && ++count > limit);
}
