import { finding, type Rule } from './rule.js';

/**
 * FHIR-INPUT: a code outside every value set the service knows (mCODE, CodeX RT, the project's own), once per
 * resource and code. Not a billing rule: it says what the reader could not use. Codes on resources that only
 * out-of-family treatment reads change nothing and are not reported.
 */
export const FHIR_INPUT: Rule = {
  id: 'FHIR-INPUT',
  title: 'Input the reader could not use (a code outside the known value sets)',
  sources: ['spec'],
  record(context) {
    return context.input.unrecognised
      .filter((fact) => context.read.has(fact.resource) && !context.outOfFamilyOnly.has(fact.resource))
      .map((fact) =>
        finding(
          this,
          'warning',
          fact.fact === 'time zone'
            ? `Time zone "${fact.code}" on ${fact.resource} is not an IANA time-zone name (e.g. America/Chicago): it was not used, and dates of service there are read in the configured zone, else in each timestamp's own offset.`
            : `${fact.fact} code ${fact.code} on ${fact.resource} is not in the mCODE or CodeX RT value sets the service knows: it was not used, and what it states is unknown.`,
          [fact.resource],
        ),
      );
  },
  headline: (findings) => `${findings.length === 1 ? 'A code' : `${findings.length} codes`} in the record could not be used: review the evidence`,
};
