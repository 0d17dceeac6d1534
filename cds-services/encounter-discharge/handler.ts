import { dischargeCards, response, systemActionsFor, type CardScope } from '../../src/cds/cards.js';
import { ammRecordsOf, laterFractionsOf, readReferenced, refOf, signaturesOf, typeAndId } from '../../src/cds/evidence.js';
import { mergeEntries, type HookData } from '../../src/cds/hook-data.js';
import { requireOnePatient } from '../../src/cds/one-patient.js';
import { EncounterDischargeContext } from '../../src/cds/schemas.js';
import { UpstreamError } from '../../src/errors.js';
import { parseContext, type CdsService } from '../../src/cds/service.js';
import type { Ref } from '../../src/engine/types.js';
import { todayAtClinic } from '../../src/dates.js';
import { AMM_RECORD_TYPE, codingKeys } from '../../src/fhir/codes.js';
import { statesTimeZone } from '../../src/fhir/paths.js';
import type { BundleEntry } from '../../src/fhir/parse.js';
import type { ResourceOf } from '../../src/fhir/schemas.js';
import { evaluateEntries } from '../../src/pipeline.js';
import { definition, PREFETCH } from './definition.js';

type Procedure = ResourceOf<'Procedure'>;

const resourcesOf = <T>(entries: readonly BundleEntry[], type: string): T[] =>
  entries.filter((e) => e.resource.resourceType === type).map((e) => e.resource as T);

/**
 * The references the evaluation needs and the prefetch may not hold: the plans and prescriptions behind the
 * fractions (and theirs, in turn), the session's Location (its time zone and setting), the payer Organization, the
 * PractitionerRoles that sign or order, and the signing Practitioners (their qualifications: a physician or not).
 */
