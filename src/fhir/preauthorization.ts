import type { Extension } from './schemas.js';

/**
 * What a payer decided on one item of a preauthorization (`ClaimResponse.item`), as R4 and Da Vinci PAS write it:
 * an adjudication whose category is `denied`, or PAS's review action (on the item or its adjudication) with the X12
 * 306 code A3 "not certified", is a denial; A1/A2 (certified in total or in part) or any other adjudication is a
 * decision that is not one. The units authorized are an adjudication's `value` (R4: "a non-monetary value").
 */
export interface ItemDecision {
  /** `true` denied, `false` decided and not denied, `null` no decision on the item. */
  readonly denied: boolean | null;
  readonly units: number | null;
}

/** PAS review action codes (X12 306) that deny the item. */
const NOT_CERTIFIED: ReadonlySet<string> = new Set(['A3']);
const DENIED_CATEGORY = 'denied';

interface ResponseItem {
  readonly adjudication?:
    | readonly {
        category: { coding?: { code?: string | undefined }[] | undefined };
        value?: number | undefined;
        extension?: Extension[] | undefined;
      }[]
    | undefined;
  readonly extension?: readonly Extension[] | undefined;
}

/** PAS's review-action code: `extension-reviewAction` → its `code` part (by name or by `extension-reviewActionCode`). */
function reviewActionCodes(extensions: readonly Extension[] | undefined): string[] {
  return (extensions ?? [])
    .filter((extension) => extension.url.endsWith('extension-reviewAction'))
    .flatMap((action) => (action.extension ?? []).filter((part) => part.url === 'code' || part.url.endsWith('extension-reviewActionCode')))
    .flatMap((part) => ((part.valueCodeableConcept as { coding?: { code?: unknown }[] } | undefined)?.coding ?? []).map((c) => c.code))
    .filter((code): code is string => typeof code === 'string');
}

export function itemDecision(item: ResponseItem): ItemDecision {
  const adjudications = item.adjudication ?? [];
  const actions = [...reviewActionCodes(item.extension), ...adjudications.flatMap((a) => reviewActionCodes(a.extension))];
  const deniedCategory = adjudications.some((a) => (a.category.coding ?? []).some((c) => c.code === DENIED_CATEGORY));
  const denied = deniedCategory || actions.some((code) => NOT_CERTIFIED.has(code));
  const units = adjudications.find((a) => typeof a.value === 'number')?.value ?? null;
  return { denied: denied ? true : actions.length > 0 || adjudications.length > 0 ? false : null, units: denied ? 0 : units };
}

/** The orders a PAS Claim item names as its requested service (`extension-requestedService`, valueReference). */
export function requestedServices(extensions: readonly Extension[] | undefined): { reference?: string }[] {
  return (extensions ?? [])
    .filter((extension) => extension.url.endsWith('extension-requestedService'))
    .map((extension) => extension.valueReference as { reference?: string } | undefined)
    .filter((reference): reference is { reference?: string } => !!reference && typeof reference === 'object');
}
