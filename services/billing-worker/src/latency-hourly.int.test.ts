import { randomBytes } from 'node:crypto';
import { LATENCY_HISTOGRAM_BUCKETS, latencyBucket, type UsageEvent } from '@ollama-gateway/contracts';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { createLogger } from '@ollama-gateway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPriceBook } from './pricing/price-book.js';
import { createUsageBatcher } from './processors/usage.batcher.js';
import { createUsageProcessor } from './processors/usage.processor.js';
import { createPricingSource } from './repositories/pricing.source.js';
import { createUsageRepository } from './repositories/usage.repository.js';

let testDb: TestDatabase;
let seq = 0;

function usageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    requestId: `req-latency-${randomBytes(6).toString('hex')}-${++seq}`,
    occurredAt: '2026-04-01T10:15:00.000Z',
    customerId: null,
    apiKeyId: null,
    model: 'lat-model',
    upstreamModel: 'lat-model',
    provider: 'ollama',
    upstreamHost: 'http://gpu0:11434',
    endpoint: '/v1/chat/completions',
    dialect: 'openai',
    status: 200,
    errorCode: null,
    stream: true,
    promptTokens: 10,
    completionTokens: 5,
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

/** Processes `events` as one batch: they are all in flight together, so they land in one transaction. */
async function runBatch(events: readonly UsageEvent[]) {
  const batcher = createUsageBatcher(createUsageRepository(testDb.db), {
    maxBatch: events.length,
    maxWaitMs: 1000,
  });
  const processor = createUsageProcessor({
    priceBook: createPriceBook(createPricingSource(testDb.db), { ttlMs: 0 }),
    usage: batcher,
    energy: { gpuWatts: '350', electricityPricePerKwh: '0.15' },
    currency: 'USD',
    logger: createLogger('latency-int', 'silent'),
  });
  return Promise.all(events.map((event) => processor({ id: event.requestId, data: event, attemptsMade: 0 })));
}

/** A histogram as Postgres returns it (string[] of int8), from { bucket index: count }. */
function hist(counts: Record<number, number>): string[] {
  const values = new Array<string>(LATENCY_HISTOGRAM_BUCKETS).fill('0');
  for (const [bucket, count] of Object.entries(counts)) values[Number(bucket)] = String(count);
  return values;
}

const rows = (model: string) =>
  testDb.db
    .selectFrom('latency_hourly')
    .selectAll()
    .where('model', '=', model)
    .orderBy('bucket')
    .orderBy('upstream_host')
    .execute();

beforeAll(async () => {
  testDb = await createTestDatabase('latency');
});
afterAll(async () => {
  await testDb?.drop();
});

