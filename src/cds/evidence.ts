import type { Ref } from '../engine/types.js';
import { AMM_RECORD_TYPE, TREATED_FRACTION_CODE } from '../fhir/codes.js';
import { typeAndId as referenceTypeAndId } from '../fhir/compartment.js';
import type { BundleEntry } from '../fhir/parse.js';
import type { ResourceOf } from '../fhir/schemas.js';
import { mergeEntries, type HookData } from './hook-data.js';

/**
 * Follow-ups of a hook call: what the prefetch did not hold, or may not hold entirely, read from the EHR's FHIR
 * server with precise queries, and only then. Without a server (or when a read fails) the kind of record is marked
 * unread, so that the findings that need it say "could not be checked".
 */

type Procedure = ResourceOf<'Procedure'>;
type DocumentReference = ResourceOf<'DocumentReference'>;

export const refOf = (entry: BundleEntry): Ref => `${entry.resource.resourceType}/${entry.resource.id ?? ''}`;
/** `Type/id` of a reference, relative, absolute or versioned (the FHIR reader's parsing); undefined for anything else. */
export const typeAndId = (reference: string | undefined): Ref | undefined => referenceTypeAndId(reference) ?? undefined;
const ofType = <T>(entries: readonly BundleEntry[], type: string): T[] =>
  entries.filter((e) => e.resource.resourceType === type).map((e) => e.resource as T);

/**
 * Signatures (Provenance) on the targets: from a `_revinclude` key when its answer shows the include was honoured, or
 * when they came with the targets from the service's own search (`_revinclude=Provenance:target` honoured there: the
 * Provenance is among the entries of that search); the rest are asked with `Provenance?target=`.
 */
export async function signaturesOf(
  data: HookData,
  key: string,
  targets: readonly Ref[],
  covered: (answer: readonly BundleEntry[]) => readonly Ref[],
): Promise<BundleEntry[]> {
  if (targets.length === 0) return [];
  // Not sent: Provenance?target= asks for exactly the missing signatures, without fetching the rest of the key again.
  const answer = await data.key(key, { fetch: false });
  const trusted = answer.obtained && answer.includeHonoured ? new Set(covered(answer.entries)) : new Set<Ref>();
  const provenance = answer.entries.filter((e) => e.resource.resourceType === 'Provenance');
  const missing = targets.filter((target) => !trusted.has(target) && !data.signaturesCameWith(target));
  if (missing.length === 0) return provenance;
  const why = answer.obtained
    ? `prefetch key ${key} shows no sign that _revinclude=Provenance:target was honoured`
    : (answer.problem ?? `prefetch key ${key} was not obtained`);
  if (!data.canFetch) {
    data.markUnread('signatures', `${why}, and the request names no fhirServer to read Provenance?target= from`);
    return provenance;
  }
  const fetched = await data.search(`Provenance?target=${missing.join(',')}`, { what: 'signatures (Provenance)' });
  if (!fetched.obtained || !fetched.complete) data.markUnread('signatures', fetched.problem ?? 'signatures (Provenance) could not be read');
  return mergeEntries(provenance, fetched.entries);
}

/**
 * The AMM records of the session's fractions. The key asks for the patient's latest records: when it holds them all,
 * or one for each fraction, that is the answer; otherwise the records related to the session's fractions are read.
 */
export async function ammRecordsOf(data: HookData, key: string, fractions: readonly Ref[]): Promise<BundleEntry[]> {
  if (fractions.length === 0) return [];
  const answer = await data.key(key);
  const related = (document: DocumentReference) => (document.context?.related ?? []).map((r) => typeAndId(r.reference));
  const covered = new Set(ofType<DocumentReference>(answer.entries, 'DocumentReference').flatMap(related));
  if (answer.obtained && (answer.complete || fractions.every((f) => covered.has(f)))) return [...answer.entries];
  if (!data.canFetch) {
    data.markUnread(
      'amm-records',
      answer.obtained
        ? `prefetch key ${key} holds only the latest AMM records, not all of this session's, and the request names no fhirServer`
        : (answer.problem ?? `prefetch key ${key} was not obtained`),
    );
    return [...answer.entries];
  }
  // Their signatures come along where the server honours _revinclude (signaturesOf asks only for the others); a
  // server that refuses the parameter is asked without it.
  const query = `DocumentReference?related=${fractions.join(',')}&type=${AMM_RECORD_TYPE}`;
  const what = { what: 'AMM records (DocumentReference)' };
  let fetched = await data.search(`${query}&_revinclude=Provenance:target`, what);
  if (fetched.refused) fetched = await data.search(query, what);
  if (!fetched.obtained || !fetched.complete) data.markUnread('amm-records', fetched.problem ?? 'AMM records could not be read');
  return mergeEntries(answer.entries, fetched.entries);
}