function referenced(entries: readonly BundleEntry[]): Ref[] {
  const refs = (values: readonly ({ reference?: string } | undefined)[]) => values.map((v) => typeAndId(v?.reference)).filter((r): r is Ref => !!r);
  const procedures = resourcesOf<Procedure>(entries, 'Procedure');
  const requests = resourcesOf<ResourceOf<'ServiceRequest'>>(entries, 'ServiceRequest');
  const provenance = resourcesOf<ResourceOf<'Provenance'>>(entries, 'Provenance');
  return [
    ...refs(procedures.flatMap((p) => p.basedOn ?? [])),
    ...refs(requests.flatMap((r) => r.basedOn ?? [])),
    ...refs(resourcesOf<ResourceOf<'Encounter'>>(entries, 'Encounter').flatMap((e) => (e.location ?? []).map((l) => l.location))),
    ...refs(
      resourcesOf<ResourceOf<'Location'>>(entries, 'Location')
        .filter((l) => !statesTimeZone(l))
        .map((l) => l.partOf),
    ),
    ...refs(resourcesOf<ResourceOf<'Coverage'>>(entries, 'Coverage').map((c) => c.payor[0])),
    ...refs(requests.map((r) => r.requester)).filter((ref) => ref.startsWith('PractitionerRole/')),
    ...refs([
      ...provenance.flatMap((p) => [...p.agent.map((a) => a.who), ...(p.signature ?? []).map((s) => s.who)]),
      ...resourcesOf<ResourceOf<'PractitionerRole'>>(entries, 'PractitionerRole').map((role) => role.practitioner),
    ]).filter((ref) => /^Practitioner(Role)?\//.test(ref)),
  ].filter((ref) => /^(ServiceRequest|Location|Organization|PractitionerRole|Practitioner)\//.test(ref));
}

/** What a reference that could not be read leaves unchecked. */
function markMissing(data: HookData, refs: readonly Ref[], why: string): void {
  for (const ref of refs) {
    if (ref.startsWith('ServiceRequest/')) data.markUnread('orders', `${ref} (a plan or prescription behind the fractions) is ${why}`);
    if (ref.startsWith('Location/')) data.markUnread('site-of-service', `${ref} (the session's location) is ${why}`);
    if (ref.startsWith('Organization/')) data.markUnread('coverage', `${ref} (the payer) is ${why}`);
  }
}

/** The keys read whatever the session holds: started at once, beside the session's procedures. */
const INDEPENDENT_KEYS = ['encounter', 'latestFractions', 'treatmentOrders', 'treatmentSummaries', 'coverage', 'ammRecords', 'appointments'];
/**
 * Keys taken only when the EHR sent them, and only for what they include: the session's Location, the payer
 * Organization (the Encounter and the Coverage are the `encounter` and `coverage` keys' to say; otherwise the two are
 * read, or come from the cache).
 */
const SENT_ONLY_KEYS = { sessionLocation: 'Location', payer: 'Organization' } as const;
const includedBy = async (data: HookData, name: keyof typeof SENT_ONLY_KEYS) =>
  (await data.key(name, { fetch: false })).entries.filter((e) => e.resource.resourceType === SENT_ONLY_KEYS[name]);

/**
 * Starts every read that depends on nothing else: the session's procedures and each independent key, all in one wave
 * (each is awaited where it is used; a failure is a result, and a 412 is raised where `sessionProcedures` is read).
 * For an encounter that turns out to be no treatment session, the other searches were made for nothing; the
 * discharge answers a round trip sooner for every session that is one.
 */
function startIndependentReads(data: HookData): void {
  for (const name of ['sessionProcedures', ...INDEPENDENT_KEYS]) data.key(name).catch(() => undefined);
  for (const name of Object.keys(SENT_ONLY_KEYS)) data.key(name, { fetch: false }).catch(() => undefined);
}

/**
 * Gathers the session's record: the prefetch, then from `fhirServer` only what it lacks — the signatures when the EHR
 * did not honour `_revinclude`, the session's AMM records and the next fraction when the newest-first keys do not
 * reach them, and referenced plans, location, payer and roles. The references of what is in hand (the location,
 * the payer, plans, roles) are read beside those follow-ups, not after them; what the follow-ups bring (a signer) last.
 */
async function sessionRecord(
  data: HookData,
  patientId: string,
  session: readonly Procedure[],
  sessionEntries: readonly BundleEntry[],
): Promise<{ entries: BundleEntry[]; fractionWindow: boolean }> {
  const fractionRefs = session.map((p) => `Procedure/${p.id ?? ''}`);
  const onMissing = (refs: readonly Ref[], why: string) => markMissing(data, refs, why);
  const tried = new Set<Ref>();
  const inHand = Promise.all([
    data.records('encounter'),
    data.records('treatmentOrders'),
    data.records('treatmentSummaries'),
    data.records('coverage'),
    data.records('appointments'),
    includedBy(data, 'sessionLocation'),
    includedBy(data, 'payer'),
  ]);
  const early = inHand.then(([encounter, orders, summaries, coverage, _schedule, ...sent]) =>
    readReferenced(data, mergeEntries(sessionEntries, encounter, orders, summaries, coverage, ...sent), referenced, onMissing, 3, tried),
  );
  early.catch(() => undefined); // a failure is the same as inHand's, raised below
  const [[encounter, orders, summaries, coverage, schedule, ...sent], later, records] = await Promise.all([
    inHand,
    laterFractionsOf(data, 'latestFractions', patientId, session),
    ammRecordsOf(data, 'ammRecords', fractionRefs),
  ]);
  // A record points at its fraction by Type/id, by absolute URL or by the fraction's urn:uuid fullUrl.
  const sessionUrls = new Set(sessionEntries.flatMap((entry) => (entry.fullUrl ? [entry.fullUrl] : [])));
  const pointsAtSession = (reference: string | undefined) =>
    (reference !== undefined && sessionUrls.has(reference)) || fractionRefs.includes(typeAndId(reference) ?? '');
  const sessionRecords = resourcesOf<ResourceOf<'DocumentReference'>>(records, 'DocumentReference').filter(
    (document) => codingKeys(document.type).includes(AMM_RECORD_TYPE) && (document.context?.related ?? []).some((r) => pointsAtSession(r.reference)),
  );
  const recordRefs = sessionRecords.map((document) => `DocumentReference/${document.id ?? ''}`);
  const [fractionSignatures, recordSignatures] = await Promise.all([
    signaturesOf(data, 'fractionSignatures', fractionRefs, (answer) => answer.filter((e) => e.resource.resourceType === 'Procedure').map(refOf)),
    signaturesOf(data, 'ammRecordSignatures', recordRefs, (answer) =>
      answer.filter((e) => e.resource.resourceType === 'DocumentReference').map(refOf),
    ),
  ]);
  const entries = mergeEntries(
    sessionEntries,
    encounter,
    later.entries,
    orders,
    summaries,
    coverage,
    records,
    schedule,
    fractionSignatures,
    recordSignatures,
    ...sent,
    await early,
  );
  return { entries: await readReferenced(data, entries, referenced, onMissing, 3, tried), fractionWindow: later.window };
}

/**
 * The session's Procedures: `sessionProcedures`, or, when that cannot be obtained, the Procedures of
 * `fractionSignatures` if the EHR sent it (the same search, with the signatures included).
 */
async function sessionProcedures(data: HookData): Promise<readonly BundleEntry[]> {
  try {
    return (await data.key('sessionProcedures')).entries;
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    const same = await data.key('fractionSignatures', { fetch: false });
    if (!same.obtained) throw error;
    return same.entries.filter((entry) => entry.resource.resourceType === 'Procedure');
  }
}

export const encounterDischarge: CdsService = {
  definition,
  prefetch: PREFETCH,
  async handle(request, { data, cards, now, clinicTimeZone }) {
    const context = parseContext(EncounterDischargeContext, request.context);
    const encounterRef = `Encounter/${context.encounterId}`;
    startIndependentReads(data);
    const sessionEntries = await sessionProcedures(data);
    const session = resourcesOf<Procedure>(sessionEntries, 'Procedure').filter((p) => typeAndId(p.encounter?.reference) === encounterRef);
    if (session.length === 0) {
      data.stop(); // nothing recorded for this encounter: not a radiotherapy session, and nothing more to read
      return { cards: [] };
    }

    const { entries, fractionWindow } = await sessionRecord(data, context.patientId, session, sessionEntries);
    requireOnePatient(entries, context.patientId);
    const { determination, input } = evaluateEntries(entries, {
      focusEncounters: [encounterRef],
      asOf: todayAtClinic(clinicTimeZone, now),
      clinicTimeZone,
      unread: data.unread,
      fractionWindow,
    });
    const patient = `Patient/${context.patientId}`;
    const payer = input.payers[patient];
    const coverage = payer
      ? resourcesOf<ResourceOf<'Coverage'>>(entries, 'Coverage').find((c) => `Coverage/${c.id ?? ''}` === payer.coverage)
      : undefined;
    const scope: CardScope = {
      hookInstance: request.hookInstance,
      patientId: context.patientId,
      userId: context.userId,
      coverageUnread: (input.unread ?? []).some((u) => u.kind === 'coverage'),
      coverage: payer ? { ref: payer.coverage, payor: typeAndId(coverage?.payor[0]?.reference) ?? null } : null,
      now: now.toISOString(),
    };
    return response(dischargeCards(determination, cards, scope), systemActionsFor(determination, cards, scope));
  },
};
