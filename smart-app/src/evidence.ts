import { AMM_RECORD, TREATED_FRACTION, type Resource } from './course.js';
import { h } from './dom.js';

type Coding = { system?: string; code?: string };
type Reference = { reference?: string; display?: string };

/** The resources the review was computed from, by `Type/id`, and the signatures (Provenance) on each. */
export class EvidenceIndex {
  private readonly byRef = new Map<string, Resource>();
  private readonly signatures = new Map<string, Resource[]>();

  constructor(resources: readonly Resource[]) {
    for (const resource of resources) {
      if (resource.id) this.byRef.set(`${resource.resourceType}/${resource.id}`, resource);
      if (resource.resourceType !== 'Provenance') continue;
      for (const target of (resource.target as Reference[] | undefined) ?? []) {
        const ref = target.reference?.split('/').slice(-2).join('/');
        if (ref) this.signatures.set(ref, [...(this.signatures.get(ref) ?? []), resource]);
      }
    }
  }

  get(ref: string): Resource | undefined {
    return this.byRef.get(ref);
  }

  signaturesOf(ref: string): readonly Resource[] {
    return this.signatures.get(ref) ?? [];
  }
}

const codes = (concept: unknown): string[] =>
  (((concept as { coding?: Coding[] } | undefined)?.coding ?? []) as Coding[]).map((c) => `${c.system}|${c.code}`);

/** What a reviewer calls the resource, not its FHIR type. */
function kindOf(resource: Resource): string {
  switch (resource.resourceType) {
    case 'Procedure':
      return codes(resource.code).includes(TREATED_FRACTION) ? 'Treatment fraction' : 'Procedure';
    case 'DocumentReference':
      return codes(resource.type).includes(AMM_RECORD) ? 'Motion-management record' : 'Document';
    case 'ServiceRequest':
      return resource.intent === 'original-order' || resource.intent === 'order' ? 'Radiotherapy order' : 'Treatment plan';
    case 'Provenance':
      return 'Signature';
    case 'Encounter':
      return 'Treatment session';
    case 'Claim':
      return 'Preauthorization request';
    case 'ClaimResponse':
      return 'Preauthorization response';
    default:
      return resource.resourceType;
  }
}

function dateOf(resource: Resource): string | undefined {
  const period = (value: unknown) => (value as { start?: string } | undefined)?.start;
  const value =
    (resource.performedDateTime as string | undefined) ??
    period(resource.performedPeriod) ??
    (resource.date as string | undefined) ??
    (resource.authoredOn as string | undefined) ??
    (resource.recorded as string | undefined) ??
    period(resource.period) ??
    (resource.created as string | undefined);
  return value
    ?.replace('T', ' ')
    .replace(/:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/, (_m, _f, zone: string | undefined) => (zone === 'Z' ? ' UTC' : zone ? ` ${zone}` : ''));
}

const who = (reference: Reference | undefined): string | undefined => reference?.display ?? reference?.reference;

/** Who signed it and when: its Provenance signatures, or a document's authenticator. */
function signerOf(ref: string, resource: Resource, index: EvidenceIndex): string | undefined {
  const signed = index.signaturesOf(ref).map((provenance) => {
    const signature = (provenance.signature as { who?: Reference; when?: string }[] | undefined)?.[0];
    const agent = (provenance.agent as { who?: Reference }[] | undefined)?.[0];
    const name = who(signature?.who) ?? who(agent?.who) ?? 'someone';
    const when = dateOf({ resourceType: 'Provenance', recorded: signature?.when ?? provenance.recorded });
    return `${name}${when ? ` on ${when}` : ''}`;
  });
  if (signed.length > 0) return `signed by ${signed.join('; ')}`;
  const authenticator = who(resource.authenticator as Reference | undefined);
  if (authenticator) return `authenticated by ${authenticator}`;
  return resource.resourceType === 'DocumentReference' ? 'not signed' : undefined;
}

/**
 * One piece of evidence as a reviewer reads it ("Treatment fraction · 2026-06-02 08:00 UTC · completed ·
 * signed by Practitioner/dr-ro on …"), with the raw FHIR JSON one click away. Evidence the app did not load is
 * named by its reference.
 */
export function evidenceItem(ref: string, index: EvidenceIndex): HTMLElement {
  const resource = index.get(ref);
  if (!resource) return h('li', { class: 'evidence', 'data-evidence': ref }, ref);
  const status = [resource.status, resource.docStatus].filter((s): s is string => typeof s === 'string').join(', ');
  const parts = [kindOf(resource), dateOf(resource), status || undefined, signerOf(ref, resource, index)].filter(Boolean);
  return h(
    'li',
    { class: 'evidence', 'data-evidence': ref },
    h('span', { class: 'evidence-summary' }, parts.join(' · ')),
    h('details', { class: 'raw' }, h('summary', {}, `Raw FHIR (${ref})`), h('pre', { tabindex: '0' }, JSON.stringify(resource, null, 2))),
  );
}
