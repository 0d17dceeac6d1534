import FHIR from 'fhirclient';
import type Client from 'fhirclient/lib/Client';
import type { Determination } from '../../src/engine/types.js';
import { LoadError, loadCourse } from './course.js';
import { errorMessage, replaceMain, statusMessage } from './dom.js';
import { renderReview, type ReviewContext } from './view.js';

/** appContext from the token response (CDS Hooks card link), e.g. {"session":"Encounter/enc-1"}. */
function focusOf(client: Client): ReviewContext['focus'] {
  const raw = (client.state.tokenResponse as { appContext?: unknown } | undefined)?.appContext;
  if (typeof raw !== 'string') return {};
  try {
    const value = JSON.parse(raw) as { session?: unknown; order?: unknown };
    return { ...(typeof value.session === 'string' ? { session: value.session } : {}), ...(typeof value.order === 'string' ? { order: value.order } : {}) };
  } catch {
    return {};
  }
}

async function evaluate(bundle: unknown): Promise<Determination> {
  let response: Response;
  try {
    response = await fetch(new URL('../api/v1/evaluate', window.location.href), { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) });
  } catch {
    throw new LoadError('unavailable', 'The billing service did not answer.');
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new LoadError('invalid', `The billing service could not evaluate the record: ${body.error ?? `HTTP ${response.status}`}.`);
  }
  return (await response.json()) as Determination;
}

const ADVICE: Record<LoadError['kind'], { title: string; advice: string }> = {
  expired: { title: 'Your session has expired', advice: 'Relaunch the charge review from the EHR (or from the demo page) to sign in again.' },
  unavailable: { title: 'The record could not be loaded', advice: 'The FHIR server or the billing service is not answering. Try again in a minute; if it persists, contact IT.' },
  invalid: { title: 'The record could not be evaluated', advice: 'Some data in the record is not in the expected form. The message above names it; ask the integration team to check it.' },
};

async function run(): Promise<void> {
  replaceMain(statusMessage('Loading the course…'));
  let client: Client;
  try {
    client = await FHIR.oauth2.ready();
  } catch {
    replaceMain(errorMessage('Not launched', 'Open the charge review from the EHR, or from a CDS card, or from the demo page. The launch state is missing or has expired.'));
    return;
  }
  try {
    const { patient, bundle } = await loadCourse(client);
    const name = (patient.name as { given?: string[]; family?: string }[] | undefined)?.[0];
    document.getElementById('patient')!.textContent = name ? `${(name.given ?? []).join(' ')} ${name.family ?? ''}`.trim() : `Patient ${client.getPatientId()}`;
    replaceMain(statusMessage(`Evaluating ${bundle.entry.length} resources…`));
    const determination = await evaluate(bundle);
    replaceMain(renderReview(determination, { serverUrl: client.state.serverUrl.replace(/\/$/, ''), focus: focusOf(client) }));
  } catch (error) {
    const kind = error instanceof LoadError ? error.kind : 'unavailable';
    const { title, advice } = ADVICE[kind];
    replaceMain(errorMessage(title, `${error instanceof Error ? error.message : ''} ${advice}`.trim(), kind === 'expired' ? undefined : () => void run()));
  }
}

void run();
