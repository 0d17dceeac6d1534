import FHIR from 'fhirclient';
import { errorMessage, h, replaceMain } from './dom.js';
import { readDemoLaunch } from './launch-context.js';
import { ADVICE, Problem, storageBlocked } from './problems.js';

/**
 * SMART App Launch 2.x, EHR launch: `iss` and `launch` come from the EHR. fhirclient discovers the server's
 * endpoints (.well-known/smart-configuration), uses PKCE S256 whenever the server supports it, and sends the
 * user back to index.html. Scopes: read what the review needs (SMART v2 syntax), and `online_access` so a long
 * review renews its access token instead of asking for a relaunch.
 */
export const SCOPES = [
  'launch',
  'launch/patient',
  'openid',
  'fhirUser',
  'online_access',
  ...[
    'Patient',
    'Procedure',
    'ServiceRequest',
    'DocumentReference',
    'Provenance',
    'Encounter',
    'Location',
    'Coverage',
    'Organization',
    'Claim',
    'ClaimResponse',
    'ExplanationOfBenefit',
  ].map((type) => `patient/${type}.rs`),
  // The rendering practitioner's NPI in the CSV export: Practitioner is outside the patient compartment.
  'user/Practitioner.rs',
].join(' ');

const params = new URLSearchParams(window.location.search);
const iss = params.get('iss');

function show(problem: Problem): void {
  const { title, next, retry } = ADVICE[problem.kind];
  const ownWindow =
    problem.kind === 'storage-blocked'
      ? h('a', { href: window.location.href, target: '_blank', rel: 'noopener', class: 'button-link', id: 'open-window' }, 'Open in a new window')
      : undefined;
  replaceMain(errorMessage(title, `${problem.detail} ${next}`, retry ? () => window.location.reload() : undefined, problem.kind, ownWindow));
}

/** Asks the billing service whether it may call this FHIR server, before the EHR is involved. */
async function checkServer(url: string): Promise<void> {
  let answer: { allowed?: unknown };
  try {
    const response = await fetch(new URL(`../api/v1/fhir-servers/check?url=${encodeURIComponent(url)}`, window.location.href));
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    answer = (await response.json()) as { allowed?: unknown };
  } catch {
    throw new Problem('service-down', 'The billing service did not answer before the launch.');
  }
  if (answer.allowed !== true)
    throw new Problem('server-not-allowed', `The EHR launched the app against ${url}, which the billing service may not call.`);
}

async function launch(): Promise<void> {
  if (!iss) throw new Problem('not-launched', 'The launch named no FHIR server (iss).');
  const blocked = storageBlocked();
  if (blocked) throw blocked;
  await checkServer(iss);
  const demo = readDemoLaunch(params.get('launch'), iss, window.location.origin);
  if (demo) {
    // The demo server is open (no authorization server): an open-server launch, with the context the demo
    // page chose standing in for the token response.
    window.history.replaceState(null, '', window.location.pathname);
    await FHIR.oauth2.authorize({
      fhirServiceUrl: iss,
      clientId: 'rt-billing-reviewer',
      scope: SCOPES,
      redirectUri: './index.html',
      completeInTarget: true,
      fakeTokenResponse: { patient: demo.patient, ...(demo.appContext ? { appContext: demo.appContext } : {}) },
    });
    return;
  }
  try {
    await FHIR.oauth2.authorize({
      clientId: 'rt-billing-reviewer',
      scope: SCOPES,
      redirectUri: './index.html',
      pkceMode: 'ifSupported',
      // Inside an EHR's frame, the whole launch happens in the frame.
      completeInTarget: true,
    });
  } catch (error) {
    throw new Problem(
      'fhir-server-down',
      `The EHR's FHIR server could not be asked how to authorize (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
}

launch().catch((error: unknown) => show(error instanceof Problem ? error : new Problem('not-launched', String(error))));
