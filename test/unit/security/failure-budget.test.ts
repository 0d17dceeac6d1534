import { describe, expect, it } from 'vitest';
import { clientKey, FailureBudget } from '../../../src/security/failure-budget.js';

const budget = (perMinute: number, maxClients?: number) => {
  const clock = { now: 1_800_000_000_000 };
  return { failures: new FailureBudget(perMinute, () => clock.now, maxClients), clock };
};

describe('FailureBudget: failed attempts per client', () => {
  it("holds a minute's worth; the next is refused with the seconds until one is back", () => {
    const { failures } = budget(10);
    for (let i = 0; i < 10; i++) expect(failures.take('a')).toBeNull();
    expect(failures.take('a')).toBe(6); // one comes back every 6 s at 10 a minute
    expect(failures.take('b')).toBeNull(); // another client has its own
  });

  it('refills evenly: one attempt every 60/N seconds, never more than N', () => {
    const { failures, clock } = budget(10);
    for (let i = 0; i < 10; i++) failures.take('a');
    clock.now += 3_000;
    expect(failures.take('a')).toBe(3);
    clock.now += 3_000;
    expect(failures.take('a')).toBeNull();
    expect(failures.take('a')).toBe(6);
    clock.now += 3_600_000; // an hour idle: a minute's worth, not sixty
    for (let i = 0; i < 10; i++) expect(failures.take('a')).toBeNull();
    expect(failures.take('a')).not.toBeNull();
  });

  it('an attempt given back (a token the EHR accepted) can be used again', () => {
    const { failures } = budget(2);
    failures.take('a');
    failures.take('a');
    failures.giveBack('a');
    expect(failures.take('a')).toBeNull();
    expect(failures.take('a')).not.toBeNull();
  });

  it('0 is off: nothing is ever refused', () => {
    const { failures } = budget(0);
    for (let i = 0; i < 1000; i++) expect(failures.take('a')).toBeNull();
    expect(failures.enabled).toBe(false);
  });

  it('remembers a bounded number of clients: idle ones go first, then the least recently seen', () => {
    const { failures, clock } = budget(2, 3);
    for (const client of ['a', 'b']) for (let i = 0; i < 2; i++) failures.take(client);
    failures.take('c');
    clock.now += 30_000; // a and b have one back; c is full again (idle)
    failures.take('d'); // the map is full: c goes, not a
    expect(failures.take('a')).toBeNull();
    expect(failures.take('a')).not.toBeNull(); // a's state was kept
    for (let i = 0; i < 2; i++) failures.take('e'); // full, nobody idle: b (least recently seen) goes
    expect(failures.take('b')).toBeNull();
    expect(failures.take('b')).toBeNull();
  });
});

describe('clientKey: whose budget a request uses', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff::9', '2001:db8:1:2::/64'],
    ['2001:DB8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('%s → %s', (ip, key) => {
    expect(clientKey(ip)).toBe(key);
  });
});
