import { todayUtc } from '../../src/dates.js';
import { generalCards, phaseCards, sessionCards } from '../../src/cds/cards.js';
import { mergeEntries, type HookData } from '../../src/cds/hook-data.js';
import { EncounterDischargeContext } from '../../src/cds/schemas.js';
import { parseContext, type CdsService } from '../../src/cds/service.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { AMM_RECORD_TYPE } from '../../src/fhir/codes.js';
import { extractFacts } from '../../src/fhir/extract.js';
import type { BundleEntry } from '../../src/fhir/parse.js';
import type { ResourceOf } from '../../src/fhir/schemas.js';
import { definition } from './definition.js';

const idOf = (reference: string | undefined): string | undefined => reference?.split('/').slice(-2).join('/');

/**
 * What a server that ignores _revinclude leaves out, fetched when a fhirServer is given: the AMM records of this
 * session's fractions, then the signatures (Provenance) of the fractions and records; with them, the session's
 * Location (site of service) and the payer Organization.
 */
async function followUps(
  data: HookData,
  entries: readonly BundleEntry[],
  sessionFractions: readonly ResourceOf<'Procedure'>[],
  encounterRef: string,
): Promise<BundleEntry[][]> {
  if (!data.canFetch || sessionFractions.length === 0) return [];
  const have = new Set(entries.map((e) => `${e.resource.resourceType}/${e.resource.id}`));
  const fractionRefs = sessionFractions.map((f) => `Procedure/${f.id}`);
  const encounter = entries.find((e) => `${e.resource.resourceType}/${e.resource.id}` === encounterRef)?.resource as
    ResourceOf<'Encounter'> | undefined;
  const coverage = entries.find((e) => e.resource.resourceType === 'Coverage')?.resource as ResourceOf<'Coverage'> | undefined;
  const reads = [...(encounter?.location ?? []).map((l) => idOf(l.location.reference)), idOf(coverage?.payor[0]?.reference)].filter(
    (ref): ref is string => ref !== undefined && /^(Location|Organization)\//.test(ref) && !have.has(ref),
  );
  const [records, ...read] = await Promise.all([
    data.fetch(`DocumentReference?related=${fractionRefs.join(',')}&type=${AMM_RECORD_TYPE}`, 'AMM records (DocumentReference)'),
    ...reads.map((ref) => data.fetch(ref)),
  ]);
  const recordRefs = [...entries, ...records]
    .filter((e) => e.resource.resourceType === 'DocumentReference')
    .filter((e) =>
      ((e.resource as ResourceOf<'DocumentReference'>).context?.related ?? []).some((r) => fractionRefs.includes(idOf(r.reference) ?? '')),
    )
    .map((e) => `DocumentReference/${e.resource.id}`);
  const signatures = await data.fetch(`Provenance?target=${[...fractionRefs, ...new Set(recordRefs)].join(',')}`, 'signatures (Provenance)');
  return [records, signatures, ...read];
}

export const encounterDischarge: CdsService = {
  definition,
  async handle(request, { data, cards }) {
    const context = parseContext(EncounterDischargeContext, request.context);
    const encounterRef = `Encounter/${context.encounterId}`;
    // Keys in the order of the definition: the session's full fractions come before the course's thin ones, and
    // mergeEntries keeps the first copy of each resource.
    const keys = Object.keys(definition.prefetch ?? {});
    const prefetched = mergeEntries(...(await Promise.all(keys.map((key) => data.get(key)))));
    const sessionFractions = prefetched
      .map((e) => e.resource)
      .filter(
        (r): r is ResourceOf<'Procedure'> =>
          r.resourceType === 'Procedure' && idOf((r as ResourceOf<'Procedure'>).encounter?.reference) === encounterRef,
      );
    if (sessionFractions.length === 0) return { cards: [] }; // not a radiotherapy treatment session

    const entries = mergeEntries(prefetched, ...(await followUps(data, prefetched, sessionFractions, encounterRef)));
    const determination = evaluate(extractFacts(entries, { focusEncounters: [encounterRef], asOf: todayUtc() }));
    const scope = { hookInstance: request.hookInstance, patientId: context.patientId };
    return {
      cards: [
        ...determination.sessions.flatMap((session) => sessionCards(session, cards, scope)),
        ...determination.phases.flatMap((phase) => phaseCards(phase, cards, scope)),
        ...generalCards(determination.findings, cards, scope),
      ],
    };
  },
};
