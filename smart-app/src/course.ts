import type Client from 'fhirclient/lib/Client';

export type Resource = { resourceType: string; id?: string; [key: string]: unknown };

export const TREATED_FRACTION = 'http://snomed.info/sct|1297069006';
export const AMM_RECORD = 'https://rt-billing-cds.example/fhir/CodeSystem/rt-document-type|amm-record';
const CHUNK = 40;

/** Why loading failed, in terms the reviewer can act on. */
export class LoadError extends Error {
  constructor(
    readonly kind: 'expired' | 'unavailable' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

function classify(error: unknown): LoadError {
  const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
  if (status === 401 || status === 403)
    return new LoadError('expired', 'The FHIR server refused the request: the session has expired or lacks access.');
  return new LoadError('unavailable', `The FHIR server did not answer as expected${status ? ` (HTTP ${status})` : ''}.`);
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
  if (!patientId) throw new LoadError('invalid', 'The launch did not name a patient.');
  const subject = `Patient/${patientId}`;
  const search = async (query: string): Promise<Resource[]> => {
    try {
      const result = (await client.request(query, { pageLimit: 0, flat: true })) as Resource[] | Resource;
      return (Array.isArray(result) ? result : [result]).filter((r) => r && r.resourceType && r.resourceType !== 'OperationOutcome');
    } catch (error) {
      throw classify(error);
    }
  };
  const read = async (ref: string): Promise<Resource[]> => {
    try {
      return [(await client.request(ref)) as Resource];
    } catch (error) {
      const loadError = classify(error);
      if (loadError.kind === 'expired') throw loadError;
      return []; // a missing Location or Organization only costs the estimate
    }
  };

  let patient: Resource;
  try {
    patient = (await client.request(subject)) as Resource;
  } catch (error) {
    throw classify(error);
  }
  const [fractions, requests, records, encounters, coverage, claims, responses] = await Promise.all([
    search(`Procedure?patient=${subject}&code=${encodeURIComponent(TREATED_FRACTION)}`),
    search(`ServiceRequest?patient=${subject}`),
    search(`DocumentReference?patient=${subject}&type=${encodeURIComponent(AMM_RECORD)}`),
    search(`Encounter?patient=${subject}`),
    search(`Coverage?patient=${subject}&status=active`),
    search(`Claim?patient=${subject}&use=preauthorization`),
    search(`ClaimResponse?patient=${subject}&use=preauthorization`),
  ]);
  const targets = [...fractions, ...records].map((r) => `${r.resourceType}/${r.id}`);
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

  const seen = new Set<string>();
  const base = client.state.serverUrl.replace(/\/$/, '');
  const entry = [...fractions, ...requests, ...records, ...encounters, ...coverage, ...claims, ...responses, ...signatures, ...extra]
    .filter((resource) => {
      const key = `${resource.resourceType}/${resource.id}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((resource) => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource }));
  return { patient, bundle: { resourceType: 'Bundle', type: 'collection', entry } };
}
