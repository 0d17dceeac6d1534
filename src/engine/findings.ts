import type { Finding, MissingFact, Severity } from './types.js';

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** Findings sort by severity (critical first), then rule ID, then message: a stable order. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.rule.localeCompare(b.rule) || a.message.localeCompare(b.message),
  );
}

/**
 * Facts the FHIR reader could not use (an unrecognised code, a malformed value). They are reported, never
 * dropped in silence; the rule that needed the fact (e.g. D-UNKNOWN) says what it means for the codes.
 */
export function inputFindings(missing: readonly MissingFact[]): Finding[] {
  return missing.map((fact) => ({
    rule: 'FHIR-INPUT',
    severity: 'warning',
    message: `${fact.fact}: ${fact.detail} [FHIR-INPUT; source spec/fhir-input.md]`,
    source: 'spec/fhir-input.md (how the service reads FHIR)',
    evidence: fact.evidence,
  }));
}
