import { randomBytes } from 'node:crypto';
import { QUEUE_NAMES, type UsageEvent } from '@ollama-gateway/contracts';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import {
  createLogger,
  createMetricsRegistry,
  createRedis,
  type HealthServer,
  type Redis,
  startHealthServer,
} from '@ollama-gateway/runtime';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BillingWorker, createBillingWorker } from './billing.worker.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `ogw-test-billing-metrics-${randomBytes(4).toString('hex')}`;

let testDb: TestDatabase;
let workerRedis: Redis;
let producerRedis: Redis;
let eventsRedis: Redis;
let billing: BillingWorker;
let health: HealthServer;
let queue: Queue;
let queueEvents: QueueEvents;

function usageEvent(occurredAt: string): UsageEvent {
  return {
    requestId: `req-metrics-${randomBytes(6).toString('hex')}`,
    occurredAt,
    customerId: null,
    apiKeyId: null,
    model: 'llama3.2',
    upstreamModel: 'llama3.2',
    provider: 'ollama',
    upstreamHost: 'http://127.0.0.1:11434',
    endpoint: '/v1/chat/completions',
    dialect: 'openai',
    status: 200,
    errorCode: null,
    stream: false,
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
  };
}

async function run(data: unknown, jobId: string) {
  const job = await queue.add(QUEUE_NAMES.usage, data, { jobId, attempts: 1, removeOnComplete: true });
  return job.waitUntilFinished(queueEvents, 15_000);
}

async function scrape(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${health.port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

beforeAll(async () => {
  testDb = await createTestDatabase('billing_metrics');
  workerRedis = createRedis(REDIS_URL, 'worker', 'billing-metrics-worker');
  producerRedis = createRedis(REDIS_URL, 'worker', 'billing-metrics-producer');
  eventsRedis = createRedis(REDIS_URL, 'worker', 'billing-metrics-events');
  queue = new Queue(QUEUE_NAMES.usage, { connection: producerRedis, prefix });
  queueEvents = new QueueEvents(QUEUE_NAMES.usage, { connection: eventsRedis, prefix });
  await queueEvents.waitUntilReady();
  const metrics = createMetricsRegistry('billing-worker');
  billing = createBillingWorker({
    db: testDb.db,
    connection: workerRedis,
    queuePrefix: prefix,
    concurrency: 4,
    energy: { gpuWatts: '350', electricityPricePerKwh: '0.15' },
    currency: 'USD',
    logger: createLogger('billing-metrics', 'silent'),
    priceCacheMs: 0,
    metrics,
  });
  await billing.worker.waitUntilReady();
  health = await startHealthServer({ host: '127.0.0.1', port: 0, ready: async () => true, metrics });
});

afterAll(async () => {
  await billing?.close();
  await health?.close();
  await queueEvents?.close();
  await queue?.obliterate({ force: true });
  await queue?.close();
  await Promise.all([workerRedis?.quit(), producerRedis?.quit(), eventsRedis?.quit()]);
  await testDb?.drop();
});

describe('billing worker /metrics', () => {
  it('counts inserted, duplicate and failed events, the queue lag and batch sizes', async () => {
    const initial = await scrape();
    expect(sample(initial, 'billing_events_total{result="inserted",service="billing-worker"}')).toBe(0);
    expect(initial).toContain('process_cpu_user_seconds_total');

    const tenSecondsAgo = new Date(Date.now() - 10_000).toISOString();
    const events = [usageEvent(tenSecondsAgo), usageEvent(tenSecondsAgo), usageEvent(tenSecondsAgo)];
    for (const event of events) await run(event, event.requestId);
    // the same request id again (a replay after the first job was removed): no second row
    await run(events[0], `${events[0]!.requestId}-replay`);
    await expect(run({ requestId: 'bad' }, 'bad-payload')).rejects.toThrow(/Invalid usage event/);

    const text = await scrape();
    expect(sample(text, 'billing_events_total{result="inserted",service="billing-worker"}')).toBe(3);
    expect(sample(text, 'billing_events_total{result="duplicate",service="billing-worker"}')).toBe(1);
    expect(sample(text, 'billing_events_total{result="failed",service="billing-worker"}')).toBe(1);
    expect(sample(text, 'billing_queue_lag_seconds_count{service="billing-worker"}')).toBe(3);
    // each row was written about 10 s after its request
    expect(sample(text, 'billing_queue_lag_seconds_bucket{le="5",service="billing-worker"}')).toBe(0);
    expect(sample(text, 'billing_queue_lag_seconds_bucket{le="30",service="billing-worker"}')).toBe(3);
    expect(sample(text, 'billing_batch_size_count{service="billing-worker"}')).toBe(4);
    expect(sample(text, 'billing_batch_size_sum{service="billing-worker"}')).toBe(4);
    // The backlog by state: nothing waits once the jobs ran; the invalid one stays in the failed set.
    const jobs = (state: string) =>
      sample(text, `queue_jobs{queue="usage",state="${state}",service="billing-worker"}`);
    expect(jobs('waiting')).toBe(0);
    expect(jobs('active')).toBe(0);
    expect(jobs('failed')).toBe(1);
  });

  it('reports jobs waiting in the queue while the worker is paused', async () => {
    await billing.worker.pause();
    try {
      await queue.add(QUEUE_NAMES.usage, usageEvent(new Date().toISOString()), { jobId: 'waiting-1' });
      await queue.add(QUEUE_NAMES.usage, usageEvent(new Date().toISOString()), { jobId: 'waiting-2' });
      const text = await scrape();
      expect(sample(text, 'queue_jobs{queue="usage",state="waiting",service="billing-worker"}')).toBe(2);
    } finally {
      billing.worker.resume();
    }
  });
});
