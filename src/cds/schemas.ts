import { z } from 'zod';

/** zod schemas for CDS Hooks 2.0 request bodies (https://cds-hooks.hl7.org/2.0/#http-request). */

const FhirId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'must be a FHIR id');

export const FhirAuthorization = z.object({
  access_token: z.string().min(1),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().nonnegative(),
  scope: z.string().min(1),
  subject: z.string().min(1),
  patient: FhirId.optional(),
});

/**
 * The request every hook shares; `context` is checked per hook. Fields this service does not know (a newer client's)
 * are ignored, as CDS Hooks asks of services; the ones it reads are checked.
 */
export const HookRequest = z
  .looseObject({
    hook: z.string().min(1),
    hookInstance: z.uuid({ message: 'must be a UUID' }),
    fhirServer: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
    fhirAuthorization: FhirAuthorization.optional(),
    context: z.record(z.string(), z.unknown()),
    prefetch: z.record(z.string(), z.unknown()).optional(),
    /** Extensions (https://cds-hooks.hl7.org/2.0/#extensions): accepted, not read. */
    extension: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((request) => request.fhirAuthorization === undefined || request.fhirServer !== undefined, {
    message: 'fhirAuthorization requires fhirServer',
    path: ['fhirServer'],
  });
export type HookRequest = z.infer<typeof HookRequest>;

/** https://cds-hooks.hl7.org/2.0/#order-sign */
export const OrderSignContext = z.object({
  userId: z.string().min(1),
  patientId: FhirId,
  encounterId: FhirId.optional(),
  draftOrders: z.looseObject({ resourceType: z.literal('Bundle', { message: 'draftOrders must be a FHIR Bundle' }) }),
});

/** https://cds-hooks.hl7.org/2.0/#encounter-discharge (hook definition in the CDS Hooks library) */
export const EncounterDischargeContext = z.object({
  userId: z.string().min(1),
  patientId: FhirId,
  encounterId: FhirId,
});

/** Bounds of a feedback body: generous for real use, small enough that nobody stores megabytes through it. */
export const FEEDBACK_LIMITS = { items: 100, id: 128, suggestions: 50, code: 128, system: 512, display: 512, comment: 2000 } as const;

const boundedId = (what: string) => z.string().min(1).max(FEEDBACK_LIMITS.id, `${what} must be at most ${FEEDBACK_LIMITS.id} characters`);

/** https://cds-hooks.hl7.org/2.0/#feedback */
export const FeedbackRequest = z.object({
  feedback: z
    .array(
      z.object({
        card: boundedId('a card id'),
        outcome: z.enum(['accepted', 'overridden']),
        acceptedSuggestions: z
          .array(z.object({ id: boundedId('a suggestion id') }))
          .max(FEEDBACK_LIMITS.suggestions)
          .optional(),
        overrideReason: z
          .object({
            reason: z
              .object({
                code: z.string().min(1).max(FEEDBACK_LIMITS.code),
                system: z.string().max(FEEDBACK_LIMITS.system).optional(),
                display: z.string().max(FEEDBACK_LIMITS.display).optional(),
              })
              .optional(),
            userComment: z.string().max(FEEDBACK_LIMITS.comment).optional(),
          })
          .optional(),
        outcomeTimestamp: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant' }),
      }),
    )
    .min(1)
    .max(FEEDBACK_LIMITS.items, `at most ${FEEDBACK_LIMITS.items} items per call`),
});
export type FeedbackRequest = z.infer<typeof FeedbackRequest>;
