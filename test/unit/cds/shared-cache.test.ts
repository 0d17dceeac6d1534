import { describe, expect, it } from 'vitest';
import { SharedReadCache } from '../../../src/cds/shared-cache.js';
import type { BundleEntry } from '../../../src/fhir/parse.js';

const entry = (resourceType: string, id: string): BundleEntry => ({ fullUrl: undefined, resource: { resourceType, id } as BundleEntry['resource'] });
const A = 'https://a.example.org/fhir';
const B = 'https://b.example.org/fhir';

describe('SharedReadCache', () => {
  it('keeps Locations, Organizations, Practitioners and roles per server, for the TTL', () => {
    let now = 0;
    const cache = new SharedReadCache(1000, 10, () => now);
    cache.put(A, [entry('Location', 'l'), entry('Organization', 'o'), entry('Practitioner', 'p'), entry('PractitionerRole', 'r')]);
    expect(cache.get(A, 'Location/l')?.resource.id).toBe('l');
    expect(cache.get(B, 'Location/l')).toBeUndefined();
    now = 999;
    expect(cache.get(A, 'Organization/o')).toBeDefined();
    now = 1000;
    expect(cache.get(A, 'Organization/o')).toBeUndefined();
  });

  it('never keeps patient data', () => {
    const cache = new SharedReadCache(1000, 10);
    cache.put(A, [entry('Patient', 'p'), entry('Coverage', 'c'), entry('Procedure', 'x'), entry('Provenance', 'v')]);
    expect(cache.size).toBe(0);
    expect(SharedReadCache.holds('Patient/p')).toBe(false);
    expect(SharedReadCache.holds('Location/l')).toBe(true);
  });

  it('is bounded: the least recently used goes first', () => {
    const cache = new SharedReadCache(60_000, 2);
    cache.put(A, [entry('Location', '1'), entry('Location', '2')]);
    expect(cache.get(A, 'Location/1')).toBeDefined(); // 1 used after 2
    cache.put(A, [entry('Location', '3')]);
    expect(cache.size).toBe(2);
    expect(cache.get(A, 'Location/2')).toBeUndefined();
    expect(cache.get(A, 'Location/1')).toBeDefined();
    expect(cache.get(A, 'Location/3')).toBeDefined();
  });

  it('FHIR_SHARED_CACHE_SECONDS=0 keeps nothing', () => {
    const cache = new SharedReadCache(0, 10);
    cache.put(A, [entry('Location', 'l')]);
    expect(cache.get(A, 'Location/l')).toBeUndefined();
  });
});
