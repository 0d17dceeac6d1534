import { describe, expect, it } from 'vitest';
import { BYTES_PER_CARD, ISSUED_CARD_TTL_MS, ISSUED_CARDS_DEFAULT_MAX, MemoryIssuedCards } from '../../../src/security/issued-cards.js';

describe('issued card ids (memory)', () => {
  it('are known to their service for a day, then forgotten', async () => {
    const clock = { now: 0 };
    const cards = new MemoryIssuedCards(() => clock.now);
    await cards.remember('svc', ['c1', 'c2']);
    expect(await cards.issued('svc', ['c1', 'c2', 'c3'])).toEqual([true, true, false]);
    expect(await cards.issued('other-svc', ['c1'])).toEqual([false]);
    clock.now = ISSUED_CARD_TTL_MS - 1;
    expect(await cards.issued('svc', ['c1'])).toEqual([true]);
    clock.now = ISSUED_CARD_TTL_MS;
    expect(await cards.issued('svc', ['c1'])).toEqual([false]);
  });

  it('hold a bounded number, forgetting the oldest first', async () => {
    const clock = { now: 0 };
    const cards = new MemoryIssuedCards(() => clock.now, 3);
    for (const id of ['c1', 'c2', 'c3', 'c4']) {
      clock.now += 1;
      await cards.remember('svc', [id]);
    }
    expect(await cards.issued('svc', ['c1', 'c2', 'c3', 'c4'])).toEqual([false, true, true, true]);
  });
});

describe('issued card ids (memory): a bounded structure', () => {
  it('holds at most its capacity in a fixed number of bytes, whatever is remembered', async () => {
    const cards = new MemoryIssuedCards(() => 0, 1000);
    const bytes = cards.bytes;
    expect(bytes).toBeLessThanOrEqual(1000 * BYTES_PER_CARD);
    const ids = Array.from({ length: 5000 }, (_, i) => `card-${i}`);
    for (let i = 0; i < ids.length; i += 10) await cards.remember('svc', ids.slice(i, i + 10));
    expect(cards.size).toBe(1000);
    expect(cards.bytes).toBe(bytes);
    const known = await cards.issued('svc', ids);
    // The last 1,000 are known, the 4,000 before them forgotten, oldest first.
    expect(known.filter(Boolean).length).toBe(1000);
    expect(known.slice(4000).every(Boolean)).toBe(true);
    expect(known.slice(0, 4000).some(Boolean)).toBe(false);
  });

  it('the default capacity and its documented size', () => {
    const cards = new MemoryIssuedCards();
    expect(cards.capacity).toBe(ISSUED_CARDS_DEFAULT_MAX);
    expect(cards.bytes).toBeLessThanOrEqual(ISSUED_CARDS_DEFAULT_MAX * BYTES_PER_CARD);
  });

  it('answers as a plain list of the last ids would, through evictions, expiries and ids remembered again', async () => {
    const clock = { now: 0 };
    const capacity = 64;
    const cards = new MemoryIssuedCards(() => clock.now, capacity);
    // The model: the ring as a list, oldest first; an id remembered again leaves a dead entry and goes last.
    const model: { key: string; until: number; alive: boolean }[] = [];
    const dropExpired = () => {
      while (model.length > 0 && (!model[0]!.alive || model[0]!.until <= clock.now)) model.shift();
    };
    const remember = (key: string) => {
      const again = model.find((entry) => entry.alive && entry.key === key);
      if (again) again.alive = false;
      if (model.length === capacity) model.shift();
      model.push({ key, until: clock.now + ISSUED_CARD_TTL_MS, alive: true });
    };
    const known = (key: string) => model.some((entry) => entry.alive && entry.key === key && entry.until > clock.now);
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    let mismatches = 0;
    let hits = 0;
    for (let step = 0; step < 20_000; step++) {
      clock.now += random(20) === 0 ? random(ISSUED_CARD_TTL_MS / 20) : 1;
      const service = random(2) === 0 ? 'a' : 'b';
      const ids = Array.from({ length: 1 + random(3) }, () => `card-${random(200)}`);
      await cards.remember(service, ids);
      dropExpired(); // once per call, as the store does
      for (const id of ids) remember(`${service}|${id}`);
      const asked = Array.from({ length: 4 }, () => `card-${random(200)}`);
      const answers = await cards.issued(service, asked);
      asked.forEach((id, i) => {
        if (answers[i] !== known(`${service}|${id}`)) mismatches++;
        if (answers[i]) hits++;
      });
      expect(cards.size).toBe(model.length);
    }
    expect(mismatches).toBe(0);
    // The run exercised both answers (not a store that always says no).
    expect(hits).toBeGreaterThan(5000);
  });
});
