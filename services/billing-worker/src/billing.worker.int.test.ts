import { randomBytes, randomUUID } from 'node:crypto';
import { batchJobId, QUEUE_NAMES, type UsageEvent } from '@ollama-gateway/contracts';
import { sql } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { createLogger, createRedis, type Redis } from '@ollama-gateway/runtime';
import { type JobsOptions, Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BillingWorker, createBillingWorker } from './billing.worker.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `ogw-test-billing-${randomBytes(4).toString('hex')}`;
/** The options the gateway uses for every usage job. */
const GATEWAY_JOB_OPTIONS: JobsOptions = {
  attempts: 25,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { age: 604_800 },
};

let testDb: TestDatabase;
let workerRedis: Redis;
let producerRedis: Redis;
let eventsRedis: Redis;
let billing: BillingWorker;
let queue: Queue;
let queueEvents: QueueEvents;
let customerId: string;
let apiKeyId: string;
let seq = 0;

function usageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    requestId: `req-int-${randomBytes(6).toString('hex')}-${++seq}`,
    occurredAt: '2026-03-01T12:34:56.000Z',
    customerId,
    apiKeyId,
    model: 'llama3.1:8b',
    upstreamModel: 'llama3.1:8b',
    provider: 'ollama',
    upstreamHost: 'http://127.0.0.1:11434',
    endpoint: '/v1/chat/completions',
    dialect: 'openai',
    status: 200,
    errorCode: null,
    stream: false,
    promptTokens: 1200,
    completionTokens: 350,
    totalMs: 4300,
    ttftMs: null,
    gatewayOverheadMs: 2.5,
    // GPU busy 0.2 + 1.0 + 3.0 = 4.2 s; total_duration (queueing included) is not billed as energy
    loadDurationNs: 200_000_000,
    promptEvalDurationNs: 1_000_000_000,
    evalDurationNs: 3_000_000_000,
    totalDurationNs: 4_900_000_000,
    clientIp: '127.0.0.1',
    userAgent: 'vitest',
    ...overrides,
  };
}

/** Adds a job the way the gateway does (job id = request id) and waits for the worker to finish it. */
async function run(data: unknown, jobId = (data as { requestId: string }).requestId) {
  const job = await queue.add(QUEUE_NAMES.usage, data, { ...GATEWAY_JOB_OPTIONS, jobId });
  return job.waitUntilFinished(queueEvents, 15_000);
}

async function ledgerRow(requestId: string) {
  return testDb.db
    .selectFrom('usage_events')
    .selectAll()
    .where('request_id', '=', requestId)
    .executeTakeFirst();
}

async function hourly(model: string) {
  return testDb.db.selectFrom('usage_hourly').selectAll().where('model', '=', model).execute();
}

beforeAll(async () => {
  testDb = await createTestDatabase('billing');
  const db = testDb.db;
  const customer = await db
    .insertInto('customers')
    .values({ name: 'Acme' })
    .returning('id')
    .executeTakeFirstOrThrow();
  customerId = customer.id;
  const key = await db
    .insertInto('api_keys')
    .values({ customer_id: customerId, prefix: 'sk-og-test', secret_hash: randomBytes(16).toString('hex') })
    .returning('id')
    .executeTakeFirstOrThrow();
  apiKeyId = key.id;
  await db
    .insertInto('pricing')
    .values([
      { model: '*', input_per_million: '0.05', output_per_million: '0.10' },
      { model: 'llama3*', input_per_million: '0.10', output_per_million: '0.40' },
      // the exact price changed on 2026-02-01: requests before that use the old one
      {
        model: 'llama3.1:8b',
        input_per_million: '0.15',
        output_per_million: '0.50',
        effective_from: '2025-01-01T00:00:00Z',
      },
      {
        model: 'llama3.1:8b',
        input_per_million: '0.20',
        output_per_million: '0.80',
        per_request: '0.0005',
        effective_from: '2026-02-01T00:00:00Z',
      },
    ])
    .execute();

  workerRedis = createRedis(REDIS_URL, 'worker', 'billing-int-worker');
  producerRedis = createRedis(REDIS_URL, 'worker', 'billing-int-producer');
  eventsRedis = createRedis(REDIS_URL, 'worker', 'billing-int-events');
  queue = new Queue(QUEUE_NAMES.usage, { connection: producerRedis, prefix });
  queueEvents = new QueueEvents(QUEUE_NAMES.usage, { connection: eventsRedis, prefix });
  await queueEvents.waitUntilReady();
  billing = createBillingWorker({
    db: testDb.db,
    connection: workerRedis,
    queuePrefix: prefix,
    concurrency: 4,
    energy: { gpuWatts: '350', electricityPricePerKwh: '0.15' },
    currency: 'USD',
    logger: createLogger('billing-int', 'silent'),
    priceCacheMs: 0,
  });
  await billing.worker.waitUntilReady();
});

afterAll(async () => {
  await billing?.close();
  await queueEvents?.close();
  await queue?.obliterate({ force: true });
  await queue?.close();
  await Promise.all([workerRedis?.quit(), producerRedis?.quit(), eventsRedis?.quit()]);
  await testDb?.drop();
});

