import { randomUUID } from 'node:crypto';
import { sql } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBatch, usageEvent } from './testing/ledger-batch.js';

const C1 = '11111111-1111-4111-8111-111111111111';
const C2 = '22222222-2222-4222-8222-222222222222';
const K1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1';
const K2 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa2';
const K3 = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbb1';

let testDb: TestDatabase;

/** key_daily rows of `customers` (null: the rows without a customer), the day as "YYYY-MM-DD". */
const rows = (customers: Array<string | null>) =>
  testDb.db
    .selectFrom('key_daily')
    .select([
      sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'),
      'customer_id',
      'api_key_id',
      'requests',
      'errors',
      'prompt_tokens',
      'completion_tokens',
      'total_cost',
    ])
    .where((eb) =>
      eb.or([
        eb(
          'customer_id',
          'in',
          customers.filter((c): c is string => c !== null),
        ),
        ...(customers.includes(null) ? [eb('customer_id', 'is', null)] : []),
      ]),
    )
    .orderBy('day')
    .orderBy('customer_id')
    .orderBy('api_key_id')
    .execute();

beforeAll(async () => {
  testDb = await createTestDatabase('keydaily');
  const db = testDb.db;
  await db
    .insertInto('customers')
    .values([
      { id: C1, name: 'One' },
      { id: C2, name: 'Two' },
    ])
    .execute();
  await db
    .insertInto('api_keys')
    .values([
      { id: K1, customer_id: C1, prefix: 'sk-og-K1', secret_hash: 'h1' },
      { id: K2, customer_id: C1, prefix: 'sk-og-K2', secret_hash: 'h2' },
      { id: K3, customer_id: C2, prefix: 'sk-og-K3', secret_hash: 'h3' },
    ])
    .execute();
  // 0.10 / 0.40 per million tokens + 0.0001 per request: 10 prompt + 5 completion tokens cost 0.000103
  await db
    .insertInto('pricing')
    .values({ model: '*', input_per_million: '0.10', output_per_million: '0.40', per_request: '0.0001' })
    .execute();
});
afterAll(async () => {
  await testDb?.drop();
});

