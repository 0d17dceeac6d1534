import type { z } from 'zod';
import { InputError } from '../errors.js';
import type { Charge, Ref } from '../engine/types.js';
import type { ResourceIndex } from './references.js';
import { ClaimChargeItem, type ResourceOf } from './schemas.js';

/**
 * Reads the charges on file (spec B): `ChargeItem` (status billable or billed) and the items of `Claim` with use
 * `claim` (not cancelled or entered in error). A `Claim` with use `preauthorization` is an authorization, never a
 * charge. Codes are CPT or HCPCS; modifiers come from further codings with a two-character code, a code written
 * `77387-26`, a modifier extension, or (on a Claim) `item.modifier`.
 */
/** CPT (AMA). */
const CPT_SYSTEM = 'http://www.ama-assn.org/go/cpt';
const CHARGE_CODE_SYSTEMS: ReadonlySet<string> = new Set([
  CPT_SYSTEM,
  'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  'urn:oid:2.16.840.1.113883.6.285',
  'urn:oid:2.16.840.1.113883.6.12',
]);
const CHARGE_ITEM_STATUSES_ON_FILE: ReadonlySet<string> = new Set(['billable', 'billed']);
const CLAIM_STATUSES_WITHDRAWN: ReadonlySet<string> = new Set(['cancelled', 'entered-in-error']);

/** `77387`, `G6015`, or `77387-26`: a five-character code and an optional modifier. */
const CODE = /^([0-9A-Z]\d{3}[0-9A-Z])(?:-([0-9A-Z]{2}))?$/;
const MODIFIER = /^[0-9A-Z]{2}$/;

interface Coding {
  system?: string | undefined;
  code?: string | undefined;
}

/** The charged code and modifiers from CPT/HCPCS codings; `null` code when none is a CPT/HCPCS code. */
export function codeAndModifiers(codings: readonly Coding[], extraModifiers: readonly string[]): { code: string | null; modifiers: string[] } {
  let code: string | null = null;
  const modifiers: string[] = [];
  for (const coding of codings) {
    const text = coding.code?.trim().toUpperCase();
    if (!text || !coding.system) continue;
    // A modifier may come in a modifier code system of its own (e.g. `…/cpt/modifier`); a code only as CPT or HCPCS.
    if (MODIFIER.test(text) && (CHARGE_CODE_SYSTEMS.has(coding.system) || /modifier/i.test(coding.system))) {
      modifiers.push(text);
      continue;
    }
    if (!CHARGE_CODE_SYSTEMS.has(coding.system)) continue;
    const parsed = CODE.exec(text);
    if (parsed && code === null) {
      code = parsed[1]!;
      if (parsed[2]) modifiers.push(parsed[2]);
    }
  }
  for (const modifier of extraModifiers) if (MODIFIER.test(modifier)) modifiers.push(modifier);
  return { code, modifiers: [...new Set(modifiers)].sort() };
}

/** Modifiers written as an extension (any URL ending in "modifier"): valueCode, valueString, valueCoding or valueCodeableConcept. */
function modifierExtensions(element: unknown): string[] {
  const extensions = (element as { extension?: unknown } | undefined)?.extension;
  if (!Array.isArray(extensions)) return [];
  return extensions.flatMap((extension: Record<string, unknown>) => {
    if (typeof extension?.url !== 'string' || !/modifier$/i.test(extension.url)) return [];
    const concept = extension.valueCodeableConcept as { coding?: Coding[] } | undefined;
    const values = [
      extension.valueCode,
      extension.valueString,
      (extension.valueCoding as Coding | undefined)?.code,
      ...(concept?.coding ?? []).map((c) => c.code),
    ];
    return values.filter((v): v is string => typeof v === 'string').map((v) => v.trim().toUpperCase());
  });
}

const units = (quantity: { value?: number | undefined } | undefined): number =>
  typeof quantity?.value === 'number' && quantity.value >= 0 ? quantity.value : 1;

