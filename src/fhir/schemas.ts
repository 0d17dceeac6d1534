import { z } from 'zod';

/**
 * zod schemas for the FHIR R4 input, checked once at the boundary. They check what the service reads (with FHIR's
 * cardinalities and value sets) and let every other element pass untouched: the readers keep the resource as sent
 * (`src/fhir/parse.ts`), so the schemas only validate. They are strict-shape `z.object`s, whose output (without the
 * elements they do not name) is never used: zod validates them without copying every element of every resource.
 */

/** FHIR date / dateTime / instant: a time needs a time zone (R4). */
const FHIR_DATE_TIME =
  /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;

export const DateTime = z.string().regex(FHIR_DATE_TIME, 'must be a FHIR date or dateTime (e.g. 2026-02-02T09:00:00Z)');
export const Reference = z.object({ reference: z.string().min(1).optional(), type: z.string().optional() });
export const Coding = z.object({ system: z.string().optional(), code: z.string().optional() });
export const CodeableConcept = z.object({ coding: z.array(Coding).optional(), text: z.string().optional() });
export const Period = z.object({ start: DateTime.optional(), end: DateTime.optional() });

export interface Extension {
  url: string;
  extension?: Extension[];
  [value: string]: unknown;
}
/**
 * Extensions are checked three levels deep (a complex extension's parts, and theirs), which is deeper than anything
 * the service reads (mCODE's modality-and-technique and CodeX RT's complex extensions have two); below that they pass
 * untouched. Not a recursive (lazy) schema: zod's cycle handling cost more than all the other checks together.
 */
const url = z.string().min(1);
const ExtensionLeaf = z.object({ url });
const ExtensionPart = z.object({ url, extension: z.array(ExtensionLeaf).optional() });
export const Extension: z.ZodType<Extension> = z.object({ url, extension: z.array(ExtensionPart).optional() });

const domainResource = {
  id: z
    .string()
    .regex(/^[A-Za-z0-9\-.]{1,64}$/, 'must be a FHIR id (letters, digits, "-", ".", up to 64)')
    .optional(),
  extension: z.array(Extension).optional(),
  meta: z.object({ profile: z.array(z.string()).optional() }).optional(),
};

const EVENT_STATUS = ['preparation', 'in-progress', 'not-done', 'on-hold', 'stopped', 'completed', 'entered-in-error', 'unknown'] as const;
const REQUEST_STATUS = ['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown'] as const;
const REQUEST_INTENT = [
  'proposal',
  'plan',
  'directive',
  'order',
  'original-order',
  'reflex-order',
  'filler-order',
  'instance-order',
  'option',
] as const;

export const Procedure = z.object({
  resourceType: z.literal('Procedure'),
  ...domainResource,
  status: z.enum(EVENT_STATUS),
  code: CodeableConcept.optional(),
  subject: Reference,
  encounter: Reference.optional(),
  basedOn: z.array(Reference).optional(),
  partOf: z.array(Reference).optional(),
  performedPeriod: Period.optional(),
  performedDateTime: DateTime.optional(),
  bodySite: z.array(CodeableConcept).optional(),
});

export const ServiceRequest = z.object({
  resourceType: z.literal('ServiceRequest'),
  ...domainResource,
  status: z.enum(REQUEST_STATUS),
  intent: z.enum(REQUEST_INTENT),
  code: CodeableConcept.optional(),
  subject: Reference,
  basedOn: z.array(Reference).optional(),
  requester: Reference.optional(),
  occurrencePeriod: Period.optional(),
  occurrenceDateTime: DateTime.optional(),
  /** Planned fractions (C-AUTH-SCOPE): `repeat.count`; the date of service: the first `event`, else `repeat.boundsPeriod.start`. */
  occurrenceTiming: z
    .object({
      event: z.array(DateTime).optional(),
      repeat: z.object({ count: z.number().int().min(0).optional(), boundsPeriod: Period.optional() }).optional(),
    })
    .optional(),
  authoredOn: DateTime.optional(),
  /** Where treatment is to take place: its Location's time zone dates the order. */
  locationReference: z.array(Reference).optional(),
});

