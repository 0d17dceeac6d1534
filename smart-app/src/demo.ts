import { renderCards, type Card, type CardActions } from './card-view.js';
import { errorMessage, h, replaceMain } from './dom.js';
import { demoLaunchUrl } from './launch-context.js';

interface DemoPatient {
  patient: string;
  title: string;
  description: string;
  encounters: string[];
  orders: string[];
}

const origin = window.location.origin;
const fhirBase = `${origin}/fhir`;

async function hook(serviceId: string, context: Record<string, unknown>): Promise<Card[]> {
  const response = await fetch(`${origin}/cds-services/${serviceId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ hook: serviceId.replace('rt-billing-', ''), hookInstance: crypto.randomUUID(), fhirServer: fhirBase, context }),
  });
  const body = (await response.json()) as { cards?: Card[]; issue?: { diagnostics?: string }[] };
  if (!response.ok) throw new Error(body.issue?.[0]?.diagnostics ?? `HTTP ${response.status}`);
  return body.cards ?? [];
}

/**
 * What the EHR does with a card: accepting a suggestion creates its resources on the demo FHIR server (as an EHR
 * would, CDS Hooks 2.0 §Suggestion), dismissing it sends the reason; both send feedback to the service.
 */
function cardActions(serviceId: string): CardActions {
  const feedback = async (item: Record<string, unknown>) => {
    const response = await fetch(`${origin}/cds-services/${serviceId}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ feedback: [{ ...item, outcomeTimestamp: new Date().toISOString() }] }),
    });
    if (!response.ok) throw new Error(`feedback: HTTP ${response.status}`);
  };
  return {
    async accept(card, suggestion) {
      const created: string[] = [];
      for (const action of suggestion.actions ?? []) {
        if (action.type !== 'create' || !action.resource) continue;
        const response = await fetch(`${fhirBase}/${action.resource.resourceType}`, {
          method: 'POST',
          headers: { 'content-type': 'application/fhir+json' },
          body: JSON.stringify(action.resource),
        });
        if (!response.ok) throw new Error(`creating the ${action.resource.resourceType}: HTTP ${response.status}`);
        const resource = (await response.json()) as { resourceType: string; id: string };
        created.push(`${resource.resourceType}/${resource.id}`);
      }
      await feedback({ card: card.uuid, outcome: 'accepted', ...(suggestion.uuid ? { acceptedSuggestions: [{ id: suggestion.uuid }] } : {}) });
      return `Accepted: created ${created.join(', ') || 'nothing'} on the demo FHIR server; feedback sent.`;
    },
    async override(card, reason, comment) {
      await feedback({
        card: card.uuid,
        outcome: 'overridden',
        overrideReason: { ...(reason ? { reason } : {}), ...(comment.trim() ? { userComment: comment.trim() } : {}) },
      });
      return `Dismissed${reason ? ` (${reason.display ?? reason.code})` : ''}; feedback sent.`;
    },
  };
}

/** order-sign with the patient's orders as draft orders, fetched from the demo FHIR server (see /demo/patients). */
async function orderSign(p: DemoPatient): Promise<Card[]> {
  const bundle = (await (await fetch(`${fhirBase}/ServiceRequest?patient=Patient/${p.patient}`)).json()) as {
    entry?: { resource: { resourceType: string; id?: string } & Record<string, unknown> }[];
  };
  const drafts = (bundle.entry ?? [])
    .map((e) => e.resource)
    .filter((r) => p.orders.includes(`${r.resourceType}/${r.id}`))
    .map((r) => ({ resource: { ...r, status: 'draft' } }));
  return hook('rt-billing-order-sign', {
    userId: 'Practitioner/demo-user',
    patientId: p.patient,
    draftOrders: { resourceType: 'Bundle', type: 'collection', entry: drafts },
  });
}

function patientSection(p: DemoPatient): HTMLElement {
  const results = h('div', { class: 'results', 'aria-live': 'polite', id: `results-${p.patient}` });
  const run = (label: string, serviceId: string, call: () => Promise<Card[]>) => {
    const button = h('button', { type: 'button' }, label);
    button.addEventListener('click', async () => {
      results.replaceChildren(h('p', { role: 'status', class: 'status' }, `Calling ${label}…`));
      try {
        const cards = await call();
        results.replaceChildren(
          h('h4', {}, `Cards from ${label}`),
          renderCards(
            cards,
            (link) => demoLaunchUrl(origin, { patient: p.patient, ...(link.appContext ? { appContext: link.appContext } : {}) }),
            cardActions(serviceId),
          ),
        );
      } catch (error) {
        results.replaceChildren(errorMessage('The hook call failed', error instanceof Error ? error.message : String(error)));
      }
    });
    return button;
  };
  return h(
    'section',
    { class: 'demo-patient', 'data-patient': p.patient, 'aria-labelledby': `title-${p.patient}` },
    h('h2', { id: `title-${p.patient}` }, p.title),
    h('p', {}, p.description),
    h('p', {}, h('a', { href: demoLaunchUrl(origin, { patient: p.patient }), class: 'button-link launch' }, 'Open charge review (SMART launch)')),
    h(
      'div',
      { class: 'actions' },
      p.orders.length > 0 ? run('order-sign', 'rt-billing-order-sign', () => orderSign(p)) : null,
      p.encounters.map((encounter) =>
        run(`encounter-discharge ${encounter.split('/')[1]}`, 'rt-billing-encounter-discharge', () =>
          hook('rt-billing-encounter-discharge', { userId: 'Practitioner/demo-user', patientId: p.patient, encounterId: encounter.split('/')[1] }),
        ),
      ),
    ),
    results,
  );
}

async function main(): Promise<void> {
  try {
    const response = await fetch(`${origin}/demo/patients`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { patients } = (await response.json()) as { patients: DemoPatient[] };
    replaceMain(
      h(
        'p',
        {},
        'Each patient below is a FHIR record on the embedded server (',
        h('a', { href: `${fhirBase}/metadata` }, '/fhir'),
        '). Launch the reviewer app, or send the CDS Hooks requests an EHR would send and see the cards it would show.',
      ),
      ...patients.map(patientSection),
    );
  } catch (error) {
    replaceMain(
      errorMessage(
        'The demo data could not be loaded',
        `${error instanceof Error ? error.message : String(error)}. Is the service running with the demo on?`,
      ),
    );
  }
}

void main();
