import { z } from 'zod';
import type { Adjustment, RemittanceClaim, RemittanceLine } from '../../engine/remittance-types.js';
import { InputError } from '../../errors.js';
import type { BundleEntry } from '../parse.js';
import { read835, RemittanceError } from './x12.js';

/**
 * Remittance in FHIR (spec E): `ExplanationOfBenefit`, `ClaimResponse` with `use` `claim`, and an 835 sent as a
 * `Binary` entry (contentType `application/EDI-X12`). Checked with zod here; an error names the resource and field.
 */

const Coding = z.object({ system: z.string().optional(), code: z.string().optional() }).passthrough();
const Concept = z.object({ coding: z.array(Coding).optional(), text: z.string().optional() }).passthrough();
const Money = z.object({ value: z.number().optional() }).passthrough();
const Adjudication = z
  .object({ category: Concept, reason: Concept.optional(), amount: Money.optional(), value: z.number().optional() })
  .passthrough();
const Reference = z.object({ reference: z.string().optional(), display: z.string().optional() }).passthrough();

const EobItem = z
  .object({
    sequence: z.number().int(),
    productOrService: Concept,
    modifier: z.array(Concept).optional(),
    servicedDate: z.string().optional(),
    servicedPeriod: z.object({ start: z.string().optional() }).passthrough().optional(),
    quantity: z.object({ value: z.number().optional() }).passthrough().optional(),
    adjudication: z.array(Adjudication).optional(),
  })
  .passthrough();

const ExplanationOfBenefit = z
  .object({
    resourceType: z.literal('ExplanationOfBenefit'),
    id: z.string().optional(),
    status: z.string(),
    use: z.string().optional(),
    patient: Reference,
    insurer: Reference.optional(),
    claim: Reference.optional(),
    identifier: z.array(z.object({ value: z.string().optional() }).passthrough()).optional(),
    item: z.array(EobItem).optional(),
  })
  .passthrough();

const ClaimResponseClaim = z
  .object({
    resourceType: z.literal('ClaimResponse'),
    id: z.string().optional(),
    use: z.literal('claim'),
    status: z.string(),
    patient: Reference,
    insurer: Reference.optional(),
    request: Reference.optional(),
    item: z.array(z.object({ itemSequence: z.number().int(), adjudication: z.array(Adjudication) }).passthrough()).optional(),
  })
  .passthrough();

