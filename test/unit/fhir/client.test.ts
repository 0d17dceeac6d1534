import { createServer, type Server } from 'node:http';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FhirClient, FhirFetchError } from '../../../src/fhir/client.js';

const BASE = 'https://ehr.example.org/fhir';
const client = (options: Partial<ConstructorParameters<typeof FhirClient>[0]> = {}) =>
  new FhirClient({ baseUrl: BASE, accessToken: 'secret-token', timeoutMs: 500, maxBytes: 100_000, ...options });

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof FhirFetchError ? error.reason : `unexpected ${String(error)}`;
  }
};

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('FhirClient URLs are built from the parsed base', () => {
  it('reads a relative path under the base, with the token', async () => {
    const scope = nock('https://ehr.example.org')
      .get('/fhir/Encounter/e1')
      .matchHeader('authorization', 'Bearer secret-token')
      .reply(200, { resourceType: 'Encounter', id: 'e1' });
    expect(await client().get('Encounter/e1')).toMatchObject({ id: 'e1' });
    expect(scope.isDone()).toBe(true);
  });

  it.each(['Patient/..', 'Patient/../../admin', 'Patient/.', 'Patient/%2e%2E', 'Patient\\..\\..\\admin', '../metadata'])(
    '%s never leaves the base or reads it by accident (dot segments are refused, not resolved)',
    async (path) => {
      nock('https://ehr.example.org').get(/.*/).reply(200, { resourceType: 'CapabilityStatement' }).persist();
      expect(await failure(client().get(path))).toBe('outside-base');
    },
  );

  it.each(['//evil.example.com/x', '\\\\evil.example.com\\x'])('%s (a network-path reference) stays on the base', async (path) => {
    const evil = nock('https://evil.example.com').get(/.*/).reply(200, {});
    nock('https://ehr.example.org').get('/fhir/evil.example.com/x').reply(404, {});
    expect(await failure(client().get(path))).not.toBe('ok');
    expect(evil.isDone()).toBe(false);
  });

  it.each([
    ['another host', 'https://evil.example.com/fhir/Procedure?page=2'],
    ['another path on the same host', 'https://ehr.example.org/admin/Procedure'],
    ['a dot segment climbing out', 'https://ehr.example.org/fhir/../admin'],
    ['a prefix that is not a path segment', 'https://ehr.example.org/fhirevil/Procedure'],
    ['credentials', 'https://user:pass@ehr.example.org/fhir/Procedure'],
  ])('a next link to %s is not followed (the token goes to the base only)', async (_label, next) => {
    nock('https://ehr.example.org')
      .get('/fhir/Procedure')
      .query(true)
      .reply(200, { resourceType: 'Bundle', link: [{ relation: 'next', url: next }], entry: [] });
    expect(await failure(client().search('Procedure?patient=p1'))).toBe('outside-base');
  });
});

describe('FhirClient: the whole exchange is under the timeout, and failures look alike', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.includes('stall-body')) {
        res.writeHead(200, { 'content-type': 'application/fhir+json' });
        res.write('{"resourceType":"Bundle","entry":['); // headers and a first chunk, then nothing
        return;
      }
      res.writeHead(404, { 'content-type': 'application/fhir+json' }).end('{"resourceType":"OperationOutcome"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('a server that sends headers and then stalls the body ends in a timeout, not a hang or a 500', async () => {
    const started = Date.now();
    expect(await failure(client({ baseUrl: `http://127.0.0.1:${port}/fhir`, timeoutMs: 300 }).get('Procedure?stall-body=1'))).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a closed port, a host answering 404 and a stalled body give callers the same message', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const messages = await Promise.all(
      [`http://127.0.0.1:${closed}/fhir`, `http://127.0.0.1:${port}/fhir`, `http://127.0.0.1:${port}/fhir?stall-body`].map((base) =>
        client({ baseUrl: base.split('?')[0]!, timeoutMs: 300 })
          .get(base.includes('stall') ? 'Procedure?stall-body=1' : 'Procedure?x=1')
          .then(
            () => 'ok',
            (error: Error) => error.message,
          ),
      ),
    );
    expect(new Set(messages).size).toBe(1);
    expect(messages[0]).toBe("could not read Procedure from the FHIR server (no usable answer; the service's log has the reason)");
  });
});