export const DocumentReference = z.object({
  resourceType: z.literal('DocumentReference'),
  ...domainResource,
  status: z.enum(['current', 'superseded', 'entered-in-error']),
  type: CodeableConcept.optional(),
  subject: Reference.optional(),
  context: z.object({ related: z.array(Reference).optional(), period: Period.optional() }).optional(),
});

export const Provenance = z.object({
  resourceType: z.literal('Provenance'),
  ...domainResource,
  target: z.array(Reference).min(1),
  recorded: DateTime,
  activity: CodeableConcept.optional(),
  agent: z.array(z.object({ who: Reference })).min(1),
  signature: z.array(z.object({ when: DateTime, who: Reference })).optional(),
});

export const Encounter = z.object({
  resourceType: z.literal('Encounter'),
  ...domainResource,
  status: z.string(),
  subject: Reference.optional(),
  period: Period.optional(),
  location: z.array(z.object({ location: Reference })).optional(),
});

export const Location = z.object({
  resourceType: z.literal('Location'),
  ...domainResource,
  type: z.array(CodeableConcept).optional(),
  /** The Location this one is part of (a treatment room's department): its time zone when the room gives none. */
  partOf: Reference.optional(),
});

export const Coverage = z.object({
  resourceType: z.literal('Coverage'),
  ...domainResource,
  status: z.enum(['active', 'cancelled', 'draft', 'entered-in-error']),
  type: CodeableConcept.optional(),
  beneficiary: Reference,
  payor: z.array(Reference).min(1),
  /** P-MATCH: the coverage active on the date of service; E: the member id of an 835 (NM1*QC). */
  period: Period.optional(),
  subscriberId: z.string().optional(),
  identifier: z.array(z.object({ system: z.string().optional(), value: z.string().optional() })).optional(),
});

export const Organization = z.object({
  resourceType: z.literal('Organization'),
  ...domainResource,
  address: z.array(z.object({ state: z.string().optional() })).optional(),
  /** P-MATCH: a payer policy names its payor by identifier or name. */
  name: z.string().optional(),
  identifier: z.array(z.object({ system: z.string().optional(), value: z.string().optional() })).optional(),
});

const Identifier = z.object({ system: z.string().optional(), value: z.string().optional() });

export const Claim = z.object({
  resourceType: z.literal('Claim'),
  ...domainResource,
  use: z.enum(['claim', 'preauthorization', 'predetermination']),
  identifier: z.array(Identifier).optional(),
  patient: Reference,
  created: DateTime.optional(),
  billablePeriod: Period.optional(),
  /** The order a preauthorization is asked for. */
  referral: Reference.optional(),
  /** Items are checked in full when read (as charges, or as what a preauthorization asks for): errors name the item. */
  item: z.array(z.object({ productOrService: CodeableConcept, servicedPeriod: Period.optional(), servicedDate: DateTime.optional() })).optional(),
});

const Adjudication = z.object({ category: CodeableConcept, value: z.number().optional(), extension: z.array(Extension).optional() });

export const ClaimResponse = z.object({
  resourceType: z.literal('ClaimResponse'),
  ...domainResource,
  use: z.enum(['claim', 'preauthorization', 'predetermination']),
  identifier: z.array(Identifier).optional(),
  patient: Reference,
  created: DateTime.optional(),
  request: Reference.optional(),
  outcome: z.enum(['queued', 'complete', 'error', 'partial']).optional(),
  disposition: z.string().optional(),
  preAuthRef: z.string().optional(),
  preAuthPeriod: Period.optional(),
  item: z
    .array(z.object({ itemSequence: z.number().int(), adjudication: z.array(Adjudication).optional(), extension: z.array(Extension).optional() }))
    .optional(),
});

