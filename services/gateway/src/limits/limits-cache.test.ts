import { describe, expect, it } from 'vitest';
import { createCustomerLimitsCache, createPriceCache } from './budget.gate.js';

type Repository = Parameters<typeof createCustomerLimitsCache>[0] & Parameters<typeof createPriceCache>[0];

/** A repository whose reads count and can fail, over one customer and one price row. */
function repository() {
  const state = { down: false, reads: 0 };
  const fail = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
  const repo = {
    findCustomerLimits: async (id: string) => {
      state.reads++;
      if (state.down) return fail();
      return { customerId: id, budget: 10 } as never;
    },
    listPrices: async () => {
      state.reads++;
      if (state.down) return fail();
      return [{ model: '*' }] as never;
    },
  } satisfies Repository;
  return { repo, state };
}

describe('customer limits and price caches while Postgres fails (DB_OUTAGE_GRACE_MS)', () => {
  it('serve the last values read within the grace, then the error', async () => {
    let clock = 0;
    const { repo, state } = repository();
    const stale: unknown[] = [];
    const options = { staleIfErrorMs: 60_000, onStale: (error: unknown) => stale.push(error) };
    const limits = createCustomerLimitsCache(repo, 5000, () => clock, options);
    const prices = createPriceCache(repo, 5000, () => clock, options);
    const first = await limits.get('c1');
    const list = await prices.get();

    state.down = true;
    clock += 30_000;
    await expect(limits.get('c1')).resolves.toEqual(first);
    await expect(prices.get()).resolves.toEqual(list);
    expect(stale).toHaveLength(2);
    await expect(limits.get('never-read')).rejects.toThrow(/ECONNREFUSED/);

    clock += 40_000; // 70 s after the last good read: past TTL + grace
    await expect(limits.get('c1')).rejects.toThrow(/ECONNREFUSED/);
    await expect(prices.get()).rejects.toThrow(/ECONNREFUSED/);

    // Back up: fresh reads again, and an evicted customer is never served stale.
    state.down = false;
    await limits.get('c1');
    limits.evict('c1');
    state.down = true;
    await expect(limits.get('c1')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('without a grace, a failed read is an error at once', async () => {
    let clock = 0;
    const { repo, state } = repository();
    const limits = createCustomerLimitsCache(repo, 5000, () => clock);
    await limits.get('c1');
    state.down = true;
    clock += 5001;
    await expect(limits.get('c1')).rejects.toThrow(/ECONNREFUSED/);
  });
});
