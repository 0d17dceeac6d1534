/**
 * Everything that can stop a review, each with its own message and next step: an integrator reading the screen
 * must know where to look (the EHR's authorization server, the service's allowlist, the FHIR server, the
 * session), and a reviewer what to do (relaunch, try again, call someone).
 */
export type ProblemKind =
  | 'not-launched'
  | 'storage-blocked'
  | 'authorization-refused'
  | 'server-not-allowed'
  | 'token-refused'
  | 'expired'
  | 'fhir-server-down'
  | 'not-found'
  | 'service-down'
  | 'throttled'
  | 'invalid';

export class Problem extends Error {
  constructor(
    readonly kind: ProblemKind,
    /** What happened, in a sentence that may carry details (the OAuth error, the server URL). */
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'Problem';
  }
}

interface Advice {
  readonly title: string;
  readonly next: string;
  /** Whether "Try again" can help (it cannot when a new launch or a setting is needed). */
  readonly retry: boolean;
}

export const ADVICE: Record<ProblemKind, Advice> = {
  'not-launched': {
    title: 'Not launched',
    next: 'Open the charge review from the EHR, or from a CDS card, or from the demo page. The launch state is missing or has expired.',
    retry: false,
  },
  'storage-blocked': {
    title: 'The browser blocks the app inside this EHR window',
    next: "Open the charge review in a window of its own (button below). To use it inside the EHR, ask IT to serve the app on the EHR's own site (the same registrable domain) or to let the browser keep the app's data in the EHR's frame.",
    retry: false,
  },
  'authorization-refused': {
    title: 'The EHR did not authorize the app',
    next: 'Relaunch the charge review from the EHR. If this happens again, give this message to the EHR administrator: the app registration (client id rt-billing-reviewer, its redirect URL and scopes) may need a change.',
    retry: false,
  },
  'server-not-allowed': {
    title: 'This FHIR server is not allowed by the billing service',
    next: "Ask the billing service's operator to add this FHIR base URL to FHIR_SERVER_ALLOWLIST. The service sends access tokens only to the servers listed there.",
    retry: false,
  },
  'token-refused': {
    title: "The EHR's FHIR server refused the app's access",
    next: 'Relaunch the charge review from the EHR. If this happens again, ask the EHR administrator to check the access granted to the app (revoked, or scopes missing).',
    retry: false,
  },
  expired: {
    title: 'Your session has expired',
    next: 'Relaunch the charge review from the EHR (or from the demo page) to sign in again.',
    retry: false,
  },
  'fhir-server-down': {
    title: "The EHR's FHIR server is not answering",
    next: 'Try again in a minute. If it persists, contact IT: the EHR or its FHIR interface may be down.',
    retry: true,
  },
  'not-found': {
    title: "The EHR's FHIR server does not have this patient's record",
    next: "Relaunch the charge review from the patient's chart. If this happens again, give this message to the EHR administrator: the launch named a patient or encounter its FHIR server does not know.",
    retry: false,
  },
  'service-down': {
    title: 'The billing service is not answering',
    next: "Try again in a minute. If it persists, contact the billing service's operator.",
    retry: true,
  },
  throttled: {
    title: 'Too many failed sign-ins from this network',
    next: 'Try again in a minute. If it keeps happening, tell IT: the billing service is holding back sign-ins from this network after many failed ones.',
    retry: true,
  },
  invalid: {
    title: 'The record could not be evaluated',
    next: 'Some data in the record is not in the expected form. The message above names it; ask the integration team to check it.',
    retry: true,
  },
};

/** OAuth 2.0 (RFC 6749 §4.1.2.1) and OpenID Connect (Core §3.1.2.6) authorization error codes, explained. */
const OAUTH_ERRORS: Record<string, string> = {
  access_denied: 'access to the record was declined',
  invalid_scope: 'the app asked for scopes the EHR does not grant it',
  unauthorized_client: 'the app is not registered for this kind of launch',
  unsupported_response_type: 'the EHR does not support the kind of request the app made',
  invalid_request: 'the EHR found the launch request invalid',
  server_error: 'the authorization server failed',
  temporarily_unavailable: 'the authorization server is temporarily unavailable',
  login_required: 'the user must sign in to the EHR first',
  consent_required: 'the user has not consented to the app',
  interaction_required: 'the EHR needs the user to act before authorizing the app',
  account_selection_required: 'the user must choose an account in the EHR',
};

