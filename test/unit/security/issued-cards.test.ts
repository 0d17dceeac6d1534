import { describe, expect, it } from 'vitest';
import { ISSUED_CARD_TTL_MS, MemoryIssuedCards } from '../../../src/security/issued-cards.js';

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