const ClaimItems = z
  .object({
    id: z.string().optional(),
    item: z
      .array(
        z
          .object({
            sequence: z.number().int(),
            productOrService: Concept,
            modifier: z.array(Concept).optional(),
            servicedDate: z.string().optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

const Binary = z.object({ resourceType: z.literal('Binary'), contentType: z.string(), data: z.string().optional() }).passthrough();

const CPT = 'http://www.ama-assn.org/go/cpt';
const HCPCS = 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
const X12_MEDIA = /^application\/(edi-x12|x12)/i;

/** CPT or HCPCS (either scheme of the CMS URL); else a coding whose code has the CPT/HCPCS form. */
const codeOf = (concept: z.infer<typeof Concept>): string | null => {
  const codings = concept.coding ?? [];
  const known = codings.find((c) => (c.system === CPT || c.system === HCPCS || c.system === HCPCS.replace('https:', 'http:')) && c.code);
  const shaped = codings.find((c) => c.code && /^([0-9]{4}[0-9A-Z]|[A-Z][0-9]{4})$/i.test(c.code));
  return (known ?? shaped)?.code?.toUpperCase() ?? null;
};
const modifiersOf = (concepts: readonly z.infer<typeof Concept>[] | undefined): string[] =>
  (concepts ?? []).flatMap((m) => (m.coding ?? []).flatMap((c) => (c.code ? [c.code.toUpperCase()] : [])));
const categoryOf = (a: z.infer<typeof Adjudication>) => (a.category.coding ?? []).map((c) => c.code ?? '');
const refName = (reference: string | undefined): string | null => {
  const match = reference ? /([A-Za-z]+\/[A-Za-z0-9\-.]+)(\/_history\/.*)?$/.exec(reference) : null;
  return match ? match[1]! : (reference ?? null);
};

/** What an item's adjudications say: charged (submitted), paid (benefit), and CARC adjustments. */
function adjudicated(adjudications: readonly z.infer<typeof Adjudication>[]): { charged: number | null; paid: number; adjustments: Adjustment[] } {
  let charged: number | null = null;
  let paid = 0;
  const adjustments: Adjustment[] = [];
  for (const a of adjudications) {
    const categories = categoryOf(a);
    const amount = a.amount?.value ?? a.value ?? 0;
    if (categories.includes('submitted')) charged = amount;
    // R4 `benefit`; CARIN Blue Button `paidtoprovider`.
    if (categories.includes('benefit') || categories.includes('paidtoprovider')) paid = amount;
    for (const coding of a.reason?.coding ?? []) {
      if (!coding.code) continue;
      // A CARC written `CO-97` carries its group; a bare code is read as a contractual obligation.
      const [group, reason] = coding.code.includes('-') ? (coding.code.split('-', 2) as [string, string]) : ['CO', coding.code];
      adjustments.push({
        group: group.toUpperCase(),
        reason,
        amount: categories.some((c) => c === 'benefit' || c === 'submitted' || c === 'paidtoprovider') ? 0 : amount,
      });
    }
  }
  return { charged, paid, adjustments };
}

function invalid(where: string, error: z.ZodError): InputError {
  return new InputError(error.issues.slice(0, 10).map((issue) => ({ path: `${where}.${issue.path.join('.')}`, message: issue.message })));
}

function fromEob(raw: unknown, where: string): RemittanceClaim[] {
  const parsed = ExplanationOfBenefit.safeParse(raw);
  if (!parsed.success) throw invalid(where, parsed.error);
  const eob = parsed.data;
  if (eob.status === 'entered-in-error' || eob.status === 'cancelled') return [];
  const claimRef = refName(eob.claim?.reference);
  const claimId = claimRef?.split('/')[1] ?? null;
  const lines: RemittanceLine[] = (eob.item ?? []).flatMap((item, index) => {
    const code = codeOf(item.productOrService);
    if (!code) return [];
    const money = adjudicated(item.adjudication ?? []);
    return [
      {
        origin: `${where}.item[${index}]`,
        code,
        modifiers: modifiersOf(item.modifier),
        billedCode: null,
        billedModifiers: [],
        charged: money.charged,
        paid: money.paid,
        units: item.quantity?.value ?? 1,
        date: (item.servicedDate ?? item.servicedPeriod?.start ?? null)?.slice(0, 10) ?? null,
        controlNumber: claimId ? `${claimId}#${item.sequence}` : null,
        adjustments: money.adjustments,
        remarks: [],
      },
    ];
  });
  return [
    {
      origin: where,
      claimId: claimId ?? eob.identifier?.[0]?.value ?? null,
      patient: refName(eob.patient.reference),
      memberId: null,
      status: null,
      payerClaimNumber: eob.identifier?.[0]?.value ?? null,
      payerName: eob.insurer?.display ?? null,
      lines,
    },
  ];
}

function fromClaimResponse(raw: unknown, where: string, claims: ReadonlyMap<string, unknown>): RemittanceClaim[] {
  const parsed = ClaimResponseClaim.safeParse(raw);
  if (!parsed.success) throw invalid(where, parsed.error);
  const response = parsed.data;
  if (response.status === 'entered-in-error' || response.status === 'cancelled') return [];
  const claimRef = refName(response.request?.reference);
  const request = ClaimItems.safeParse(claimRef ? claims.get(claimRef) : undefined);
  const claimId = claimRef?.split('/')[1] ?? null;
  const lines: RemittanceLine[] = (response.item ?? []).flatMap((item, index) => {
    const billed = request.success ? request.data.item?.find((i) => i.sequence === item.itemSequence) : undefined;
    const code = billed ? codeOf(billed.productOrService) : null;
    if (!billed || !code) return [];
    const money = adjudicated(item.adjudication);
    return [
      {
        origin: `${where}.item[${index}]`,
        code,
        modifiers: modifiersOf(billed.modifier),
        billedCode: null,
        billedModifiers: [],
        charged: money.charged,
        paid: money.paid,
        units: 1,
        date: billed.servicedDate?.slice(0, 10) ?? null,
        controlNumber: claimId ? `${claimId}#${item.itemSequence}` : null,
        adjustments: money.adjustments,
        remarks: [],
      },
    ];
  });
  return [
    {
      origin: where,
      claimId,
      patient: refName(response.patient.reference),
      memberId: null,
      status: null,
      payerClaimNumber: null,
      payerName: response.insurer?.display ?? null,
      lines,
    },
  ];
}

/** Remittance among a Bundle's entries. A malformed 835 Binary is a 400 naming the entry and the segment. */
export function readRemittanceEntries(entries: readonly BundleEntry[], known: readonly unknown[] = []): RemittanceClaim[] {
  const claims = new Map<string, unknown>();
  // The Claims a ClaimResponse answers: in the same entries, or in the record it is read beside (`known`).
  for (const resource of [...known, ...entries.map((e) => e.resource)]) {
    const claim = resource as { resourceType?: unknown; id?: unknown };
    if (claim?.resourceType === 'Claim' && typeof claim.id === 'string') claims.set(`Claim/${claim.id}`, resource);
  }
  const out: RemittanceClaim[] = [];
  entries.forEach(({ resource }, index) => {
    const where = `Bundle.entry[${index}].resource`;
    if (resource.resourceType === 'ExplanationOfBenefit') out.push(...fromEob(resource, `ExplanationOfBenefit/${resource.id ?? index}`));
    else if (resource.resourceType === 'ClaimResponse' && (resource as { use?: unknown }).use === 'claim')
      out.push(...fromClaimResponse(resource, `ClaimResponse/${resource.id ?? index}`, claims));
    else if (resource.resourceType === 'Binary') {
      const binary = Binary.safeParse(resource);
      if (!binary.success || !X12_MEDIA.test(binary.data.contentType)) return;
      const text = Buffer.from(binary.data.data ?? '', 'base64').toString('utf8');
      try {
        out.push(...read835(text, `Binary/${resource.id ?? index}`));
      } catch (error) {
        if (!(error instanceof RemittanceError)) throw error;
        throw new InputError([{ path: `${where}.data`, message: `835 ${error.message}` }]);
      }
    }
  });
  return out;
}

/**
 * One remittance file beside a Bundle (CLI): an 835 (`.835`, `.x12`, `.edi`, or any file that begins with ISA), or
 * FHIR JSON — an ExplanationOfBenefit, a ClaimResponse, or a Bundle of them. Throws RemittanceError naming the file.
 */
export function readRemittanceText(text: string, file: string, known: readonly unknown[] = []): RemittanceClaim[] {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body.startsWith('ISA')) return read835(body, file);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new RemittanceError(file, null, 'neither an X12 835 nor FHIR JSON');
  }
  const resources = RemittanceBundle.safeParse(json);
  const list = resources.success && resources.data.resourceType === 'Bundle' ? (resources.data.entry ?? []).map((e) => e.resource) : [json];
  try {
    return readRemittanceEntries(
      list.map((resource) => ({ fullUrl: undefined, resource: resource as BundleEntry['resource'] })),
      known,
    );
  } catch (error) {
    if (error instanceof InputError) throw new RemittanceError(file, null, error.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    throw error;
  }
}

const RemittanceBundle = z
  .object({
    resourceType: z.string(),
    entry: z.array(z.object({ resource: z.object({ resourceType: z.string() }).passthrough() }).passthrough()).optional(),
  })
  .passthrough();
