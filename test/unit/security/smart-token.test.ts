import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REFUSED_MS, SmartTokenChecker } from '../../../src/security/smart-token.js';

const BASE = 'https://ehr.example.org/fhir';
const ORIGIN = 'https://ehr.example.org';

function checker() {
  const clock = { now: 1_800_000_000_000 };
  return { tokens: new SmartTokenChecker({ timeoutMs: 500 }, () => clock.now), clock };
}

/** An EHR whose Patient read answers per token; counts reads. */
function ehr(accept: (token: string) => boolean, options: { introspection?: (token: string) => Record<string, unknown> } = {}) {
  const counts = { reads: 0, introspections: 0 };
  nock(ORIGIN)
    .persist()
    .get('/fhir/.well-known/smart-configuration')
    .reply(
      options.introspection ? 200 : 404,
      options.introspection ? { introspection_endpoint: `${ORIGIN}/auth/introspect`, token_endpoint: `${ORIGIN}/auth/token` } : {},
    )
    .get('/fhir/Patient/p1')
    .reply(function reply() {
      counts.reads += 1;
      const token = String(this.req.headers.authorization).replace(/^Bearer /, '');
      return accept(token) ? [200, { resourceType: 'Patient', id: 'p1' }] : [401, { resourceType: 'OperationOutcome' }];
    });
  if (options.introspection) {
    const introspect = options.introspection;
    nock(ORIGIN)
      .persist()
      .post('/auth/introspect')
      .reply(function reply(_uri, body) {
        counts.introspections += 1;
        const token = new URLSearchParams(String(body)).get('token') ?? '';
        // Like the SMART reference launcher: the caller authenticates with a token the server issued.
        if (this.req.headers.authorization !== `Bearer ${token}`) return [401, 'Authorization is required'];
        return [200, introspect(token)];
      });
  }
  return counts;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('SMART tokens end when they end', () => {
  it('an answer is remembered at most 60 s; a token revoked meanwhile is refused at the next check', async () => {
    let revoked = false;
    const counts = ehr(() => !revoked);
    const { tokens, clock } = checker();
    const ask = () => tokens.check({ base: BASE, patient: 'p1', token: 't1' });
    expect((await ask()).ok).toBe(true);
    clock.now += 59_000;
    expect((await ask()).ok).toBe(true);
    expect(counts.reads).toBe(1);
    revoked = true;
    clock.now += 2_000;
    expect(await ask()).toMatchObject({ ok: false, kind: 'token-refused' });
    expect(counts.reads).toBe(2);
  });

  it('the expiry the app reports ends acceptance at once, without asking the EHR', async () => {
    const counts = ehr(() => true);
    const { tokens, clock } = checker();
    const expiresAt = clock.now + 30_000;
    expect((await tokens.check({ base: BASE, patient: 'p1', token: 't1', claimedExpiry: expiresAt })).ok).toBe(true);
    clock.now = expiresAt;
    expect(await tokens.check({ base: BASE, patient: 'p1', token: 't1', claimedExpiry: expiresAt })).toMatchObject({
      ok: false,
      kind: 'token-expired',
    });
    expect(counts.reads).toBe(1);
  });

  it('names the user the authorization server names (fhirUser, else sub), and remembers it with the answer', async () => {
    const { tokens } = checker();
    ehr(() => true, {
      introspection: (token) => ({ active: true, patient: 'p1', sub: 'u-42', ...(token === 't1' ? { fhirUser: 'Practitioner/r1' } : {}) }),
    });
    expect(await tokens.check({ base: BASE, patient: 'p1', token: 't1' })).toMatchObject({ ok: true, user: 'Practitioner/r1' });
    expect(tokens.known({ base: BASE, patient: 'p1', token: 't1' })).toMatchObject({ ok: true, user: 'Practitioner/r1' });
    expect(await tokens.check({ base: BASE, patient: 'p1', token: 't2' })).toMatchObject({ ok: true, user: 'u-42' });
  });

  it('with an introspection endpoint, its exp bounds acceptance even when the app claims more', async () => {
    const { tokens, clock } = checker();
    const exp = Math.floor(clock.now / 1000) + 20;
    const counts = ehr(() => true, {
      introspection: () => (Math.floor(clock.now / 1000) < exp ? { active: true, exp, patient: 'p1' } : { active: false }),
    });
    const claimed = clock.now + 3_600_000; // a lie, or a clock that is off
    const first = await tokens.check({ base: BASE, patient: 'p1', token: 't1', claimedExpiry: claimed });
    expect(first).toEqual({ ok: true, until: exp * 1000, user: null });
    clock.now = exp * 1000 + 1;
    expect(await tokens.check({ base: BASE, patient: 'p1', token: 't1', claimedExpiry: claimed })).toMatchObject({
      ok: false,
      kind: 'token-refused',
    });
    expect(counts.introspections).toBe(2);
  });

  it('introspection refuses a token for another patient before any read', async () => {
    const counts = ehr(() => true, { introspection: () => ({ active: true, exp: 2_000_000_000, patient: 'someone-else' }) });
    const { tokens } = checker();
    expect(await tokens.check({ base: BASE, patient: 'p1', token: 't1' })).toMatchObject({ ok: false, kind: 'token-refused' });
    expect(counts.reads).toBe(0);
  });

  it('an introspection endpoint on another origin is never sent the token', async () => {
    nock(ORIGIN)
      .get('/fhir/.well-known/smart-configuration')
      .reply(200, { introspection_endpoint: 'https://collector.example.com/introspect' })
      .get('/fhir/Patient/p1')
      .reply(200, { resourceType: 'Patient', id: 'p1' });
    const collector = nock('https://collector.example.com').post(/.*/).reply(200, { active: true });
    const { tokens } = checker();
    expect((await tokens.check({ base: BASE, patient: 'p1', token: 't1' })).ok).toBe(true);
    expect(collector.isDone()).toBe(false);
  });

  it('parallel calls with one token cost one check', async () => {
    const counts = ehr(() => true);
    const { tokens } = checker();
    const results = await Promise.all(Array.from({ length: 10 }, () => tokens.check({ base: BASE, patient: 'p1', token: 't1' })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(counts.reads).toBe(1);
  });

  it('a FHIR server that does not answer is not a refused token: the app can say which', async () => {
    nock(ORIGIN).get(/.*/).reply(503, 'down').persist();
    const { tokens } = checker();
    expect(await tokens.check({ base: BASE, patient: 'p1', token: 't1' })).toMatchObject({ ok: false, kind: 'fhir-server-unavailable' });
  });

  it('a refused token is refused from memory for 60 s, not introspected again; then the EHR is asked again', async () => {
    const counts = ehr(() => false, { introspection: () => ({ active: false }) });
    const { tokens, clock } = checker();
    const ask = () => tokens.check({ base: BASE, patient: 'p1', token: 'made-up' });
    for (let i = 0; i < 20; i++) expect(await ask()).toMatchObject({ ok: false, kind: 'token-refused' });
    expect(tokens.known({ base: BASE, patient: 'p1', token: 'made-up' })).toMatchObject({ ok: false, kind: 'token-refused' });
    expect(counts.introspections).toBe(1);
    clock.now += REFUSED_MS - 1;
    await ask();
    expect(counts.introspections).toBe(1);
    clock.now += 1;
    await ask();
    expect(counts.introspections).toBe(2);
  });

  it('an EHR that did not answer is asked again at once: only refusals are remembered', async () => {
    nock(ORIGIN).get(/.*/).times(2).reply(503, 'down');
    const { tokens } = checker();
    expect(await tokens.check({ base: BASE, patient: 'p1', token: 't1' })).toMatchObject({ kind: 'fhir-server-unavailable' });
    expect(tokens.known({ base: BASE, patient: 'p1', token: 't1' })).toBeUndefined();
    ehr(() => true);
    expect((await tokens.check({ base: BASE, patient: 'p1', token: 't1' })).ok).toBe(true);
  });

  it('remembers the last refusals only (1,000; 10 here): a small cache, however many tokens are made up', async () => {
    const counts = ehr(() => false, { introspection: () => ({ active: false }) });
    const tokens = new SmartTokenChecker({ timeoutMs: 500, maxRefused: 10 });
    for (let i = 0; i <= 10; i++) await tokens.check({ base: BASE, patient: 'p1', token: `made-up-${i}` });
    expect(counts.introspections).toBe(11);
    expect(tokens.known({ base: BASE, patient: 'p1', token: 'made-up-10' })).toMatchObject({ ok: false });
    expect(tokens.known({ base: BASE, patient: 'p1', token: 'made-up-1' })).toMatchObject({ ok: false });
    expect(tokens.known({ base: BASE, patient: 'p1', token: 'made-up-0' })).toBeUndefined(); // the oldest, forgotten
  });
});