function chargeItem(index: ResourceIndex, item: ResourceOf<'ChargeItem'>): Charge {
  const { code, modifiers } = codeAndModifiers(item.code.coding ?? [], [...modifierExtensions(item), ...modifierExtensions(item.code)]);
  const context = item.context && index.typeOf(item.context, item) === 'Encounter' ? index.refTo(item.context.reference, item) : null;
  return {
    ref: index.refOf(item),
    item: null,
    patient: index.refTo(item.subject.reference, item),
    code,
    modifiers,
    units: units(item.quantity),
    date: item.occurrenceDateTime ?? item.occurrencePeriod?.start ?? null,
    encounters: context ? [context] : [],
    procedures: (item.service ?? [])
      .filter((service) => index.typeOf(service, item) === 'Procedure')
      .map((service) => index.refTo(service.reference, item))
      .filter((ref): ref is Ref => ref !== null),
    identifiers: (item.identifier ?? []).flatMap((id) => (id.value ? [id.value] : [])),
  };
}

/** A Claim's item checked in full; an error names the claim item and field (`Claim/c1.item[0].modifier`). */
export function parseClaimItem(raw: unknown, position: number, claim: Ref): z.infer<typeof ClaimChargeItem> {
  const parsed = ClaimChargeItem.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(
      parsed.error.issues.map((issue) => ({ path: `${claim}.item[${position}].${issue.path.join('.')}`, message: issue.message })),
    );
  }
  return parsed.data;
}

/** The code and modifiers of a Claim item (a charge, or what a preauthorization asks for): `productOrService`, `modifier`, modifier extensions. */
export function claimItemCode(item: z.infer<typeof ClaimChargeItem>): { code: string | null; modifiers: string[] } {
  return codeAndModifiers(item.productOrService.coding ?? [], [
    ...(item.modifier ?? []).flatMap((m) => (m.coding ?? []).map((c) => c.code?.trim().toUpperCase() ?? '')),
    ...modifierExtensions(item),
  ]);
}

function claimItems(index: ResourceIndex, claim: ResourceOf<'Claim'>): Charge[] {
  const ref = index.refOf(claim);
  const claimNames = [...(claim.id ? [claim.id] : []), ...(claim.identifier ?? []).flatMap((id) => (id.value ? [id.value] : []))];
  const procedures = (claim as { procedure?: { sequence?: number; procedureReference?: { reference?: string } }[] }).procedure ?? [];
  return (claim.item ?? []).map((raw, position) => {
    const item = parseClaimItem(raw, position, ref);
    const { code, modifiers } = claimItemCode(item);
    return {
      ref,
      item: item.sequence ?? position + 1,
      patient: index.refTo(claim.patient.reference, claim),
      code,
      modifiers,
      units: units(item.quantity),
      date: item.servicedDate ?? item.servicedPeriod?.start ?? claim.billablePeriod?.start ?? null,
      encounters: (item.encounter ?? []).map((e) => index.refTo(e.reference, claim)).filter((e): e is Ref => e !== null),
      procedures: (item.procedureSequence ?? [])
        .map((sequence) => procedures.find((p) => p.sequence === sequence)?.procedureReference?.reference)
        .map((reference) => index.refTo(reference, claim))
        .filter((p): p is Ref => p !== null),
      // A remittance names a Claim's line by the claim (its id or an identifier) and the item's sequence.
      identifiers: claimNames.map((name) => `${name}#${item.sequence ?? position + 1}`),
    };
  });
}

/**
 * Whether a resource, as sent, is a charge on file: a ChargeItem billable or billed, or a Claim with use `claim` not
 * cancelled or entered in error (a department run counts them before reading: does the input carry charges?).
 */
export function isChargeOnFile(resource: { resourceType: string; status?: unknown; use?: unknown }): boolean {
  if (resource.resourceType === 'ChargeItem') return CHARGE_ITEM_STATUSES_ON_FILE.has(String(resource.status));
  return resource.resourceType === 'Claim' && resource.use === 'claim' && !CLAIM_STATUSES_WITHDRAWN.has(String(resource.status));
}

/** Every charge on file in the resources read. */
export function readCharges(index: ResourceIndex): Charge[] {
  return [
    ...index
      .all('ChargeItem')
      .filter(isChargeOnFile)
      .map((item) => chargeItem(index, item)),
    ...index
      .all('Claim')
      .filter(isChargeOnFile)
      .flatMap((claim) => claimItems(index, claim)),
  ];
}
