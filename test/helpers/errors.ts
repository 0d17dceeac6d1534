/** What an error body says: an OperationOutcome's first diagnostics (or the older `{ "error": … }`). */
export function errorText(body: unknown): string | undefined {
  const value = body as { error?: string; issue?: { diagnostics?: string }[] } | undefined;
  return value?.issue?.[0]?.diagnostics ?? value?.error;
}

/** The refusal code the direct API names in its OperationOutcome (src/security/api-auth.ts). */
export function refusalCode(body: unknown): string | undefined {
  return (body as { issue?: { details?: { coding?: { code?: string }[] } }[] } | undefined)?.issue?.[0]?.details?.coding?.[0]?.code;
}

/**
 * Where each issue of an OperationOutcome points: its FHIRPath `expression`, or for a header, a query parameter or an
 * NDJSON line (not FHIRPath), the words of `diagnostics` that name it.
 */
export function issueLocations(body: unknown): string[] {
  const issues = (body as { issue?: { expression?: string[]; diagnostics?: string }[] } | undefined)?.issue ?? [];
  return issues.map((issue) => issue.expression?.[0] ?? issue.diagnostics ?? '');
}
