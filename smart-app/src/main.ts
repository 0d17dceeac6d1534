import FHIR from 'fhirclient';
import type Client from 'fhirclient/lib/Client';
import type { Determination } from '../../src/engine/types.js';
import { patientBanner } from './banner.js';
import { readCourse, type CourseBundle } from './course.js';
import { errorMessage, replaceMain, statusMessage } from './dom.js';
import { EvidenceIndex } from './evidence.js';
import { ADVICE, apiProblem, authorizationError, Problem, storageBlocked } from './problems.js';
import { reportLink } from './report-link.js';
import { ReviewBook } from './review-state.js';
import { apiCredentials, freshSession, launchContext } from './session.js';
import { applySmartStyle } from './style.js';
import { courseUpload } from './upload.js';
import { renderReview, type ReviewContext } from './view.js';

/**
 * What to open on, from the token response: `appContext` (a CDS Hooks card link, e.g. {"session":"Encounter/1"}),
 * else SMART 2.x `fhirContext` references, else the launch's `encounter`.
 */
function focusOf(client: Client): ReviewContext['focus'] {
  const token = launchContext(client);
  if (typeof token.appContext === 'string') {
    try {
      const value = JSON.parse(token.appContext) as { session?: unknown; order?: unknown; phase?: unknown };
      const focus = {
        ...(typeof value.session === 'string' ? { session: value.session } : {}),
        ...(typeof value.order === 'string' ? { order: value.order } : {}),
        ...(typeof value.phase === 'string' ? { phase: value.phase } : {}),
      };
      if (focus.session || focus.order || focus.phase) return focus;
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
 * Evaluates through the service's API. With an EHR's access token, the service checks it against that
 * (allow-listed) FHIR server, for as long as the token lives; the open demo has no token and needs none.
 */
async function evaluate(client: Client, bundle: CourseBundle): Promise<Determination> {
  await freshSession(client);
  const { body, headers } = await courseUpload(bundle);
  let response: Response;
  try {
    response = await fetch(new URL('../api/v1/evaluate', window.location.href), {
      method: 'POST',
      headers: { ...headers, ...apiCredentials(client) },
      body,
    });
  } catch {
    throw new Problem('service-down', 'The billing service did not answer.');
  }
  if (!response.ok) throw apiProblem(response.status, (await response.json().catch(() => ({}))) as Parameters<typeof apiProblem>[1]);
  return (await response.json()) as Determination;
}

function showProblem(problem: Problem, retry?: () => void): void {
  const { title, next, retry: canRetry } = ADVICE[problem.kind];
  replaceMain(errorMessage(title, `${problem.detail} ${next}`.trim(), canRetry ? retry : undefined, problem.kind));
}

async function review(client: Client): Promise<void> {
  replaceMain(statusMessage('Loading the course…'));
  try {
    await freshSession(client);
    // The review states come from the service, beside the EHR's reads; asking early also has the service check the
    // token with the EHR while the app reads, not when it evaluates.
    const reviewBook = ReviewBook.load(client);
    const reading = readCourse(client);
    // The banner as soon as the Patient arrives, before the course.
    const patient = await reading.patient;
    const banner = patientBanner(patient, launchContext(client).need_patient_banner);
    document.getElementById('patient-banner-slot')!.replaceChildren(...(banner ? [banner] : []));
    const bundle = await reading.course;
    replaceMain(statusMessage(`Evaluating ${bundle.entry.length} resources…`));
    const [determination, reviews] = await Promise.all([evaluate(client, bundle), reviewBook]);
    const evidence = new EvidenceIndex(bundle.entry.map((e) => e.resource));
    replaceMain(
      renderReview(determination, {
        evidence,
        focus: focusOf(client),
        reload: () => void review(client),
        reportLink: reportLink(client, bundle),
        patient: patient as ReviewContext['patient'],
        reviews,
      }),
    );
  } catch (error) {
    showProblem(error instanceof Problem ? error : new Problem('fhir-server-down', 'The record could not be read.'), () => void review(client));
  }
}

async function run(): Promise<void> {
  const refused = authorizationError(new URLSearchParams(window.location.search)) ?? storageBlocked();
  if (refused) return showProblem(refused);
  let client: Client;
  try {
    client = await FHIR.oauth2.ready();
  } catch {
    return showProblem(new Problem('not-launched', ''));
  }
  void applySmartStyle(launchContext(client).smart_style_url);
  await review(client);
}

void run();