const startOf = (f: Procedure): number => Date.parse(f.performedPeriod?.start ?? f.performedDateTime ?? '') || Infinity;

/** The patient's fractions the service read, and whether they are all of them or a window of the latest. */
export interface LaterFractions {
  readonly entries: BundleEntry[];
  /** Only a window of the course (the latest few): not every fraction of the patient is among `entries`. */
  readonly window: boolean;
}

/**
 * The patient's fractions after the session, for the next beam-on. The key asks for the five latest: when they
 * reach back to the session (or are all there is), the next beam-on is among them; otherwise the fractions after the
 * session are read. "Reach back" is trusted only when the answer is newest first, as `_sort=-date` asks: an EHR that
 * ignores `_sort` returns any five, and a later fraction may be missing from them.
 */
export async function laterFractionsOf(data: HookData, key: string, patientId: string, session: readonly Procedure[]): Promise<LaterFractions> {
  const answer = await data.key(key);
  const start = Math.min(...session.map(startOf));
  const end = session
    .map((f) => f.performedPeriod?.end ?? f.performedPeriod?.start ?? f.performedDateTime)
    .filter((t): t is string => !!t)
    .sort()
    .at(-1);
  const fractions = ofType<Procedure>(answer.entries, 'Procedure');
  const newestFirst = fractions.every((f, i) => i === 0 || startOf(f) <= startOf(fractions[i - 1]!));
  const reachesBack = newestFirst && fractions.some((f) => startOf(f) <= start);
  const window = !(answer.obtained && answer.complete);
  if (answer.obtained && (answer.complete || reachesBack)) return { entries: [...answer.entries], window };
  if (!end) return { entries: [...answer.entries], window };
  if (!data.canFetch) {
    data.markUnread(
      'later-fractions',
      answer.obtained
        ? `prefetch key ${key} does not reach back to this session, and the request names no fhirServer`
        : (answer.problem ?? `prefetch key ${key} was not obtained`),
    );
    return { entries: [...answer.entries], window };
  }
  // Only fractions after the session: few at discharge, so every page is read and no order is relied on.
  const fetched = await data.search(
    `Procedure?patient=${encodeURIComponent(patientId)}&code=${TREATED_FRACTION_CODE}&date=gt${encodeURIComponent(end)}`,
    {
      what: 'the fractions after this session',
    },
  );
  if (!fetched.obtained || !fetched.complete)
    data.markUnread('later-fractions', fetched.problem ?? 'the fractions after this session could not be read');
  return { entries: mergeEntries(answer.entries, fetched.entries), window };
}

/**
 * Resources the entries refer to but do not hold — the plans and prescriptions behind the fractions, the session's
 * Location, the payer Organization, a signer's or requester's PractitionerRole — read one by one (a few levels deep
 * for basedOn chains). Without a server, or when a read fails, `onMissing` says what could not be read.
 */
export async function readReferenced(
  data: HookData,
  entries: readonly BundleEntry[],
  wanted: (entries: readonly BundleEntry[]) => readonly Ref[],
  onMissing: (refs: readonly Ref[], why: string) => void,
  depth = 3,
  tried = new Set<Ref>(),
): Promise<BundleEntry[]> {
  let all = [...entries];
  // A reference asked once (by this pass or an earlier one sharing `tried`) is not asked again: a stalled server costs
  // one timeout, not one per level.
  for (let level = 0; level < depth; level++) {
    const have = new Set(all.map(refOf));
    const missing = [...new Set(wanted(all))].filter((ref) => !have.has(ref) && !tried.has(ref));
    if (missing.length === 0) break;
    if (!data.canFetch) {
      onMissing(missing, 'not in the prefetch, and the request names no fhirServer');
      break;
    }
    for (const ref of missing) tried.add(ref);
    const reads = await Promise.all(missing.map((ref) => data.search(ref)));
    const failed = missing.filter((_ref, i) => !reads[i]!.obtained);
    if (failed.length > 0) onMissing(failed, reads.find((r) => !r.obtained)?.problem ?? 'could not be read');
    all = mergeEntries(all, ...reads.map((r) => r.entries));
  }
  return all;
}
