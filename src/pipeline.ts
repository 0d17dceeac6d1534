import { evaluate } from './engine/evaluate.js';
import type { Determination, EngineInput } from './engine/types.js';
import { extractFacts, type ExtractOptions } from './fhir/extract.js';
import { parseBundle, type BundleEntry } from './fhir/parse.js';

/**
 * The one pipeline every entry point runs — the CLI, the direct API and both hooks: FHIR resources (validated at the
 * boundary) → facts → determination. The hooks first gather the resources (prefetch, then their FHIR server) and say
 * what could not be read (`options.unread`); the API and CLI start from a Bundle.
 */
export interface Evaluation {
  readonly input: EngineInput;
  readonly determination: Determination;
}

/** Validated resources → facts → determination. */
export function evaluateEntries(entries: readonly BundleEntry[], options: ExtractOptions): Evaluation {
  const input = extractFacts(entries, options);
  return { input, determination: evaluate(input) };
}

/** Bundle JSON → validated resources → facts → determination. Throws InputError for invalid input. */
export function determineBundle(json: unknown, options: ExtractOptions): Determination {
  return evaluateEntries(parseBundle(json), options).determination;
}
