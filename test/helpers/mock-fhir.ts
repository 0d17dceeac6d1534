import nock from 'nock';

type Resource = Record<string, unknown> & { resourceType: string; id?: string };

const refs = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(refs);
  const ref = (value as { reference?: string } | undefined)?.reference;
  return ref ? [ref.split('/').slice(-2).join('/')] : [];
};
const codings = (value: unknown): string[] =>
  ((value as { coding?: { system?: string; code?: string }[] } | undefined)?.coding ?? []).map((c) => `${c.system}|${c.code}`);

/** Search parameters the mock understands, by name: what a resource must satisfy. */
const MATCHERS: Record<string, (resource: Resource, value: string) => boolean> = {
  patient: (r, v) => [...refs(r.subject), ...refs(r.patient), ...refs(r.beneficiary)].includes(v.startsWith('Patient/') ? v : `Patient/${v}`),
  code: (r, v) => codings(r.code).includes(v),
  type: (r, v) => codings(r.type).includes(v),
  status: (r, v) => r.status === v,
  use: (r, v) => r.use === v,
  target: (r, v) => refs(r.target).some((t) => v.split(',').includes(t)),
  encounter: (r, v) => refs(r.encounter).includes(v),
  related: (r, v) => refs((r.context as { related?: unknown } | undefined)?.related).some((t) => v.split(',').includes(t)),
};

export interface MockFhirServer {
  readonly requests: { path: string; authorization: string | undefined }[];
}

/**
 * A FHIR server on `base` (through nock) that reads and searches the given resources: reads by id, searches
 * by the parameters above, `_revinclude=Provenance:target`. Enough to serve the hooks' prefetch queries.
 */
export function mockFhirServer(base: string, resources: readonly Resource[], options: { revinclude?: boolean } = {}): MockFhirServer {
  const url = new URL(base);
  const prefix = url.pathname.replace(/\/$/, '');
  const state: MockFhirServer = { requests: [] };
  nock(url.origin)
    .persist()
    .get((path) => path.startsWith(`${prefix}/`))
    .reply(function reply(uri) {
      state.requests.push({ path: uri, authorization: this.req.headers.authorization as string | undefined });
      const { pathname, searchParams } = new URL(uri, url.origin);
      const [type, id] = pathname.slice(prefix.length + 1).split('/');
      if (id) {
        const found = resources.find((r) => r.resourceType === type && r.id === id);
        return found ? [200, found] : [404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] }];
      }
      const matches = resources.filter(
        (r) =>
          r.resourceType === type &&
          [...searchParams.entries()].every(([name, value]) => name.startsWith('_') || (MATCHERS[name]?.(r, value) ?? true)),
      );
      // _revinclude=Type:param adds resources pointing at the matches; :iterate also at what was included.
      const included: Resource[] = [];
      if (options.revinclude !== false) {
        const pointsAt = (r: Resource, param: string, targets: Resource[]) => {
          const value = param === 'related' ? (r.context as { related?: unknown } | undefined)?.related : r[param];
          return refs(value).some((t) => targets.some((m) => `${m.resourceType}/${m.id}` === t));
        };
        for (const [name, value] of searchParams.entries()) {
          if (!name.startsWith('_revinclude')) continue;
          const [type, param] = value.split(':');
          const targets = name.endsWith(':iterate') ? [...matches, ...included] : matches;
          included.push(...resources.filter((r) => r.resourceType === type && pointsAt(r, param!, targets) && !included.includes(r)));
        }
      }
      const entry = [...matches, ...included].map((resource) => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource }));
      return [200, { resourceType: 'Bundle', type: 'searchset', total: matches.length, entry }];
    });
  return state;
}
