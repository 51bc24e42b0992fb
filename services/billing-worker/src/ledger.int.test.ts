import { randomBytes } from 'node:crypto';
import type { UsageEvent } from '@ollama-gateway/contracts';
import { sql } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { formatNano, toNano } from '@ollama-gateway/pricing';
import { createLogger } from '@ollama-gateway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPriceBook } from './pricing/price-book.js';
import { createUsageBatcher, type UsageBatcher } from './processors/usage.batcher.js';
import { createUsageProcessor } from './processors/usage.processor.js';
import { createPricingSource } from './repositories/pricing.source.js';
import { createUsageRepository } from './repositories/usage.repository.js';

let testDb: TestDatabase;
let plain: string; // default prices, no markup
let marked: string; // default prices + 25 %
let own: string; // its own price for llama3*
let seq = 0;

function usageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    requestId: `req-ledger-${randomBytes(6).toString('hex')}-${++seq}`,
    occurredAt: '2026-03-01T12:00:00.000Z',
    customerId: plain,
    apiKeyId: null,
    model: 'llama3.1:8b',
    upstreamModel: 'llama3.1:8b',
    provider: 'ollama',
    upstreamHost: 'http://gpu0:11434',
    endpoint: '/v1/chat/completions',
    dialect: 'openai',
    status: 200,
    errorCode: null,
    stream: false,
    promptTokens: 1000,
    completionTokens: 500,
    totalMs: 100,
    ttftMs: null,
    gatewayOverheadMs: 1,
    loadDurationNs: null,
    promptEvalDurationNs: null,
    evalDurationNs: null,
    totalDurationNs: null,
    clientIp: null,
    userAgent: null,
    ...overrides,
  };
}

function setup(batch = { maxBatch: 50, maxWaitMs: 5 }) {
  const batcher: UsageBatcher = createUsageBatcher(createUsageRepository(testDb.db), batch);
  const processor = createUsageProcessor({
    priceBook: createPriceBook(createPricingSource(testDb.db), { ttlMs: 0 }),
    usage: batcher,
    energy: {
      gpuWatts: '350',
      gpuWattsByHost: { 'http://gpu1:11434': 450 },
      electricityPricePerKwh: '0.15',
      timeOfUse: [{ from: '22:00', to: '06:00', pricePerKwh: '0.08' }],
      timeZone: 'Europe/Berlin',
    },
    currency: 'USD',
    timeZone: 'Europe/Berlin',
    logger: createLogger('ledger-int', 'silent'),
  });
  return (event: UsageEvent) => processor({ id: event.requestId, data: event, attemptsMade: 0 });
}

const row = (requestId: string) =>
  testDb.db
    .selectFrom('usage_events')
    .selectAll()
    .where('request_id', '=', requestId)
    .executeTakeFirstOrThrow();
const spend = (customerId: string) =>
  testDb.db.selectFrom('customer_spend').selectAll().where('customer_id', '=', customerId).execute();

beforeAll(async () => {
  testDb = await createTestDatabase('ledger');
  const db = testDb.db;
  const insert = (name: string, markup: string) =>
    db
      .insertInto('customers')
      .values({ name, price_markup_percent: markup })
      .returning('id')
      .executeTakeFirstOrThrow()
      .then((r) => r.id);
  plain = await insert('Plain', '0');
  marked = await insert('Marked', '25');
  own = await insert('Own', '50'); // its markup never applies to its own prices
  await db
    .insertInto('pricing')
    .values([
      { model: '*', input_per_million: '0.05', output_per_million: '0.10' },
      { model: 'llama3*', input_per_million: '0.20', output_per_million: '0.80', per_request: '0.0005' },
      { model: 'llama3*', input_per_million: '0.10', output_per_million: '0.20', customer_id: own },
    ])
    .execute();
});

afterAll(async () => {
  await testDb?.drop();
});

describe('prices recorded per row', () => {
  it("charges a customer's own price before the default, and records it", async () => {
    const run = setup();
    const event = usageEvent({ customerId: own });
    await run(event);
    const r = await row(event.requestId);
    // 1000 × 0.10/1M + 500 × 0.20/1M = 0.0001 + 0.0001; no per-request price on the customer's row; no markup
    expect(r).toMatchObject({
      input_price_per_million: '0.100000000',
      output_price_per_million: '0.200000000',
      request_price: '0.000000000',
      markup_percent: '0.0000',
      total_cost: '0.000200000',
    });
  });

  it('applies the markup to the default prices and records the marked-up prices', async () => {
    const run = setup();
    const event = usageEvent({ customerId: marked });
    await run(event);
    const r = await row(event.requestId);
    // 0.20 → 0.25, 0.80 → 1.00, 0.0005 → 0.000625: 0.00025 + 0.0005 + 0.000625
    expect(r).toMatchObject({
      input_price_per_million: '0.250000000',
      output_price_per_million: '1.000000000',
      request_price: '0.000625000',
      markup_percent: '25.0000',
      input_cost: '0.000250000',
      output_cost: '0.000500000',
      request_cost: '0.000625000',
      total_cost: '0.001375000',
    });
  });

  it('prices an unpriced model with the * row', async () => {
    const run = setup();
    const event = usageEvent({ model: 'mistral', upstreamModel: 'mistral' });
    await run(event);
    expect(await row(event.requestId)).toMatchObject({
      input_price_per_million: '0.050000000',
      total_cost: '0.000100000',
    });
  });
});

