import { orderSignCards, response, systemActionsFor, type CardScope } from '../../src/cds/cards.js';
import { readReferenced, typeAndId } from '../../src/cds/evidence.js';
import { mergeEntries } from '../../src/cds/hook-data.js';
import { requireOnePatient } from '../../src/cds/one-patient.js';
import { OrderSignContext } from '../../src/cds/schemas.js';
import { parseContext, type CdsService } from '../../src/cds/service.js';
import { todayAtClinic } from '../../src/dates.js';
import type { Ref } from '../../src/engine/types.js';
import { prescriptionRefs } from '../../src/fhir/extract.js';
import { statesTimeZone } from '../../src/fhir/paths.js';
import { parseBundle, type BundleEntry } from '../../src/fhir/parse.js';
import type { ResourceOf } from '../../src/fhir/schemas.js';
import { evaluateEntries } from '../../src/pipeline.js';
import { definition, PREFETCH } from './definition.js';

/**
 * The requesters' PractitionerRoles (is a physician ordering?), the payer Organization of the coverage, and the
 * Locations the orders name (their time zone dates the order), with the Locations those are part of.
 */
function referenced(entries: readonly BundleEntry[]): Ref[] {
  const requests = entries.filter((e) => e.resource.resourceType === 'ServiceRequest').map((e) => e.resource as ResourceOf<'ServiceRequest'>);
  const coverage = entries.filter((e) => e.resource.resourceType === 'Coverage').map((e) => e.resource as ResourceOf<'Coverage'>);
  const locations = entries.filter((e) => e.resource.resourceType === 'Location').map((e) => e.resource as ResourceOf<'Location'>);
  return [
    ...requests.map((r) => typeAndId(r.requester?.reference)),
    ...coverage.map((c) => typeAndId(c.payor[0]?.reference)),
    ...requests.flatMap((r) => (r.locationReference ?? []).map((l) => typeAndId(l.reference))),
    ...locations.filter((l) => !statesTimeZone(l)).map((l) => typeAndId(l.partOf?.reference)),
  ].filter((ref): ref is Ref => !!ref && /^(PractitionerRole|Organization|Location)\//.test(ref));
}

export const orderSign: CdsService = {
  definition,
  prefetch: PREFETCH,
  async handle(request, { data, cards, now, clinicTimeZone }) {
    const context = parseContext(OrderSignContext, request.context);
    const drafts = parseBundle(context.draftOrders, 'context.draftOrders');
    const draftOrders = prescriptionRefs(drafts);
    if (draftOrders.length === 0) return { cards: [] }; // nothing radiotherapy to say about these orders

    // One wave: the keys, the payer if the EHR sent it with the coverage, and what the drafts name (the requesters'
    // roles, the Locations), read beside them; then what the answers name (the payer) if it did not come along.
    const tried = new Set<Ref>();
    const fromDrafts = readReferenced(data, drafts, referenced, () => undefined, 3, tried);
    const [coverage, claims, responses, payerOrganization, named] = await Promise.all([
      data.records('coverage'),
      data.records('preauthorizations'),
      data.records('preauthorizationResponses'),
      // Only the payer Organization it includes: the Coverage is the coverage key's to say.
      data.key('payer', { fetch: false }).then((key) => key.entries.filter((e) => e.resource.resourceType === 'Organization')),
      fromDrafts,
    ]);
    const entries = await readReferenced(
      data,
      mergeEntries(drafts, coverage, claims, responses, payerOrganization, named),
      referenced,
      () => undefined,
      3,
      tried,
    );
    requireOnePatient(entries, context.patientId);
    const { determination, input } = evaluateEntries(entries, {
      draftOrders,
      asOf: todayAtClinic(clinicTimeZone, now),
      clinicTimeZone,
      unread: data.unread,
    });
    const payer = input.payers[`Patient/${context.patientId}`];
    const payor = entries.find((e) => payer && `Coverage/${e.resource.id ?? ''}` === payer.coverage)?.resource as ResourceOf<'Coverage'> | undefined;
    const scope: CardScope = {
      hookInstance: request.hookInstance,
      patientId: context.patientId,
      userId: context.userId,
      coverageUnread: (input.unread ?? []).some((u) => u.kind === 'coverage'),
      coverage: payer ? { ref: payer.coverage, payor: typeAndId(payor?.payor[0]?.reference) ?? null } : null,
      now: now.toISOString(),
    };
    const orders = determination.orders.filter((order) => draftOrders.includes(order.order));
    return response(orderSignCards(orders, cards, scope), systemActionsFor({ ...determination, sessions: [], orders, findings: [] }, cards, scope));
  },
};
