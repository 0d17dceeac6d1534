import { evaluate } from './engine/evaluate.js';
import type { Determination } from './engine/types.js';
import { extractFacts, type ExtractOptions } from './fhir/extract.js';
import { parseBundle } from './fhir/parse.js';

/** Bundle JSON → validated resources → facts → determination. Throws InputError for invalid input. */
export function determineBundle(json: unknown, options: ExtractOptions): Determination {
  return evaluate(extractFacts(parseBundle(json), options));
}