describe('cache status', () => {
  it('writes cache_status; an unbilled hit keeps its tokens at cost 0; old events leave it null', async () => {
    const run = setup();
    const billedHit = usageEvent({ cacheStatus: 'hit', billable: true, upstreamHost: null });
    const freeHit = usageEvent({ cacheStatus: 'hit', billable: false, upstreamHost: null });
    const miss = usageEvent({ cacheStatus: 'miss' });
    const old = usageEvent();
    await Promise.all([run(billedHit), run(freeHit), run(miss), run(old)]);
    // 1000 × 0.20/1M + 500 × 0.80/1M + 0.0005 per request
    expect(await row(billedHit.requestId)).toMatchObject({ cache_status: 'hit', total_cost: '0.001100000' });
    expect(await row(freeHit.requestId)).toMatchObject({
      cache_status: 'hit',
      prompt_tokens: 1000,
      completion_tokens: 500,
      total_cost: '0.000000000',
      request_cost: '0.000000000',
      pricing_id: null,
      input_price_per_million: '0.000000000',
    });
    expect(await row(miss.requestId)).toMatchObject({ cache_status: 'miss', total_cost: '0.001100000' });
    expect(await row(old.requestId)).toMatchObject({ cache_status: null, total_cost: '0.001100000' });
  });
});

describe('electricity', () => {
  it('uses load + prompt_eval + eval, the host watts and the time-of-use kWh price', async () => {
    const run = setup();
    // 23:30 in Berlin (UTC+1): night window 0.08/kWh; gpu1 draws 450 W; 1 + 2 + 5 = 8 s busy (total 60 s ignored)
    const event = usageEvent({
      occurredAt: '2026-01-10T22:30:00.000Z',
      upstreamHost: 'http://gpu1:11434',
      loadDurationNs: 1e9,
      promptEvalDurationNs: 2e9,
      evalDurationNs: 5e9,
      totalDurationNs: 60e9,
    });
    await run(event);
    // 450 W × 8 s / 3600 = 1 Wh; 1 Wh × 0.08 / 1000 = 0.00008
    expect(await row(event.requestId)).toMatchObject({
      energy_wh: '1.000000000',
      electricity_cost: '0.000080000',
      gpu_watts: '450.000000000',
      electricity_price_per_kwh: '0.080000000',
    });
    const day = usageEvent({ occurredAt: '2026-01-10T12:00:00.000Z', evalDurationNs: 8e9 });
    await run(day);
    // 350 W × 8 s / 3600 = 0.777… Wh at 0.15/kWh
    expect(await row(day.requestId)).toMatchObject({
      energy_wh: '0.777777778',
      electricity_cost: '0.000116667',
      electricity_price_per_kwh: '0.150000000',
    });
  });
});

