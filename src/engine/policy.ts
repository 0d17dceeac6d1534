import type { Payer, PayerKind, Ref, SiteOfService, Technique } from './types.js';

/**
 * A payer's policy (spec P), as data: who it applies to, the code set it is on, what it pays of 77387 and 77417, the
 * codes it authorizes, its rates and a department's own edits. The files in `policies/` are read and checked at start
 * (src/policies/); the engine only reads the result.
 */
export interface PayerPolicy {
  readonly id: string;
  readonly version: string;
  readonly name: string;
  /** The document it comes from, as findings cite it. */
  readonly source: string;
  /** The file it was read from, for `GET /rules` and error messages. */
  readonly file: string;
  readonly effective: { readonly from: string; readonly to: string | null };
  /** The policy whose rules apply (no rates) when no policy matches a Coverage (P-MATCH): Medicare national. */
  readonly fallback: boolean;
  readonly applies: PolicySelector;
  /** P-CODESET: the delivery codes the payer is on; `legacy` until a date when it has not adopted the 2026 codes. */
  readonly codeSet: { readonly delivery: '2026' | 'legacy'; readonly until: string | null; readonly note: string | null };
  /** P-IGRT: the 77387 components the payer still pays beside a 2026 delivery code, and its stance on IGRT with 2D. */
  readonly igrt: {
    readonly paid: readonly ('26' | 'TC' | 'global')[];
    /** The delivery techniques with which the technical component (TC, global) is paid; empty: with any (NIA: 3D only, 003). */
    readonly technicalWith: readonly Technique[];
    readonly with2d: 'not-medically-necessary' | 'covered' | 'unspecified';
  };
  /** P-PORT: 77417 bundled, or the payer's frequency edits. */
  readonly port: PortPolicy;
  /** P-AUTH: codes the payer requires a preauthorization for (C-AUTH-NONE). */
  readonly authorization: { readonly codes: readonly string[] };
  /** P-RATE. */
  readonly rates: readonly PolicyRate[];
  /** P-EDIT: a department's own edits. */
  readonly edits: readonly PolicyEdit[];
}

export interface PolicySelector {
  /** Coverage.type, as the payer kinds the reader maps it to (`urn:oid:2.16.840.1.113883.3.221.5`: 1 Medicare, 2 Medicaid, 5/6 private). */
  readonly coverageKinds: readonly PayerKind[];
  /** The payor Organization's identifiers (`value`, or `system|value`). */
  readonly payorIdentifiers: readonly string[];
  /** Names matched as whole words in the payor Organization's name, case-insensitive. */
  readonly payorNames: readonly string[];
  /** Two-letter states of the payor Organization's address (Medicaid). */
  readonly states: readonly string[];
}

export type PortPolicy =
  | { readonly kind: 'bundled' }
  | {
      readonly kind: 'edits';
      readonly everyFractions: number;
      readonly notInLastFractions: number;
      readonly unitsPerCharge: number;
      readonly notWithIgrt: boolean;
    };

export interface PolicyRate {
  /** The code with its modifiers, as billed (`77387-26`). */
  readonly code: string;
  /** `null`: the same in both settings. */
  readonly setting: SiteOfService | null;
  /** `null`: no fixed rate (individual consideration). */
  readonly amount: number | null;
  readonly note: string | null;
  readonly from: string;
  readonly to: string | null;
}

/** The variables a P-EDIT condition sees (README "FHIRPath variables"). */
export interface EditVariables {
  readonly charges: readonly unknown[];
  readonly course: readonly unknown[];
  readonly position: number;
  readonly payer: unknown;
  readonly remittance: readonly unknown[];
}

/** A department's edit: when its condition (FHIRPath, compiled once when the file is read) is true, a finding. */
export interface PolicyEdit {
  readonly id: string;
  readonly message: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly source: string;
  readonly expression: string;
  /** Evaluates the compiled condition over the session; throws when it cannot be evaluated. */
  readonly evaluate: (session: unknown, variables: EditVariables) => unknown[];
}

/** The policy that decides a session or order, and the coverage it was chosen by. */
export interface PolicyMatch {
  /** The matched policy; `null` when none matched (P-MATCH): then `rules` is the fallback and nothing is priced. */
  readonly policy: PayerPolicy | null;
  /** The policy whose rules apply: the matched one, else the fallback (Medicare national, CPT/CMS rules). */
  readonly rules: PayerPolicy;
  readonly coverage: Payer | null;
  /** Coverages active on the date for which no policy matched. */
  readonly unmatched: readonly Payer[];
}