describe('billing worker (real Redis + Postgres)', () => {
  it('writes one priced ledger row per request and rolls it up by hour', async () => {
    const event = usageEvent();
    const result = await run(event);
    expect(result).toMatchObject({ requestId: event.requestId, inserted: true, totalCost: '0.001020000' });

    const row = await ledgerRow(event.requestId);
    expect(row).toMatchObject({
      customer_id: customerId,
      api_key_id: apiKeyId,
      prompt_tokens: 1200,
      completion_tokens: 350,
      total_tokens: 1550,
      input_cost: '0.000240000',
      output_cost: '0.000280000',
      request_cost: '0.000500000',
      total_cost: '0.001020000',
      energy_wh: '0.408333333',
      electricity_cost: '0.000061250',
      reference_cost: '0.000390000',
      currency: 'USD',
    });
    const price = await testDb.db
      .selectFrom('pricing')
      .select('per_request')
      .where('id', '=', row!.pricing_id)
      .executeTakeFirstOrThrow();
    expect(price.per_request).toBe('0.000500');

    const [bucket, ...others] = await hourly('llama3.1:8b');
    expect(others).toHaveLength(0);
    expect(bucket!.bucket.toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(bucket).toMatchObject({
      requests: '1',
      errors: '0',
      prompt_tokens: '1200',
      total_cost: '0.001020000',
    });
  });

  it('uses the price in force at the request time and falls back to globs', async () => {
    const old = usageEvent({
      occurredAt: '2025-06-01T08:00:00Z',
      promptTokens: 1_000_000,
      completionTokens: 0,
    });
    const glob = usageEvent({
      model: 'llama3.2:3b',
      upstreamModel: 'llama3.2:3b',
      completionTokens: 1_000_000,
    });
    const fallback = usageEvent({ model: 'mistral:7b', upstreamModel: 'mistral:7b', completionTokens: 0 });
    await Promise.all([run(old), run(glob), run(fallback)]);
    expect((await ledgerRow(old.requestId))?.total_cost).toBe('0.150000000');
    expect((await ledgerRow(glob.requestId))?.total_cost).toBe('0.400120000'); // 1200 × 0.10/M + 1M × 0.40/M
    expect((await ledgerRow(fallback.requestId))?.total_cost).toBe('0.000060000'); // 1200 × 0.05/M
  });

  it('never double-counts a replayed event, in the ledger or the rollup', async () => {
    const model = 'llama3-replay';
    const event = usageEvent({ model, upstreamModel: model, occurredAt: '2026-03-02T09:15:00Z' });
    expect(await run(event)).toMatchObject({ inserted: true });
    // the same data again under other job ids, as a spool replay or a producer retry would add it
    expect(await run(event, `${event.requestId}-replay-1`)).toMatchObject({ inserted: false });
    const replays = await Promise.all([2, 3, 4].map((i) => run(event, `${event.requestId}-replay-${i}`)));
    expect(replays.every((r) => r.inserted === false)).toBe(true);

    const count = await testDb.db
      .selectFrom('usage_events')
      .select(sql<string>`count(*)`.as('n'))
      .where('request_id', '=', event.requestId)
      .executeTakeFirstOrThrow();
    expect(count.n).toBe('1');
    const rows = await hourly(model);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ requests: '1', prompt_tokens: '1200', completion_tokens: '350' });
    const byModel = await testDb.db
      .selectFrom('model_hourly')
      .select(['requests', 'prompt_tokens', 'total_cost'])
      .where('model', '=', model)
      .execute();
    expect(byModel).toEqual([{ requests: '1', prompt_tokens: '1200', total_cost: rows[0]!.total_cost }]);
    const daily = await testDb.db
      .selectFrom('key_daily')
      .select(['requests', 'prompt_tokens', 'total_cost'])
      .where(sql<boolean>`day = '2026-03-02'`)
      .execute();
    expect(daily).toEqual([{ requests: '1', prompt_tokens: '1200', total_cost: rows[0]!.total_cost }]);
  });

  it('sums several requests of one hour into one rollup row', async () => {
    const model = 'llama3-rollup';
    const base = { model, upstreamModel: model, occurredAt: '2026-03-03T10:05:00Z' };
    await Promise.all([
      run(usageEvent({ ...base, stream: true, ttftMs: 120, totalMs: 1000 })),
      run(
        usageEvent({
          ...base,
          occurredAt: '2026-03-03T10:59:59.999Z',
          stream: true,
          ttftMs: 80,
          totalMs: 500,
        }),
      ),
      run(
        usageEvent({
          ...base,
          status: 502,
          errorCode: 'upstream_error',
          promptTokens: 0,
          completionTokens: 0,
          totalMs: 30,
          loadDurationNs: null,
          promptEvalDurationNs: null,
          evalDurationNs: null,
          totalDurationNs: null,
        }),
      ),
      run(usageEvent({ ...base, occurredAt: '2026-03-03T11:00:00Z' })),
    ]);
    const rows = (await hourly(model)).sort((a, b) => a.bucket.getTime() - b.bucket.getTime());
    expect(rows.map((r) => r.bucket.toISOString())).toEqual([
      '2026-03-03T10:00:00.000Z',
      '2026-03-03T11:00:00.000Z',
    ]);
    expect(rows[0]).toMatchObject({
      requests: '3',
      errors: '1',
      stream_requests: '2',
      prompt_tokens: '2400',
      completion_tokens: '700',
      total_ms_sum: 1530,
      ttft_ms_sum: 200,
      ttft_count: '2',
      eval_duration_ns_sum: '6000000000',
      // 2 × (1200 × 0.10/M + 350 × 0.40/M) = 2 × 0.00026; the failed request has no tokens and no per-request price
      total_cost: '0.000520000',
      energy_wh: '0.816666666',
      electricity_cost: '0.000122500',
      reference_cost: '0.000780000',
    });
    expect(rows[1]).toMatchObject({ requests: '1', errors: '0' });
    // model_hourly, in the same transactions: usage_hourly's sums (one customer and key here), the completion tokens
    // of the requests with a generation time, and the histograms: total_ms 1000, 500, 30 → buckets 31, 28, 16;
    // ttft 120, 80 → 22, 20
    const byModel = await testDb.db
      .selectFrom('model_hourly')
      .selectAll()
      .where('model', '=', model)
      .orderBy('bucket')
      .execute();
    const nonZero = (hist: string[]) =>
      Object.fromEntries(hist.flatMap((n, i) => (n === '0' ? [] : [[i, n]])));
    expect(byModel.map((r) => [r.requests, nonZero(r.latency_hist), nonZero(r.ttft_hist)])).toEqual([
      ['3', { 16: '1', 28: '1', 31: '1' }, { 20: '1', 22: '1' }],
      ['1', { 38: '1' }, {}],
    ]);
    const { customer_id, api_key_id, ...sums } = rows[0]!;
    expect(byModel[0]).toMatchObject({ ...sums, eval_completion_tokens: '700' });
    // key_daily: the whole UTC day of this customer's key
    const daily = await testDb.db
      .selectFrom('key_daily')
      .selectAll()
      .where(sql<boolean>`day = '2026-03-03'`)
      .execute();
    expect(daily).toEqual([
      expect.objectContaining({
        customer_id: customerId,
        api_key_id: apiKeyId,
        requests: '4',
        errors: '1',
        prompt_tokens: '3600',
        completion_tokens: '1050',
        total_cost: '0.000780000',
      }),
    ]);
  });

  it('records usage of a deleted customer and key with null references', async () => {
    const event = usageEvent({ customerId: randomUUID(), apiKeyId: randomUUID() });
    expect(await run(event)).toMatchObject({ inserted: true });
    const row = await ledgerRow(event.requestId);
    expect(row).toMatchObject({ customer_id: null, api_key_id: null, total_cost: '0.001020000' });
  });

  it('sends a bad payload to the failed set at once, without retries', async () => {
    const requestId = `req-bad-${randomBytes(4).toString('hex')}`;
    const bad = { ...usageEvent({ requestId }), promptTokens: 'many' };
    await expect(run(bad)).rejects.toThrow(/Invalid usage event.*promptTokens/);
    const job = await queue.getJob(requestId);
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(await queue.getDelayedCount()).toBe(0);
    expect(await ledgerRow(requestId)).toBeUndefined();
  });
  it('takes a batch job (several events, as the gateway sends them): one row each, an invalid event dropped alone', async () => {
    const events = [usageEvent(), usageEvent(), usageEvent({ model: 'llama3.2:3b' })];
    const bad = { ...usageEvent(), completionTokens: -1 };
    const result = await run({ events: [...events, bad] }, batchJobId(events[0]!.requestId, 4));
    expect(result).toEqual(
      events.map((event) => expect.objectContaining({ requestId: event.requestId, inserted: true })),
    );
    for (const event of events) expect(await ledgerRow(event.requestId)).toBeDefined();
    expect(await ledgerRow(bad.requestId)).toBeUndefined();

    // The same batch again (a spool replay after a lost reply): every row is a duplicate, nothing is counted twice.
    const replay = await run({ events }, batchJobId(`${events[0]!.requestId}-again`, 3));
    expect(replay).toEqual(events.map(() => expect.objectContaining({ inserted: false })));
    const rows = await testDb.db
      .selectFrom('usage_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where(
        'request_id',
        'in',
        events.map((event) => event.requestId),
      )
      .executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(3);
  });

  it('fails a batch of nothing but invalid events for good, without retries', async () => {
    const jobId = batchJobId(`req-bad-batch-${randomBytes(4).toString('hex')}`, 2);
    const bad = [{ requestId: 'x' }, { ...usageEvent(), promptTokens: 'many' }];
    await expect(run({ events: bad }, jobId)).rejects.toThrow(/every event of batch .* is invalid/);
    const job = await queue.getJob(jobId);
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
  });
});
