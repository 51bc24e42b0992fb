import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIT_SCRIPT, SETTLE_SCRIPT, TOTAL_FIELD } from './rate-limit.scripts.js';

// The scripts straight against the real Redis, with windows and leases short enough to watch entries retire: the
// running token total must stay equal to the sum of the entries it stands for, whatever mix of admits, settles,
// refusals, window expiries and lapsed leases happened.
let redis: Redis;
const base = `ogw-test-${randomBytes(4).toString('hex')}:ratelimit:{k}`;
const keys = [`${base}:requests`, `${base}:inflight`, `${base}:token-log`, `${base}:tokens`];

beforeAll(() => {
  redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
});
afterAll(async () => {
  await redis.del(...keys);
  redis.disconnect();
});

const admit = (id: string, tpm: number, held: number, windowMs: number, leaseMs: number) =>
  redis.eval(ADMIT_SCRIPT, 4, ...keys, id, -1, tpm, -1, held, windowMs, leaseMs) as Promise<
    [number, string, number, number, number, number, number]
  >;
const settle = (id: string, used: number, windowMs: number, leaseMs: number) =>
  redis.eval(SETTLE_SCRIPT, 4, ...keys, id, used, 1, windowMs, leaseMs);

async function totalAndSum(): Promise<{ total: number; sum: number }> {
  const all = await redis.hgetall(keys[3]!);
  const total = Number(all[TOTAL_FIELD] ?? 0);
  const sum = Object.entries(all)
    .filter(([field]) => field !== TOTAL_FIELD)
    .reduce((acc, [, value]) => acc + Number(value), 0);
  return { total, sum };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rate-limit scripts: the running token total', () => {
  it('equals the sum of held and settled entries through settles, refusals, expiries and lapsed leases', async () => {
    const windowMs = 300;
    const leaseMs = 150;
    let refused = 0;
    for (let i = 0; i < 60; i++) {
      const id = `r${i}`;
      const [allowed, , , , , tokens] = await admit(id, 120, 10 + (i % 7), windowMs, leaseMs);
      if (allowed !== 1) refused++;
      else {
        expect(tokens).toBe((await totalAndSum()).total);
        // Most settle with their real count, some with nothing, some never (their lease lapses).
        if (i % 5 === 0) await settle(id, 0, windowMs, leaseMs);
        else if (i % 5 !== 4) await settle(id, 3 + (i % 11), windowMs, leaseMs);
      }
      const { total, sum } = await totalAndSum();
      expect(total, `after request ${i}`).toBe(sum);
      if (i % 10 === 9) await sleep(60);
    }
    expect(refused, 'the 120-token limit refused some').toBeGreaterThan(0);
    // Everything retires: window and leases pass, the next admit clears them, and the total is what that one holds.
    await sleep(windowMs + leaseMs + 50);
    const [allowed, , , , , tokens] = await admit('last', 400, 9, windowMs, leaseMs);
    expect(allowed).toBe(1);
    expect(tokens).toBe(9);
    expect(await totalAndSum()).toEqual({ total: 9, sum: 9 });
  });

  it('a settle after the lease lapsed books the real count once', async () => {
    const windowMs = 1_000;
    const leaseMs = 50;
    await redis.del(...keys);
    await admit('slow', 1_000, 100, windowMs, leaseMs);
    await sleep(80);
    await admit('next', 1_000, 5, windowMs, leaseMs); // retires the lapsed lease of 'slow' and its 100 held tokens
    expect(await totalAndSum()).toEqual({ total: 5, sum: 5 });
    await settle('slow', 40, windowMs, leaseMs);
    expect(await totalAndSum()).toEqual({ total: 45, sum: 45 });
  });
});
