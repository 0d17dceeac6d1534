import { todayUtc } from '../../src/dates.js';
import { orderCards } from '../../src/cds/cards.js';
import { mergeEntries } from '../../src/cds/hook-data.js';
import { OrderSignContext } from '../../src/cds/schemas.js';
import { parseContext, type CdsService } from '../../src/cds/service.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { extractFacts, prescriptionRefs } from '../../src/fhir/extract.js';
import { parseBundle } from '../../src/fhir/parse.js';
import { definition } from './definition.js';

export const orderSign: CdsService = {
  definition,
  async handle(request, { data, cards }) {
    const context = parseContext(OrderSignContext, request.context);
    const drafts = parseBundle(context.draftOrders, 'context.draftOrders');
    const draftOrders = prescriptionRefs(drafts);
    if (draftOrders.length === 0) return { cards: [] }; // nothing radiotherapy to say about these orders

    const keys = Object.keys(definition.prefetch ?? {});
    const fetched = await Promise.all(keys.map((key) => data.get(key)));
    const determination = evaluate(extractFacts(mergeEntries(drafts, ...fetched), { draftOrders, asOf: todayUtc() }));
    const scope = { hookInstance: request.hookInstance, patientId: context.patientId };
    return {
      cards: determination.orders.filter((order) => draftOrders.includes(order.order)).flatMap((order) => orderCards(order, cards, scope)),
    };
  },
};
