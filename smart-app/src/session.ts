import type Client from 'fhirclient/lib/Client';
import { Problem } from './problems.js';

/** SMART launch context the app reads from the token response (SMART App Launch 2.x §Launch context). */
export interface LaunchContext {
  readonly need_patient_banner?: unknown;
  readonly smart_style_url?: unknown;
  readonly appContext?: unknown;
  readonly fhirContext?: unknown;
  readonly encounter?: unknown;
}

export const launchContext = (client: Client): LaunchContext => (client.state.tokenResponse ?? {}) as LaunchContext;

/** True when the access token's lifetime (expires_in) is over. A token with no stated expiry is never "expired" here. */
export function tokenExpired(client: Client): boolean {
  const expiresAt = client.state.expiresAt;
  return typeof expiresAt === 'number' && expiresAt * 1000 <= Date.now();
}

/**
 * Before each use of the session: renews the access token with the refresh token when it expires within 10 s
 * (granted with online_access), and says "expired" only when there is no token to use: no refresh token, or a
 * renewal the authorization server refused.
 */
export async function freshSession(client: Client): Promise<void> {
  const hasAccessToken = typeof client.state.tokenResponse?.access_token === 'string';
  if (!hasAccessToken) return; // an open FHIR server (the demo): nothing to renew
  try {
    await client.refreshIfNeeded();
  } catch {
    throw new Problem('expired', 'The access token could not be renewed: the authorization server refused the refresh token.');
  }
  if (tokenExpired(client)) throw new Problem('expired', 'The access token has expired and the EHR granted no way to renew it.');
}

/** The credentials the billing service needs to check the session (src/security/api-auth.ts). */
export function apiCredentials(client: Client): Record<string, string> {
  const token = client.state.tokenResponse?.access_token;
  const patient = client.getPatientId();
  if (!token || !patient) return {};
  const expiresAt = client.state.expiresAt;
  return {
    authorization: `Bearer ${token}`,
    'x-fhir-server': client.state.serverUrl,
    'x-patient-id': patient,
    ...(typeof expiresAt === 'number' ? { 'x-token-expires-at': String(Math.floor(expiresAt)) } : {}),
  };
}