describe('key_daily', () => {
  it('writes one row per UTC day, customer and key with exactly the expected sums', async () => {
    const one = { customerId: C1, apiKeyId: K1 };
    const results = await runBatch(testDb.db, [
      usageEvent({ ...one, occurredAt: '2026-04-01T00:00:00.000Z' }),
      usageEvent({
        ...one,
        occurredAt: '2026-04-01T23:59:59.999Z',
        status: 429,
        errorCode: 'rate_limited',
        promptTokens: 0,
        completionTokens: 0,
      }),
      usageEvent({ ...one, occurredAt: '2026-04-02T00:00:00.000Z' }),
      // 01:30 in Berlin summer time is 23:30 UTC of the day before
      usageEvent({ customerId: C1, apiKeyId: K2, occurredAt: '2026-04-02T01:30:00+02:00' }),
      usageEvent({ customerId: C2, apiKeyId: K3, completionTokens: 20, model: 'other', upstreamHost: null }),
      usageEvent(),
      // a customer and key deleted before billing: recorded without references, like the ledger row
      usageEvent({ customerId: randomUUID(), apiKeyId: randomUUID() }),
    ]);
    expect(results.every((r) => r.inserted)).toBe(true);

    const row = (day: string, customer: string | null, key: string | null, values: object) => ({
      day,
      customer_id: customer,
      api_key_id: key,
      ...values,
    });
    expect(await rows([C1, C2, null])).toEqual([
      row('2026-04-01', C1, K1, {
        requests: '2',
        errors: '1',
        prompt_tokens: '10',
        completion_tokens: '5',
        // the rejected request without tokens costs nothing
        total_cost: '0.000103000',
      }),
      row('2026-04-01', C1, K2, {
        requests: '1',
        errors: '0',
        prompt_tokens: '10',
        completion_tokens: '5',
        total_cost: '0.000103000',
      }),
      row('2026-04-01', C2, K3, {
        requests: '1',
        errors: '0',
        prompt_tokens: '10',
        completion_tokens: '20',
        // (10 × 0.10 + 20 × 0.40) / 1M + 0.0001
        total_cost: '0.000109000',
      }),
      row('2026-04-01', null, null, {
        requests: '2',
        errors: '0',
        prompt_tokens: '20',
        completion_tokens: '10',
        total_cost: '0.000206000',
      }),
      row('2026-04-02', C1, K1, {
        requests: '1',
        errors: '0',
        prompt_tokens: '10',
        completion_tokens: '5',
        total_cost: '0.000103000',
      }),
    ]);
  });

  it('does not count a replayed event twice; two concurrent batches add up without deadlock', async () => {
    const at = { occurredAt: '2026-05-03T08:00:00.000Z' };
    const first = usageEvent({ ...at, customerId: C2, apiKeyId: K3 });
    await runBatch(testDb.db, [first]);
    const replays = await runBatch(testDb.db, [first, { ...first }]);
    expect(replays.map((r) => r.inserted)).toEqual([false, false]);
    // two batches at once over the same keys and days, listed in opposite orders
    const a = [
      usageEvent({ ...at, customerId: C2, apiKeyId: K3 }),
      usageEvent({ customerId: C2, apiKeyId: null, occurredAt: '2026-05-04T08:00:00.000Z' }),
    ];
    const b = [
      usageEvent({
        customerId: C2,
        apiKeyId: null,
        occurredAt: '2026-05-04T09:00:00.000Z',
        completionTokens: 0,
      }),
      usageEvent({ ...at, customerId: C2, apiKeyId: K3, promptTokens: 1_000_000 }),
    ];
    await Promise.all([runBatch(testDb.db, a), runBatch(testDb.db, b)]);
    const may = (await rows([C2])).filter((r) => r.day >= '2026-05-01');
    expect(may).toEqual([
      {
        day: '2026-05-03',
        customer_id: C2,
        api_key_id: K3,
        requests: '3',
        errors: '0',
        prompt_tokens: '1000020',
        completion_tokens: '15',
        // 3 × 0.000103 + 999,990 × 0.10 / 1M
        total_cost: '0.100308000',
      },
      {
        day: '2026-05-04',
        customer_id: C2,
        api_key_id: null,
        requests: '2',
        errors: '0',
        prompt_tokens: '20',
        completion_tokens: '5',
        total_cost: '0.000204000',
      },
    ]);
  });

  it('equals the ledger and usage_hourly grouped by UTC day, customer and key, to the nano-unit', async () => {
    const mine = sql`SELECT day, customer_id, api_key_id, requests::numeric, errors::numeric,
      prompt_tokens::numeric, completion_tokens::numeric, total_cost FROM key_daily`;
    const ledger = sql`SELECT (occurred_at AT TIME ZONE 'UTC')::date, customer_id, api_key_id, count(*)::numeric,
      count(*) FILTER (WHERE status >= 400)::numeric, sum(prompt_tokens)::numeric, sum(completion_tokens)::numeric,
      sum(total_cost) FROM usage_events GROUP BY 1, 2, 3`;
    const hourly = sql`SELECT (bucket AT TIME ZONE 'UTC')::date, customer_id, api_key_id, sum(requests),
      sum(errors), sum(prompt_tokens), sum(completion_tokens), sum(total_cost) FROM usage_hourly GROUP BY 1, 2, 3`;
    for (const [name, other] of [
      ['usage_events', ledger],
      ['usage_hourly', hourly],
    ] as const) {
      const { rows: diff } = await sql`(${mine} EXCEPT ${other}) UNION ALL (${other} EXCEPT ${mine})`.execute(
        testDb.db,
      );
      expect(diff, name).toEqual([]);
    }
    const { rows: count } = await sql<{ n: string }>`SELECT count(*) AS n FROM key_daily`.execute(testDb.db);
    expect(count).toEqual([{ n: '7' }]);
  });
});