/** CPT/CMS rules with no rates: used when no policy file was supplied at all (engine tests, embedding). */
export const CPT_RULES: PayerPolicy = {
  id: 'cpt-cms',
  version: '2026',
  name: 'CPT 2026 and CMS rules',
  source: '001 (ACROinsights 2026 No. 1); 000 (ACRO Town Hall 2026)',
  file: '(built in)',
  effective: { from: '2026-01-01', to: null },
  fallback: true,
  applies: { coverageKinds: [], payorIdentifiers: [], payorNames: [], states: [] },
  codeSet: { delivery: '2026', until: null, note: null },
  igrt: { paid: ['26'], technicalWith: [], with2d: 'unspecified' },
  port: { kind: 'bundled' },
  authorization: { codes: [] },
  rates: [],
  edits: [],
};

const within = (date: string, from: string | null, to: string | null) => (from === null || from <= date) && (to === null || date <= to);

/** Whole-word, case-insensitive: "NIA" matches "NIA (Evolent) Managed Plan", not "Virginia Health". */
function nameMatches(name: string | null | undefined, wanted: string): boolean {
  if (!name) return false;
  const words = (text: string) =>
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
  const have = words(name);
  const need = words(wanted);
  if (need.length === 0) return false;
  for (let i = 0; i + need.length <= have.length; i++) if (need.every((w, j) => have[i + j] === w)) return true;
  return false;
}

/** Whether a policy's selector matches a coverage: every criterion it gives must hold. */
export function selectorMatches(selector: PolicySelector, coverage: Payer): boolean {
  const given = [selector.coverageKinds, selector.payorIdentifiers, selector.payorNames, selector.states].some((list) => list.length > 0);
  if (!given) return false;
  if (selector.coverageKinds.length > 0 && !selector.coverageKinds.includes(coverage.kind)) return false;
  if (selector.states.length > 0 && (coverage.state === null || !selector.states.includes(coverage.state.toUpperCase()))) return false;
  if (
    selector.payorIdentifiers.length > 0 &&
    !selector.payorIdentifiers.some((id) => (coverage.payorIdentifiers ?? []).some((have) => have === id || have.endsWith(`|${id}`)))
  )
    return false;
  if (selector.payorNames.length > 0 && !selector.payorNames.some((name) => nameMatches(coverage.payorName, name))) return false;
  return true;
}

/** More specific selectors are tried first: an identifier, then a name, then a state, then a coverage type alone. */
const specificity = (policy: PayerPolicy) =>
  (policy.applies.payorIdentifiers.length > 0 ? 8 : 0) +
  (policy.applies.payorNames.length > 0 ? 4 : 0) +
  (policy.applies.states.length > 0 ? 2 : 0) +
  (policy.applies.coverageKinds.length > 0 ? 1 : 0);

/** Policies in the order P-MATCH tries them. */
export function matchingOrder(policies: readonly PayerPolicy[]): PayerPolicy[] {
  return [...policies].sort((a, b) => specificity(b) - specificity(a) || a.id.localeCompare(b.id));
}

/**
 * P-MATCH: the policy for a patient's coverage on a date of service — the coverages active on that date (their period
 * covers it, or they give none), each tried against the policies in force on that date, most specific first.
 */
export function matchPolicy(policies: readonly PayerPolicy[] | undefined, coverages: readonly Payer[], date: string | null): PolicyMatch {
  const all = policies ?? [];
  const fallback = all.find((p) => p.fallback) ?? CPT_RULES;
  const day = date ?? null;
  const active = coverages.filter((c) => day === null || within(day, c.period?.start?.slice(0, 10) ?? null, c.period?.end?.slice(0, 10) ?? null));
  const inForce = matchingOrder(all.filter((p) => day === null || within(day, p.effective.from, p.effective.to)));
  for (const coverage of active) {
    const policy = inForce.find((p) => selectorMatches(p.applies, coverage));
    if (policy) return { policy, rules: policy, coverage, unmatched: [] };
  }
  return { policy: null, rules: fallback, coverage: active[0] ?? null, unmatched: active };
}

/** P-RATE: the policy's rate for a code (with modifiers), setting and date; `undefined` when it has none. */
export function policyRate(policy: PayerPolicy | null, code: string, setting: SiteOfService, date: string): PolicyRate | undefined {
  if (!policy) return undefined;
  const day = date.slice(0, 10);
  return policy.rates.find((row) => row.code === code && (row.setting === null || row.setting === setting) && within(day, row.from, row.to));
}

/** How a finding names a policy: "Texas Medicaid (tx-medicaid 2026.1)". */
export const policyName = (policy: PayerPolicy): string => `${policy.name} (policy ${policy.id} ${policy.version})`;

/** The coverages of a patient, as the engine input gives them. */
export function coveragesOf(
  input: { readonly payers: Readonly<Record<Ref, Payer>>; readonly coverages?: Readonly<Record<Ref, readonly Payer[]>> },
  patient: Ref | null,
): readonly Payer[] {
  if (patient === null) return [];
  const listed = input.coverages?.[patient];
  if (listed && listed.length > 0) return listed;
  const one = input.payers[patient];
  return one ? [one] : [];
}
