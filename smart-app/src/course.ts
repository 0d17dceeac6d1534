import type Client from 'fhirclient/lib/Client';
import { fhirProblem, Problem } from './problems.js';
import { tokenExpired } from './session.js';

export type Resource = { resourceType: string; id?: string; [key: string]: unknown };

export const TREATED_FRACTION = 'http://snomed.info/sct|1297069006';
export const AMM_RECORD = 'https://rt-billing-cds.example/fhir/CodeSystem/rt-document-type|amm-record';
const CHUNK = 40;
/** A FHIR request that takes longer is treated as a server that does not answer. */
const REQUEST_TIMEOUT_MS = 30_000;

function classify(client: Client, error: unknown): Problem {
  if (error instanceof Problem) return error;
  const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
  return fhirProblem(status, tokenExpired(client));
}

const refOf = (value: unknown): string | undefined => (value as { reference?: string } | undefined)?.reference?.split('/').slice(-2).join('/');

/**
 * Reads the patient's radiotherapy course from the EHR's FHIR server: fractions, orders and plans, AMM records,
 * signatures, sessions and their locations, coverage and payer, preauthorizations. Every page is followed.
 */
export async function loadCourse(
  client: Client,
): Promise<{ patient: Resource; bundle: { resourceType: 'Bundle'; type: 'collection'; entry: { fullUrl: string; resource: Resource }[] } }> {
  const patientId = client.getPatientId();
  if (!patientId) throw new Problem('invalid', 'The launch did not name a patient.');
  const subject = `Patient/${patientId}`;
  const get = (url: string, options: { pageLimit?: number; flat?: boolean } = {}) =>
    client.request({ url, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }, options) as Promise<Resource[] | Resource>;
  const search = async (query: string): Promise<Resource[]> => {
    try {
      const result = await get(query, { pageLimit: 0, flat: true });
      return (Array.isArray(result) ? result : [result]).filter((r) => r && r.resourceType && r.resourceType !== 'OperationOutcome');
    } catch (error) {
      throw classify(client, error);
    }
  };
  const read = async (ref: string): Promise<Resource[]> => {
    try {
      return [(await get(ref)) as Resource];
    } catch (error) {
      const problem = classify(client, error);
      if (problem.kind !== 'fhir-server-down') throw problem;
      return []; // a missing Location or Organization only costs the estimate
    }
  };

  let patient: Resource;
  try {
    patient = (await get(subject)) as Resource;
  } catch (error) {
    throw classify(client, error);
  }
  // What the payer paid (spec E): optional — an EHR that does not hold or share it only costs the payment column.
  const optional = (query: string) => search(query).catch(() => [] as Resource[]);
  const [procedures, requests, records, encounters, coverage, claims, responses, payments] = await Promise.all([
    // Every Procedure: fractions, and the phase, plan and course summaries and unstructured radiotherapy records too.
    search(`Procedure?patient=${subject}`),
    search(`ServiceRequest?patient=${subject}`),
    search(`DocumentReference?patient=${subject}&type=${encodeURIComponent(AMM_RECORD)}`),
    search(`Encounter?patient=${subject}`),
    search(`Coverage?patient=${subject}&status=active`),
    search(`Claim?patient=${subject}&use=preauthorization`),
    search(`ClaimResponse?patient=${subject}&use=preauthorization`),
    optional(`ExplanationOfBenefit?patient=${subject}`),
  ]);
  const targets = [...procedures, ...records].map((r) => `${r.resourceType}/${r.id}`);
  const chunks = Array.from({ length: Math.ceil(targets.length / CHUNK) }, (_, i) => targets.slice(i * CHUNK, (i + 1) * CHUNK));
  const readsNeeded = new Set<string>(
    [
      ...encounters.flatMap((e) => ((e.location as { location?: unknown }[] | undefined) ?? []).map((l) => refOf(l.location))),
      ...coverage.map((c) => refOf((c.payor as unknown[] | undefined)?.[0])),
    ].filter((ref): ref is string => !!ref && /^(Location|Organization)\//.test(ref)),
  );
  const [signatures, extra] = await Promise.all([
    Promise.all(chunks.map((chunk) => search(`Provenance?target=${encodeURIComponent(chunk.join(','))}`))).then((lists) => lists.flat()),
    Promise.all([...readsNeeded].map(read)).then((lists) => lists.flat()),
  ]);
  // The practitioners who performed, ordered or signed (their NPI for the CSV export). Optional: a read the EHR
  // refuses (no Practitioner scope) or that fails costs only the NPI column.
  const practitioners = new Set<string>(
    [
      ...procedures.flatMap((p) => ((p.performer as { actor?: unknown }[] | undefined) ?? []).map((x) => refOf(x.actor))),
      ...requests.map((r) => refOf(r.requester)),
      ...signatures.flatMap((s) => ((s.agent as { who?: unknown }[] | undefined) ?? []).map((a) => refOf(a.who))),
    ].filter((ref): ref is string => !!ref && /^Practitioner(Role)?\/[A-Za-z0-9\-.]{1,64}$/.test(ref)),
  );
  const people = await Promise.all(
    [...practitioners].map((ref) =>
      get(ref).then(
        (resource) => [resource as Resource],
        () => [],
      ),
    ),
  ).then((lists) => lists.flat());

  const seen = new Set<string>();
  const base = client.state.serverUrl.replace(/\/$/, '');
  const entry = [
    ...procedures,
    ...requests,
    ...records,
    ...encounters,
    ...coverage,
    ...claims,
    ...responses,
    ...payments,
    ...signatures,
    ...extra,
    ...people,
  ]
    .filter((resource) => {
      const key = `${resource.resourceType}/${resource.id}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((resource) => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource }));
  return { patient, bundle: { resourceType: 'Bundle', type: 'collection', entry } };
}
