import { evaluate } from './engine/evaluate.js';
import type { RemittanceClaim } from './engine/remittance-types.js';
import type { Determination, EngineInput } from './engine/types.js';
import { extractFacts, type ExtractOptions } from './fhir/extract.js';
import { parseBundle, type BundleEntry } from './fhir/parse.js';
import { readRemittanceEntries } from './fhir/remittance/read.js';
import { policiesInForce } from './policies/registry.js';

/**
 * The one pipeline every entry point runs — the CLI, the direct API and both hooks: FHIR resources (validated at the
 * boundary) → facts → determination. The hooks first gather the resources (prefetch, then their FHIR server) and say
 * what could not be read (`options.unread`); the API and CLI start from a Bundle. The payer policies in force (loaded
 * at start, spec P) and any remittance (835 files given beside the Bundle, or ExplanationOfBenefit, ClaimResponse and
 * 835 `Binary` entries in it; spec E) join the facts here.
 */
export interface Evaluation {
  readonly input: EngineInput;
  readonly determination: Determination;
}

/** Validated resources (and remittance read from files) → facts → determination. */
export function evaluateEntries(
  entries: readonly BundleEntry[],
  options: ExtractOptions,
  remittance: readonly RemittanceClaim[] = [],
  scope: { readonly remittanceForOthers?: boolean } = {},
): Evaluation {
  const facts = extractFacts(entries, options);
  const fromBundle = readRemittanceEntries(entries);
  const claims = [...fromBundle, ...remittance];
  const input: EngineInput = {
    ...facts,
    policies: policiesInForce(),
    ...(claims.length > 0 ? { remittance: claims } : {}),
    // A department run hands every patient the department's remittance: claims of other patients are not this one's.
    ...(scope.remittanceForOthers ? { remittanceForOthers: true } : {}),
  };
  return { input, determination: evaluate(input) };
}

/** Bundle JSON → validated resources → facts → determination. Throws InputError for invalid input. */
export function determineBundle(json: unknown, options: ExtractOptions, remittance: readonly RemittanceClaim[] = []): Determination {
  return evaluateEntries(parseBundle(json), options, remittance).determination;
}
