/**
 * The demo's stand-in for an EHR launch context. A real EHR's `launch` is opaque and the token response
 * carries `patient` and `appContext`; the open demo server has no authorization server, so the demo page
 * encodes them in `launch=demo.<base64url JSON>`, honoured only for this origin's own /fhir server.
 */
export interface DemoLaunch {
  readonly patient: string;
  readonly appContext?: string;
}

const encode = (text: string): string =>
  btoa(unescape(encodeURIComponent(text)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const decode = (text: string): string => decodeURIComponent(escape(atob(text.replace(/-/g, '+').replace(/_/g, '/'))));

export function demoLaunchParam(launch: DemoLaunch): string {
  return `demo.${encode(JSON.stringify(launch))}`;
}

export function readDemoLaunch(launch: string | null, iss: string | null, origin: string): DemoLaunch | null {
  if (!launch?.startsWith('demo.') || iss !== `${origin}/fhir`) return null;
  try {
    const value = JSON.parse(decode(launch.slice(5))) as Partial<DemoLaunch>;
    return typeof value.patient === 'string'
      ? { patient: value.patient, ...(typeof value.appContext === 'string' ? { appContext: value.appContext } : {}) }
      : null;
  } catch {
    return null;
  }
}

/** The URL that launches the app against this origin's demo FHIR server. */
export function demoLaunchUrl(origin: string, launch: DemoLaunch): string {
  return `${origin}/smart-app/launch.html?iss=${encodeURIComponent(`${origin}/fhir`)}&launch=${demoLaunchParam(launch)}`;
}
