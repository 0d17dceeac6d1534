import fc from 'fast-check';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.js';
import { scenario } from '../helpers/cases.js';
import { encounterDischargeRequest, orderSignRequest } from '../helpers/hook-requests.js';

const { app } = testApp({ LOG_LEVEL: 'silent' });
const golden = scenario('a4');
const validOrder = orderSignRequest(scenario('au'), { prefetch: true });
const validDischarge = encounterDischargeRequest(golden, 'a4-enc-1', { prefetch: true });

/** Replaces the value at a random path of a JSON value with another arbitrary value, or deletes it. */
function mutate(value: unknown, path: number[], replacement: unknown, remove: boolean): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return remove ? undefined : replacement;
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[path[0]! % keys.length]!;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  const child = mutate((value as Record<string, unknown>)[key], path.slice(1), replacement, remove);
  if (child === undefined && !Array.isArray(copy)) delete (copy as Record<string, unknown>)[key];
  else (copy as Record<string, unknown>)[key] = child;
  return copy;
}

const mutation = (base: unknown) =>
  fc
    .tuple(fc.array(fc.nat(), { minLength: 0, maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), fc.boolean())
    .map(([path, replacement, remove]) => mutate(base, path, replacement, remove));

async function expectNoServerError(path: string, body: unknown, raw = false) {
  const req = request(app).post(path).set('Content-Type', 'application/json');
  const text = raw ? (body as string) : (JSON.stringify(body) ?? '');
  const res = await req.send(text);
  expect(res.status, text.slice(0, 300)).toBeLessThan(500);
  expect(res.headers['content-type']).toContain('application/json');
  if (res.status >= 400) expect(JSON.stringify(res.body)).not.toMatch(/\.(ts|js):\d+/);
}

describe('fuzz: malformed input never gives a 500', () => {
  it('mutated order-sign requests', async () => {
    await fc.assert(
      fc.asyncProperty(mutation(validOrder), (body) => expectNoServerError('/cds-services/rt-billing-order-sign', body)),
      { numRuns: 1500 },
    );
  });

  it('mutated encounter-discharge requests', async () => {
    await fc.assert(
      fc.asyncProperty(mutation(validDischarge), (body) => expectNoServerError('/cds-services/rt-billing-encounter-discharge', body)),
      { numRuns: 1500 },
    );
  });

  it('mutated Bundles to the direct API', async () => {
    await fc.assert(
      fc.asyncProperty(mutation(golden.bundle), (body) => expectNoServerError('/api/v1/evaluate', body)),
      { numRuns: 1500 },
    );
  });

  it('arbitrary JSON and arbitrary text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), (body) => expectNoServerError('/cds-services/rt-billing-order-sign', body)),
      { numRuns: 500 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string(), (text) => expectNoServerError('/api/v1/evaluate', text, true)),
      { numRuns: 500 },
    );
  });
});
