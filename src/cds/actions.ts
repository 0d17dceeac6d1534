import type { Claim, CommunicationRequest, Reference, Task } from 'fhir/r4.js';
import type { Ref, SuggestedAction } from '../engine/types.js';
import { CPT, RTB } from '../fhir/vocabulary.js';
import type { SuggestionAction } from './types.js';

/**
 * The FHIR R4 resources the cards suggest for the engine's actions. Each is complete and valid R4 (tests run them
 * through a validator), and of the kind an EHR accepts from a CDS service:
 * - a signature before the next beam-on → a Task for the physician (code `approve`, the focus to sign, due before the
 *   next beam-on): EHRs route Tasks to an inbox, and `systemActions` can create it with no click (CDS_SYSTEM_ACTIONS);
 * - a new preauthorization → a draft Claim (use `preauthorization`) with what R4 requires — `created`, `provider` (the
 *   signing user), `priority`, `insurance` (the patient's active Coverage) — so that the EHR's prior-auth workflow can
 *   submit it; without a known Coverage no valid Claim can be written, and a CommunicationRequest to the billing office
 *   asks for it instead;
 * - a peer-to-peer review → a CommunicationRequest to the payer, about the order and the authorization on file.
 */
export interface ActionScope {
  readonly patientId: string;
  /** `context.userId` of the hook: who signs the order (the Claim's provider, the requester). */
  readonly userId: string;
  /** The patient's active Coverage and its payer, when known. */
  readonly coverage: { readonly ref: Ref; readonly payor: Ref | null } | null;
  /** The coverage could not be read (not sent, fetch failed): none known is not none on file. */
  readonly coverageUnread?: boolean;
  /** The instant the hook runs (R4 `created`/`authoredOn`). */
  readonly now: string;
}

const reference = (ref: Ref): Reference => ({ reference: ref });
const TASK_CODES = 'http://hl7.org/fhir/CodeSystem/task-code';
const SIGNATURE_WORDS = {
  'approve-images': {
    label: 'Ask the physician to approve the guidance images',
    text: 'Approve the IGRT images before the next fraction (77387-26)',
  },
  'sign-amm-record': { label: 'Ask the physician to sign the AMM record', text: 'Sign the active motion management record before the next beam-on' },
} as const;

function signatureTask(action: Extract<SuggestedAction, { kind: 'physician-signature' }>, scope: ActionScope): Task {
  return {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    priority: 'urgent',
    code: { coding: [{ system: TASK_CODES, code: 'approve', display: 'Activate/approve the focal resource' }] },
    description: SIGNATURE_WORDS[action.what].text,
    focus: reference(action.focus),
    for: reference(action.patient ?? `Patient/${scope.patientId}`),
    authoredOn: scope.now,
    requester: reference(scope.userId),
    ...(action.physician ? { owner: reference(action.physician) } : {}),
    // Due by the next booked treatment (the schedule), else by the next beam-on when one is known.
    ...((action.deadline ?? action.before) ? { restriction: { period: { end: (action.deadline ?? action.before)! } } } : {}),
  };
}

/** CPT codes as Claim items: a `-26` suffix is the CPT modifier 26 on the item. */
function claimItems(codes: readonly string[]): NonNullable<Claim['item']> {
  return codes.map((code, index) => {
    const [cpt, modifier] = code.split('-');
    return {
      sequence: index + 1,
      productOrService: { coding: [{ system: CPT, code: cpt! }] },
      ...(modifier ? { modifier: [{ coding: [{ system: CPT, code: modifier }] }] } : {}),
    };
  });
}

function preauthorization(action: Extract<SuggestedAction, { kind: 'preauthorization' }>, scope: ActionScope): Claim | CommunicationRequest {
  const patient = reference(action.patient ?? `Patient/${scope.patientId}`);
  const text = `Request a preauthorization for ${action.codes.join(' + ')} for ${action.order} (2026 codes).`;
  if (!scope.coverage) {
    return {
      resourceType: 'CommunicationRequest',
      status: 'draft',
      priority: 'asap',
      subject: patient,
      about: [reference(action.order)],
      payload: [
        {
          contentString: scope.coverageUnread
            ? `${text} The patient's coverage could not be read by the billing service: check the active coverage, then request the authorization.`
            : `${text} No active coverage is on file: record it, then request the authorization.`,
        },
      ],
      authoredOn: scope.now,
      requester: reference(scope.userId),
    };
  }
  return {
    resourceType: 'Claim',
    status: 'draft',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'preauthorization',
    patient,
    created: scope.now,
    provider: reference(scope.userId),
    ...(scope.coverage.payor ? { insurer: reference(scope.coverage.payor) } : {}),
    priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
    insurance: [{ sequence: 1, focal: true, coverage: reference(scope.coverage.ref) }],
    supportingInfo: [
      {
        sequence: 1,
        category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claiminformationcategory', code: 'info' }] },
        valueReference: reference(action.order),
      },
    ],
    item: claimItems(action.codes),
  };
}

function peerToPeer(action: Extract<SuggestedAction, { kind: 'peer-to-peer' }>, scope: ActionScope): CommunicationRequest {
  return {
    resourceType: 'CommunicationRequest',
    status: 'draft',
    priority: 'asap',
    category: [
      { coding: [{ system: `${RTB}CodeSystem/communication-purpose`, code: 'peer-to-peer', display: 'Peer-to-peer review with the payer' }] },
    ],
    subject: reference(action.patient ?? `Patient/${scope.patientId}`),
    about: [reference(action.order), reference(action.authorization)],
    payload: [
      {
        contentString: `Peer-to-peer review requested: ${action.order} describes ${action.expected}, the authorization on file (${action.authorization}) names another level.`,
      },
    ],
    authoredOn: scope.now,
    requester: reference(scope.userId),
    ...(scope.coverage?.payor ? { recipient: [reference(scope.coverage.payor)] } : {}),
  };
}

/** A suggestion's label and its create action, for one engine action. */
export function fhirAction(action: SuggestedAction, scope: ActionScope): { label: string; action: SuggestionAction } {
  switch (action.kind) {
    case 'physician-signature':
      return {
        label: SIGNATURE_WORDS[action.what].label,
        action: {
          type: 'create',
          description: `Create a task for the physician: ${SIGNATURE_WORDS[action.what].text.toLowerCase()}`,
          resource: signatureTask(action, scope),
        },
      };
    case 'preauthorization': {
      const resource = preauthorization(action, scope);
      return {
        label: `Request a new authorization for ${action.codes.join(' + ')}`,
        action: {
          type: 'create',
          description:
            resource.resourceType === 'Claim'
              ? 'Create a draft preauthorization request with the 2026 codes this order describes'
              : 'Ask the billing office for a preauthorization with the 2026 codes (no coverage on file for a claim)',
          resource,
        },
      };
    }
    case 'peer-to-peer':
      return {
        label: `Request a peer-to-peer review for ${action.expected}`,
        action: { type: 'create', description: 'Create a request for a peer-to-peer review with the payer', resource: peerToPeer(action, scope) },
      };
  }
}

/** Whether an action needs no decision from the user, so that it may go in `systemActions` when the setting allows. */
export const needsNoClick = (action: SuggestedAction): boolean => action.kind === 'physician-signature';
