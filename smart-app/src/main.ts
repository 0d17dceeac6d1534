import FHIR from 'fhirclient';
import type Client from 'fhirclient/lib/Client';
import type { Determination } from '../../src/engine/types.js';
import { LoadError, loadCourse } from './course.js';
import { errorMessage, replaceMain, statusMessage } from './dom.js';
import { reportLink } from './report-link.js';
import { renderReview, type ReviewContext } from './view.js';

/**
 * What to open on, from the token response: `appContext` (a CDS Hooks card link, e.g. {"session":"Encounter/1"}),
 * else SMART 2.x `fhirContext` references, else the launch's `encounter`.
 */
function focusOf(client: Client): ReviewContext['focus'] {
  const token = (client.state.tokenResponse ?? {}) as { appContext?: unknown; fhirContext?: unknown; encounter?: unknown };
  if (typeof token.appContext === 'string') {
    try {
      const value = JSON.parse(token.appContext) as { session?: unknown; order?: unknown };
      const focus = {
        ...(typeof value.session === 'string' ? { session: value.session } : {}),
        ...(typeof value.order === 'string' ? { order: value.order } : {}),
      };
      if (focus.session || focus.order) return focus;
    } catch {
      // not JSON: fall through to fhirContext
    }
  }
  const references = (Array.isArray(token.fhirContext) ? token.fhirContext : [])
    .map((c: { reference?: unknown }) => c?.reference)
    .filter((r): r is string => typeof r === 'string');
  const encounter =
    references.find((r) => r.startsWith('Encounter/')) ?? (typeof token.encounter === 'string' ? `Encounter/${token.encounter}` : undefined);
  const order = references.find((r) => r.startsWith('ServiceRequest/'));
  return { ...(encounter ? { session: encounter } : {}), ...(order ? { order } : {}) };
}

/**
 * Evaluates through the service's API. With an EHR's access token, the service checks it by reading the patient
 * on that (allow-listed) FHIR server; the open demo has no token and needs none.
 */
async function evaluate(client: Client, bundle: unknown): Promise<Determination> {
  const token = client.state.tokenResponse?.access_token;
  const patient = client.getPatientId();
  const credentials: Record<string, string> =
    token && patient ? { authorization: `Bearer ${token}`, 'x-fhir-server': client.state.serverUrl, 'x-patient-id': patient } : {};
  let response: Response;
  try {
    response = await fetch(new URL('../api/v1/evaluate', window.location.href), {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', ...credentials },
      body: JSON.stringify(bundle),
    });
  } catch {
    throw new LoadError('unavailable', 'The billing service did not answer.');
  }
  if (response.status === 401) throw new LoadError('expired', 'The billing service did not accept the session.');
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new LoadError('invalid', `The billing service could not evaluate the record: ${body.error ?? `HTTP ${response.status}`}.`);
  }
  return (await response.json()) as Determination;
}

const ADVICE: Record<LoadError['kind'], { title: string; advice: string }> = {
  expired: { title: 'Your session has expired', advice: 'Relaunch the charge review from the EHR (or from the demo page) to sign in again.' },
  unavailable: {
    title: 'The record could not be loaded',
    advice: 'The FHIR server or the billing service is not answering. Try again in a minute; if it persists, contact IT.',
  },
  invalid: {
    title: 'The record could not be evaluated',
    advice: 'Some data in the record is not in the expected form. The message above names it; ask the integration team to check it.',
  },
};

async function run(): Promise<void> {
  replaceMain(statusMessage('Loading the course…'));
  let client: Client;
  try {
    client = await FHIR.oauth2.ready();
  } catch {
    replaceMain(
      errorMessage(
        'Not launched',
        'Open the charge review from the EHR, or from a CDS card, or from the demo page. The launch state is missing or has expired.',
      ),
    );
    return;
  }
  try {
    const { patient, bundle } = await loadCourse(client);
    const name = (patient.name as { given?: string[]; family?: string }[] | undefined)?.[0];
    document.getElementById('patient')!.textContent = name
      ? `${(name.given ?? []).join(' ')} ${name.family ?? ''}`.trim()
      : `Patient ${client.getPatientId()}`;
    replaceMain(statusMessage(`Evaluating ${bundle.entry.length} resources…`));
    const determination = await evaluate(client, bundle);
    replaceMain(
      renderReview(determination, {
        serverUrl: client.state.serverUrl.replace(/\/$/, ''),
        focus: focusOf(client),
        reportLink: reportLink(client, bundle),
      }),
    );
  } catch (error) {
    const kind = error instanceof LoadError ? error.kind : 'unavailable';
    const { title, advice } = ADVICE[kind];
    replaceMain(
      errorMessage(title, `${error instanceof Error ? error.message : ''} ${advice}`.trim(), kind === 'expired' ? undefined : () => void run()),
    );
  }
}

void run();