describe('latency_hourly', () => {
  it('knows the buckets the events below fall in', () => {
    expect([0.5, 1, 80, 100, 120, 1000, 4300, 2e6].map(latencyBucket)).toEqual([
      0, 1, 20, 21, 22, 31, 38, 63,
    ]);
  });

  it('writes one row per hour, model, provider and host with exactly the expected histograms', async () => {
    const model = 'lat-exact';
    const base = { model, upstreamModel: model };
    const results = await runBatch([
      usageEvent({ ...base, totalMs: 100, ttftMs: 80 }),
      usageEvent({ ...base, totalMs: 100, ttftMs: null, occurredAt: '2026-04-01T10:59:59.999Z' }),
      usageEvent({ ...base, totalMs: 1000, ttftMs: 120, status: 502, errorCode: 'upstream_error' }),
      usageEvent({ ...base, totalMs: 0.5, ttftMs: null, stream: false }),
      usageEvent({ ...base, totalMs: 4300, ttftMs: 1, occurredAt: '2026-04-01T11:00:00.000Z' }),
      usageEvent({ ...base, totalMs: 2e6, ttftMs: 2e6, upstreamHost: null }),
    ]);
    expect(results.every((r) => r.inserted)).toBe(true);

    const found = await rows(model);
    expect(
      found.map((r) => ({
        bucket: r.bucket.toISOString(),
        provider: r.provider,
        upstream_host: r.upstream_host,
        requests: r.requests,
        latency_hist: r.latency_hist,
        ttft_hist: r.ttft_hist,
      })),
    ).toEqual([
      {
        bucket: '2026-04-01T10:00:00.000Z',
        provider: 'ollama',
        upstream_host: 'http://gpu0:11434',
        requests: '4',
        latency_hist: hist({ 0: 1, 21: 2, 31: 1 }),
        ttft_hist: hist({ 20: 1, 22: 1 }),
      },
      {
        bucket: '2026-04-01T10:00:00.000Z',
        provider: 'ollama',
        upstream_host: null,
        requests: '1',
        latency_hist: hist({ 63: 1 }),
        ttft_hist: hist({ 63: 1 }),
      },
      {
        bucket: '2026-04-01T11:00:00.000Z',
        provider: 'ollama',
        upstream_host: 'http://gpu0:11434',
        requests: '1',
        latency_hist: hist({ 38: 1 }),
        ttft_hist: hist({ 1: 1 }),
      },
    ]);
  });

  it('does not count a replayed event twice (after commit or twice in one batch)', async () => {
    const model = 'lat-replay';
    const event = usageEvent({ model, upstreamModel: model, totalMs: 1000, ttftMs: 100 });
    await runBatch([event]);
    const replays = await runBatch([event, { ...event }, usageEvent({ model, upstreamModel: model })]);
    expect(replays.map((r) => r.inserted)).toEqual([false, false, true]);
    const [row, ...others] = await rows(model);
    expect(others).toHaveLength(0);
    expect(row).toMatchObject({
      requests: '2',
      latency_hist: hist({ 21: 1, 31: 1 }),
      ttft_hist: hist({ 21: 1 }),
    });
  });

  it('adds two batches up element-wise, the null-host row included; concurrent batches do not deadlock', async () => {
    const model = 'lat-sum';
    const base = { model, upstreamModel: model };
    await runBatch([
      usageEvent({ ...base, totalMs: 100, ttftMs: 80 }),
      usageEvent({ ...base, totalMs: 1, upstreamHost: null }),
    ]);
    // two batches at once over the same keys, listed in opposite orders
    const a = [
      usageEvent({ ...base, totalMs: 100 }),
      usageEvent({ ...base, totalMs: 1000, upstreamHost: null }),
    ];
    const b = [
      usageEvent({ ...base, totalMs: 4300, upstreamHost: null }),
      usageEvent({ ...base, ttftMs: 120 }),
    ];
    await Promise.all([runBatch(a), runBatch(b)]);

    const [host, none] = await rows(model);
    expect(host).toMatchObject({
      upstream_host: 'http://gpu0:11434',
      requests: '3',
      latency_hist: hist({ 21: 3 }),
      ttft_hist: hist({ 20: 1, 22: 1 }),
    });
    expect(none).toMatchObject({
      upstream_host: null,
      requests: '3',
      latency_hist: hist({ 1: 1, 31: 1, 38: 1 }),
      ttft_hist: hist({}),
    });
    // every histogram sums to its row's requests (latency) and the rollup agrees with usage_hourly
    const hourly = await testDb.db
      .selectFrom('usage_hourly')
      .select((eb) => [
        eb.fn.sum<string>('requests').as('requests'),
        eb.fn.sum<string>('ttft_count').as('ttft'),
      ])
      .where('model', '=', model)
      .executeTakeFirstOrThrow();
    expect(hourly).toEqual({ requests: '6', ttft: '2' });
  });

  it('strips NUL from the model name as the ledger does', async () => {
    await runBatch([usageEvent({ model: 'lat\u0000nul', upstreamModel: null })]);
    expect(await rows('latnul')).toHaveLength(1);
  });
});