/** A booked treatment (the schedule): its start is the deadline for what must be done before the next treatment. */
export const Appointment = z.object({
  resourceType: z.literal('Appointment'),
  ...domainResource,
  status: z.enum(['proposed', 'pending', 'booked', 'arrived', 'fulfilled', 'cancelled', 'noshow', 'entered-in-error', 'checked-in', 'waitlist']),
  start: DateTime.optional(),
  basedOn: z.array(Reference).optional(),
  serviceType: z.array(CodeableConcept).optional(),
  specialty: z.array(CodeableConcept).optional(),
  appointmentType: CodeableConcept.optional(),
  participant: z.array(z.object({ actor: Reference.optional() })).min(1),
});

/** A practitioner in a role: it signs or orders as its `practitioner` (when it names one). */
export const PractitionerRole = z.object({
  resourceType: z.literal('PractitionerRole'),
  ...domainResource,
  practitioner: Reference.optional(),
  /** The role it acts in: a physician's or not (A-SIGN, I-SIGN). */
  code: z.array(CodeableConcept).optional(),
  specialty: z.array(CodeableConcept).optional(),
});

/** A practitioner: its qualifications say whether it is a physician (A-SIGN, I-SIGN). */
export const Practitioner = z.object({
  resourceType: z.literal('Practitioner'),
  ...domainResource,
  qualification: z.array(z.object({ code: CodeableConcept })).optional(),
});

/** A charge on file (spec B): `status` billable or billed counts; the others are ignored. */
export const ChargeItem = z.object({
  resourceType: z.literal('ChargeItem'),
  ...domainResource,
  status: z.enum(['planned', 'billable', 'not-billable', 'aborted', 'billed', 'entered-in-error', 'unknown']),
  code: CodeableConcept,
  subject: Reference,
  context: Reference.optional(),
  occurrenceDateTime: DateTime.optional(),
  occurrencePeriod: Period.optional(),
  quantity: z.object({ value: z.number().optional() }).optional(),
  service: z.array(Reference).optional(),
  /** An 835's line control number (REF*6R) is the charge's identifier. */
  identifier: z.array(z.object({ system: z.string().optional(), value: z.string().optional() })).optional(),
});

/**
 * An item of a `Claim`, as the service reads it: a charge (use `claim`, the B rules) or what a preauthorization asks
 * for (C-AUTH-*). Checked when the claim is read, so that errors name the claim item.
 */
export const ClaimChargeItem = z.object({
  extension: z.array(Extension).optional(),
  sequence: z.number().int().optional(),
  productOrService: CodeableConcept,
  modifier: z.array(CodeableConcept).optional(),
  servicedDate: DateTime.optional(),
  servicedPeriod: Period.optional(),
  encounter: z.array(Reference).optional(),
  quantity: z.object({ value: z.number().optional() }).optional(),
  procedureSequence: z.array(z.number().int()).optional(),
});

/** Resources the service reads, by type. Others pass through untouched (and unread). */
export const RESOURCE_SCHEMAS = {
  Procedure,
  ServiceRequest,
  DocumentReference,
  Provenance,
  Encounter,
  Location,
  Coverage,
  Organization,
  Claim,
  ClaimResponse,
  PractitionerRole,
  Practitioner,
  ChargeItem,
  Appointment,
} as const;

export type ReadResourceType = keyof typeof RESOURCE_SCHEMAS;
export type ReadResource = { [K in ReadResourceType]: z.infer<(typeof RESOURCE_SCHEMAS)[K]> }[ReadResourceType];
export type ResourceOf<K extends ReadResourceType> = z.infer<(typeof RESOURCE_SCHEMAS)[K]>;

/** Any resource: just what every resource has. */
export const AnyResource = z.object({ resourceType: z.string().min(1), id: z.string().optional() });
export type AnyResource = z.infer<typeof AnyResource>;

export const Bundle = z.object({
  resourceType: z.literal('Bundle'),
  type: z.string().optional(),
  /** Search result paging (`next`) and the query the server ran (`self`: did it honour `_revinclude`?). */
  link: z.array(z.object({ relation: z.string(), url: z.string() })).optional(),
  entry: z
    .array(
      z.object({
        fullUrl: z.string().optional(),
        resource: AnyResource,
        search: z.object({ mode: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});

export const isReadType = (type: string): type is ReadResourceType => Object.hasOwn(RESOURCE_SCHEMAS, type);