describe('spend counters and replays', () => {
  it('never double-counts a replayed event in usage_events, usage_hourly or customer_spend', async () => {
    const customer = await testDb.db
      .insertInto('customers')
      .values({ name: 'Replay' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const run = setup();
    const event = usageEvent({
      customerId: customer.id,
      model: 'llama3-replay',
      occurredAt: '2026-02-28T23:30:00Z',
    });
    const first = await run(event);
    // replays: one after the commit, two more in the same batch
    const again = await Promise.all([run(event), run(event), run(usageEvent({ ...event }))]);
    expect(first.inserted).toBe(true);
    expect(again.map((r) => r.inserted)).toEqual([false, false, false]);

    const rows = await testDb.db
      .selectFrom('usage_events')
      .select('id')
      .where('request_id', '=', event.requestId)
      .execute();
    expect(rows).toHaveLength(1);
    const hourly = await testDb.db
      .selectFrom('usage_hourly')
      .selectAll()
      .where('model', '=', 'llama3-replay')
      .execute();
    expect(hourly.map((h) => h.requests)).toEqual(['1']);
    const byModel = await testDb.db
      .selectFrom('model_hourly')
      .select(['requests', 'total_cost'])
      .where('model', '=', 'llama3-replay')
      .execute();
    expect(byModel).toEqual([{ requests: '1', total_cost: '0.001100000' }]);
    // key_daily is per UTC day: 28 February
    const daily = await testDb.db
      .selectFrom('key_daily')
      .select([sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), 'requests', 'total_cost'])
      .where('customer_id', '=', customer.id)
      .execute();
    expect(daily).toEqual([{ day: '2026-02-28', requests: '1', total_cost: '0.001100000' }]);
    // 23:30 UTC on 28 Feb is 00:30 on 1 March in Berlin: the March period
    const s = await spend(customer.id);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({
      requests: '1',
      prompt_tokens: '1000',
      completion_tokens: '500',
      total_cost: '0.001100000',
    });
    const period = await testDb.db
      .selectFrom('customer_spend')
      .select((eb) => eb.fn<string>('to_char', [eb.ref('period'), eb.val('YYYY-MM-DD')]).as('p'))
      .where('customer_id', '=', customer.id)
      .executeTakeFirstOrThrow();
    expect(period.p).toBe('2026-03-01');
  });

  it('lands a batch of 200 events exactly: ledger, rollups and spend agree to the nano-unit', async () => {
    const customer = await testDb.db
      .insertInto('customers')
      .values({ name: 'Bulk' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const run = setup({ maxBatch: 200, maxWaitMs: 1000 });
    const events = Array.from({ length: 200 }, (_, i) =>
      usageEvent({
        customerId: customer.id,
        model: 'llama3-bulk',
        promptTokens: 100 + i,
        completionTokens: 7 * i,
      }),
    );
    const results = await Promise.all(events.map(run));
    expect(results.every((r) => r.inserted)).toBe(true);
    const expected = results.reduce((sum, r) => sum + toNano(r.totalCost), 0n);

    const ledger = await testDb.db
      .selectFrom('usage_events')
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.sum<string>('total_cost').as('cost')])
      .where('customer_id', '=', customer.id)
      .executeTakeFirstOrThrow();
    expect(ledger.n).toBe('200');
    expect(formatNano(toNano(ledger.cost))).toBe(formatNano(expected));
    const [s] = await spend(customer.id);
    expect(s).toMatchObject({
      requests: '200',
      prompt_tokens: String(events.reduce((n, e) => n + e.promptTokens, 0)),
      completion_tokens: String(events.reduce((n, e) => n + e.completionTokens, 0)),
      total_cost: formatNano(expected),
    });
    const hourly = await testDb.db
      .selectFrom('usage_hourly')
      .selectAll()
      .where('model', '=', 'llama3-bulk')
      .execute();
    expect(hourly).toHaveLength(1);
    expect(hourly[0]).toMatchObject({ requests: '200', total_cost: formatNano(expected) });
    const dashboardRollups = async () => ({
      byModel: await testDb.db
        .selectFrom('model_hourly')
        .select(['requests', 'prompt_tokens', 'completion_tokens', 'total_cost'])
        .where('model', '=', 'llama3-bulk')
        .execute(),
      byKey: await testDb.db
        .selectFrom('key_daily')
        .select(['requests', 'prompt_tokens', 'completion_tokens', 'total_cost'])
        .where('customer_id', '=', customer.id)
        .execute(),
    });
    const sums = {
      requests: '200',
      prompt_tokens: s!.prompt_tokens,
      completion_tokens: s!.completion_tokens,
      total_cost: formatNano(expected),
    };
    expect(await dashboardRollups()).toEqual({ byModel: [sums], byKey: [sums] });

    // the whole batch replayed: nothing changes
    const replays = await Promise.all(events.map(run));
    expect(replays.some((r) => r.inserted)).toBe(false);
    expect((await spend(customer.id))[0]).toMatchObject({
      requests: '200',
      total_cost: formatNano(expected),
    });
    expect(await dashboardRollups()).toEqual({ byModel: [sums], byKey: [sums] });
  });
});

describe('usage batcher', () => {
  it('fails every job of a failed batch (so BullMQ retries each) and writes the next batch', async () => {
    let calls = 0;
    const batcher = createUsageBatcher(
      {
        record: async () => {
          throw new Error('unused');
        },
        recordBatch: async (entries) => {
          calls++;
          if (calls === 1) throw new Error('deadlock detected');
          return entries.map(() => ({ inserted: true, id: '1', droppedReferences: [] }));
        },
      },
      { maxBatch: 3, maxWaitMs: 1000 },
    );
    const entry = { event: usageEvent(), pricingId: null, cost: {} as never, currency: 'USD' };
    const first = [batcher.record(entry), batcher.record(entry), batcher.record(entry)];
    const settled = await Promise.allSettled(first);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const second = await Promise.all([batcher.record(entry), batcher.record(entry), batcher.record(entry)]);
    expect(second.every((r) => r.inserted)).toBe(true);
    expect(calls).toBe(2);
  });
});
