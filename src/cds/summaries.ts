import type { Finding, OrderDetermination, SessionDetermination } from '../engine/types.js';

interface SummaryContext {
  readonly session?: SessionDetermination;
  readonly order?: OrderDetermination;
}

type Summarize = (findings: readonly Finding[], context: SummaryContext) => string;

const lost = (findings: readonly Finding[]) => findings.some((f) => f.severity === 'critical');

/** One-line card summaries per rule (under 140 characters): the point, not the whole message. */
const SUMMARIES: Readonly<Record<string, Summarize>> = {
  'I-SIGN': (f) =>
    lost(f)
      ? '77387-26 lost: guidance images were not approved before the next fraction'
      : 'Approve the IGRT images before the next fraction to bill 77387-26',
  'A-SIGN': (f) =>
    lost(f)
      ? '77387-26 lost: AMM record not signed by the physician before the next beam-on'
      : 'Sign the AMM record before the next beam-on to bill the professional service',
  'A-RECORD': (_f, c) =>
    c.session && c.session.deliveryCode !== c.session.supportedDeliveryCode
      ? `AMM record missing or incomplete: bill ${c.session.supportedDeliveryCode ?? 'no code'}, not ${c.session.deliveryCode}`
      : 'AMM record missing or incomplete for a fraction',
  'A-ORDER': (f) =>
    lost(f) ? 'AMM not properly ordered by the physician: 77412 not supported' : 'Active motion management is not properly ordered by the physician',
  'A-NEED': () => 'Missing AMM medical necessity statement: 77412 is a denial risk',
  'A-NEED-SPECIFIC': () => 'AMM necessity is not patient-specific (e.g. "DIBH" alone): denial risk',
  'A-QUAL': () => 'Motion management without monitoring during beam-on does not support 77412',
  'C-AUTH-MISMATCH': (_f, c) =>
    c.session
      ? `Authorization on file is not for ${c.session.supportedDeliveryCode ?? 'the supported code'}: correct it before the claim goes out`
      : `Authorization on file differs from the ${c.order?.expectedDeliveryCode ?? 'derived'} this order describes: get it corrected`,
  'C-AUTH-2025': () => '2025 authorization carried into 2026: payers deny it, request a new one',
  'C-DELETED': (f) =>
    `Deleted code in use (${[...new Set(f.flatMap((x) => x.message.match(/^\w+/) ?? []))].join(', ')}): not billable for 2026 dates`,
  'I-2D': () => '77387-26 with 2D delivery is likely denied as not medically necessary',
  'FHIR-INPUT': () => 'Some codes in the record were not recognised: review the evidence',
  'D-NOT-DELIVERED': (f) => `${f.length} fraction(s) not delivered in this encounter: not billed`,
};

export function findingSummary(rule: string, findings: readonly Finding[], context: SummaryContext): string {
  const summarize = SUMMARIES[rule];
  if (summarize) return summarize(findings, context);
  return findings[0]?.message.replace(/ \[[^\]]+\]$/, '') ?? rule;
}
