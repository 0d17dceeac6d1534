import FHIR from 'fhirclient';
import { readDemoLaunch } from './launch-context.js';

/**
 * SMART App Launch 2.x, EHR launch: `iss` and `launch` come from the EHR. fhirclient discovers the server's
 * endpoints (.well-known/smart-configuration), uses PKCE S256 whenever the server supports it, and sends the
 * user back to index.html. Scopes: read what the review needs, SMART v2 syntax.
 */
export const SCOPES = [
  'launch',
  'launch/patient',
  'openid',
  'fhirUser',
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
  ].map((type) => `patient/${type}.rs`),
].join(' ');

const params = new URLSearchParams(window.location.search);
const demo = readDemoLaunch(params.get('launch'), params.get('iss'), window.location.origin);

/**
 * The demo server is open (no authorization server): an open-server launch (no discovery requests that would
 * only answer 404), with the context the demo page chose standing in for the token response.
 */
const authorize = demo
  ? (window.history.replaceState(null, '', window.location.pathname),
    FHIR.oauth2.authorize({
      fhirServiceUrl: params.get('iss')!,
      clientId: 'rt-billing-reviewer',
      scope: SCOPES,
      redirectUri: './index.html',
      fakeTokenResponse: { patient: demo.patient, ...(demo.appContext ? { appContext: demo.appContext } : {}) },
    }))
  : FHIR.oauth2.authorize({ clientId: 'rt-billing-reviewer', scope: SCOPES, redirectUri: './index.html', pkceMode: 'ifSupported' });

authorize.catch((error: unknown) => {
  const main = document.getElementById('main')!;
  main.innerHTML = '';
  const p = document.createElement('p');
  p.className = 'error';
  p.setAttribute('role', 'alert');
  p.textContent = `The app could not be launched (${error instanceof Error ? error.message : String(error)}). Open it from the EHR, or from the demo page.`;
  main.append(p);
});