/** What an error code looks like (RFC 6749's are words joined by `_`); anything else is not shown. */
const ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The OAuth error redirect (`?error=…`), or null when the URL has none. Anyone can send a reviewer a link to the app
 * with an `error_description` (or an `error`) of their choosing — "your session is locked, call 555-0100" — so the
 * app says a fixed sentence: the error code when it looks like one, and what a known code means. The description
 * is never shown.
 */
export function authorizationError(params: URLSearchParams): Problem | null {
  const error = params.get('error');
  if (!error) return null;
  const code = ERROR_CODE.test(error) ? error : null;
  // Own keys only: `?error=constructor` is not Object's.
  const meaning = code && Object.hasOwn(OAUTH_ERRORS, code) ? OAUTH_ERRORS[code] : undefined;
  return new Problem(
    'authorization-refused',
    code
      ? `The authorization server refused the launch with error code ${code}${meaning ? ` (${meaning})` : ''}.`
      : 'The authorization server refused the launch with an error code the app does not show.',
  );
}

/** An HTTP status from the FHIR server, as a problem: a refused token is told apart from an expired session. */
export function fhirProblem(status: number | undefined, tokenExpired: boolean): Problem {
  if (status === 401 || status === 403)
    return tokenExpired
      ? new Problem('expired', 'The FHIR server no longer accepts the session: its access token has expired.')
      : new Problem('token-refused', `The FHIR server answered HTTP ${status} to a request made with a current access token.`);
  if (status === 404 || status === 410) return new Problem('not-found', `The FHIR server answered HTTP ${status}: no such record.`);
  return new Problem('fhir-server-down', `The FHIR server did not answer as expected${status ? ` (HTTP ${status})` : ''}.`);
}

/** The codes the billing service's API refuses with (src/security/api-auth.ts). */
const API_REFUSALS: Record<string, ProblemKind> = {
  'fhir-server-not-allowed': 'server-not-allowed',
  'token-expired': 'expired',
  'token-refused': 'token-refused',
  'credentials-required': 'token-refused',
  'credentials-refused': 'token-refused',
  'fhir-server-unavailable': 'fhir-server-down',
  'too-many-attempts': 'throttled',
};

/** The billing service's error body: an OperationOutcome (refusals name their code in issue[0].details). */
interface ServiceError {
  readonly error?: unknown;
  readonly issue?: readonly { readonly diagnostics?: unknown; readonly details?: { readonly coding?: readonly { readonly code?: unknown }[] } }[];
}

export function apiProblem(status: number, body: ServiceError): Problem {
  const issue = body.issue?.[0];
  const said = issue?.diagnostics ?? body.error;
  const message = typeof said === 'string' ? said : `HTTP ${status}`;
  const code = issue?.details?.coding?.[0]?.code;
  const kind = typeof code === 'string' ? API_REFUSALS[code] : undefined;
  if (kind) return new Problem(kind, `The billing service: ${message}.`);
  if (status >= 500) return new Problem('service-down', `The billing service failed (HTTP ${status}).`);
  return new Problem('invalid', `The billing service could not evaluate the record: ${message}.`);
}

/** Whether the browser lets the app keep its launch state (sessionStorage); cross-site frames may not. */
export function storageBlocked(): Problem | null {
  try {
    window.sessionStorage.setItem('rt-billing-probe', '1');
    window.sessionStorage.removeItem('rt-billing-probe');
    return null;
  } catch {
    return new Problem(
      'storage-blocked',
      'The app is shown in a frame from another site and the browser does not let it keep its sign-in state there.',
    );
  }
}
