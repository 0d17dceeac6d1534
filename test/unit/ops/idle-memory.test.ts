import { describe, expect, it } from 'vitest';
import { GROWTH_BYTES, IDLE_CHECKS, IdleMemoryReturn, memoryReducingCollector } from '../../../src/ops/idle-memory.js';

const MB = 1_048_576;

describe('memory given back when the service goes quiet', () => {
  it('collects once after IDLE_CHECKS quiet checks when the heap grew, never while requests come', () => {
    const heap = { bytes: 100 * MB };
    let collected = 0;
    const idle = new IdleMemoryReturn(
      () => {
        collected++;
        heap.bytes = 110 * MB; // what the collection gave back
      },
      () => heap.bytes,
    );
    // Load: requests between every check, the heap growing.
    for (let i = 0; i < 10; i++) {
      idle.request();
      heap.bytes += 20 * MB;
      expect(idle.check()).toBe(false);
    }
    // Quiet: the first check sees the last requests, then IDLE_CHECKS quiet ones; one collection.
    const results = Array.from({ length: IDLE_CHECKS + 5 }, () => idle.check());
    expect(results.filter(Boolean).length).toBe(1);
    expect(collected).toBe(1);
    expect(idle.collections).toBe(1);
  });

  it('does not collect after light traffic that grew the heap by less than GROWTH_BYTES', () => {
    const heap = { bytes: 100 * MB };
    let collected = 0;
    const idle = new IdleMemoryReturn(
      () => collected++,
      () => heap.bytes,
    );
    for (let request = 0; request < 20; request++) {
      idle.request();
      heap.bytes += GROWTH_BYTES / 40;
      for (let i = 0; i < IDLE_CHECKS + 2; i++) idle.check();
    }
    expect(collected).toBe(0);
    // Grown past the threshold since the quietest heap: now it collects.
    heap.bytes += GROWTH_BYTES;
    idle.request();
    for (let i = 0; i < IDLE_CHECKS + 2; i++) idle.check();
    expect(collected).toBe(1);
  });

  it("reaches V8's collector without exposing gc to the service's code", () => {
    expect(memoryReducingCollector()).toBeTypeOf('function');
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
