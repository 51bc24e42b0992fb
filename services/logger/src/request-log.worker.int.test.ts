import { randomBytes } from 'node:crypto';
import { QUEUE_NAMES, type RequestLogEvent } from '@ollama-gateway/contracts';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import {
  createLogger,
  createMetricsRegistry,
  createRedis,
  type Redis,
  type Registry,
} from '@ollama-gateway/runtime';
import { type JobsOptions, Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BodyPolicy } from './processors/request-log.processor.js';
import {
  createRequestLogsRepository,
  type RequestLogsRepository,
} from './repositories/request-logs.repository.js';
import { createRequestLogWorker, type RequestLogWorker } from './request-log.worker.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const JOB_OPTIONS: JobsOptions = {
  attempts: 25,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { age: 604_800 },
};
const MAX_BODY_BYTES = 2048;

/** A worker, its queue and its event stream on a private QUEUE_PREFIX: one per body policy. */
interface Stack {
  queue: Queue;
  events: QueueEvents;
  worker: RequestLogWorker;
  redis: Redis[];
}

let testDb: TestDatabase;
let logs: RequestLogsRepository;
let withBodies: Stack;
let withoutBodies: Stack;
let seq = 0;
const metrics = createMetricsRegistry('logger', { defaultMetrics: false });

async function startStack(bodies: BodyPolicy, metrics?: Registry): Promise<Stack> {
  const prefix = `ogw-test-logger-${randomBytes(4).toString('hex')}`;
  const redis = ['worker', 'producer', 'events'].map((role) =>
    createRedis(REDIS_URL, 'worker', `logger-int-${role}`),
  );
  const queue = new Queue(QUEUE_NAMES.requestLog, { connection: redis[1]!, prefix });
  const events = new QueueEvents(QUEUE_NAMES.requestLog, { connection: redis[2]!, prefix });
  const worker = createRequestLogWorker({
    db: testDb.db,
    connection: redis[0]!,
    queuePrefix: prefix,
    concurrency: 4,
    bodies,
    logger: createLogger('logger-int', 'silent'),
    ...(metrics ? { metrics } : {}),
  });
  await Promise.all([events.waitUntilReady(), worker.worker.waitUntilReady()]);
  return { queue, events, worker, redis };
}

async function stopStack(stack: Stack | undefined) {
  if (!stack) return;
  await stack.worker.close();
  await stack.events.close();
  await stack.queue.obliterate({ force: true });
  await stack.queue.close();
  await Promise.all(stack.redis.map((r) => r.quit()));
}

function logEvent(overrides: Partial<RequestLogEvent> = {}): RequestLogEvent {
  return {
    requestId: `req-log-${randomBytes(6).toString('hex')}-${++seq}`,
    occurredAt: new Date(Date.UTC(2026, 2, 1, 12, 0, seq)).toISOString(),
    customerId: null,
    apiKeyId: null,
    model: 'llama3.1:8b',
    endpoint: '/v1/chat/completions',
    dialect: 'openai',
    status: 200,
    stream: false,
    durationMs: 321.5,
    requestBody: { model: 'llama3.1:8b', messages: [{ role: 'user', content: 'Tell me about zebras' }] },
    responseBody: { choices: [{ message: { role: 'assistant', content: 'Zebras have stripes.' } }] },
    error: null,
    ...overrides,
  };
}

async function run(stack: Stack, data: unknown, jobId = (data as { requestId: string }).requestId) {
  const job = await stack.queue.add(QUEUE_NAMES.requestLog, data, { ...JOB_OPTIONS, jobId });
  return job.waitUntilFinished(stack.events, 15_000);
}

beforeAll(async () => {
  testDb = await createTestDatabase('logger');
  logs = createRequestLogsRepository(testDb.db);
  withBodies = await startStack({ storeBodies: true, maxBodyBytes: MAX_BODY_BYTES }, metrics);
  withoutBodies = await startStack({ storeBodies: false, maxBodyBytes: MAX_BODY_BYTES });
});

afterAll(async () => {
  await stopStack(withBodies);
  await stopStack(withoutBodies);
  await testDb?.drop();
});

describe('logger worker (real Redis + Postgres)', () => {
  it('stores one row per request with its bodies, and ignores a replay', async () => {
    const event = logEvent();
    expect(await run(withBodies, event)).toEqual({ requestId: event.requestId, inserted: true });
    expect(await run(withBodies, event, `${event.requestId}-replay`)).toEqual({
      requestId: event.requestId,
      inserted: false,
    });
    const row = await logs.findByRequestId(event.requestId);
    expect(row).toMatchObject({
      model: 'llama3.1:8b',
      status: 200,
      durationMs: 321.5,
      requestBody: event.requestBody,
      responseBody: event.responseBody,
    });
    expect(await logs.search(event.requestId.replaceAll('-', ' '))).toHaveLength(0); // ids are not body text
  });

  it('finds a request by a word of its prompt and by a word of its response, newest first', async () => {
    const older = logEvent({
      requestBody: { messages: [{ role: 'user', content: 'Explain photosynthesis briefly' }] },
      responseBody: { message: { content: 'Chlorophyll absorbs sunlight' } },
    });
    const newer = logEvent({
      requestBody: { messages: [{ role: 'user', content: 'More about photosynthesis please' }] },
      responseBody: 'A plain-text answer mentioning mitochondria',
    });
    await run(withBodies, older);
    await run(withBodies, newer);

    const byPrompt = await logs.search('photosynthesis');
    expect(byPrompt.map((r) => r.requestId)).toEqual([newer.requestId, older.requestId]);
    expect((await logs.search('chlorophyll')).map((r) => r.requestId)).toEqual([older.requestId]);
    expect((await logs.search('mitochondria')).map((r) => r.requestId)).toEqual([newer.requestId]);
    expect((await logs.search('photosynthesis -chlorophyll')).map((r) => r.requestId)).toEqual([
      newer.requestId,
    ]);
    expect(await logs.search('photosynthesis', { limit: 1, offset: 1 })).toHaveLength(1);
    expect((await logs.search('photosynthesis', { limit: 1, offset: 1 }))[0]!.requestId).toBe(
      older.requestId,
    );
    expect(await logs.search('quasar')).toEqual([]);
    // a string body is stored as a JSON string
    expect((await logs.findByRequestId(newer.requestId))?.responseBody).toBe(
      'A plain-text answer mentioning mitochondria',
    );
  });

  it('finds a failed request by its error text', async () => {
    const event = logEvent({ status: 502, responseBody: null, error: 'upstream connection refused' });
    await run(withBodies, event);
    expect((await logs.search('refused')).map((r) => r.requestId)).toEqual([event.requestId]);
  });

  it('stores rows without bodies when body logging is off', async () => {
    const event = logEvent({
      requestBody: { messages: [{ role: 'user', content: 'secretword in a prompt' }] },
    });
    await run(withoutBodies, event);
    const row = await logs.findByRequestId(event.requestId);
    expect(row).toMatchObject({ requestBody: null, responseBody: null, status: 200, model: 'llama3.1:8b' });
    expect(await logs.search('secretword')).toEqual([]);
  });

  it('truncates an oversize body to its size and a searchable preview', async () => {
    const content = `aardvark ${'lorem ipsum '.repeat(1000)}`;
    const event = logEvent({ requestBody: { messages: [{ role: 'user', content }] } });
    await run(withBodies, event);
    const row = await logs.findByRequestId(event.requestId);
    const body = row?.requestBody as { truncated: boolean; bytes: number; preview: string };
    expect(body.truncated).toBe(true);
    expect(body.bytes).toBe(Buffer.byteLength(JSON.stringify(event.requestBody)));
    expect(body.preview.startsWith('{"messages":[{"role":"user","content":"aardvark lorem')).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(body.preview))).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(row?.responseBody).toEqual(event.responseBody);
    expect((await logs.search('aardvark')).map((r) => r.requestId)).toEqual([event.requestId]);
  });

  it('stores bodies and errors containing NUL characters (stripped)', async () => {
    const event = logEvent({
      requestBody: { messages: [{ role: 'user', content: 'nul\u0000byte' }] },
      responseBody: 'bad\u0000text',
      error: 'oops\u0000',
    });
    expect(await run(withBodies, event)).toMatchObject({ inserted: true });
    const row = await logs.findByRequestId(event.requestId);
    expect(row?.requestBody).toEqual({ messages: [{ role: 'user', content: 'nulbyte' }] });
    expect(row?.responseBody).toBe('badtext');
    expect(row?.error).toBe('oops');
  });

  it('sends a bad payload to the failed set at once, without retries', async () => {
    const requestId = `req-log-bad-${randomBytes(4).toString('hex')}`;
    await expect(run(withBodies, { ...logEvent({ requestId }), durationMs: -1 })).rejects.toThrow(
      /Invalid request-log event.*durationMs/,
    );
    const job = await withBodies.queue.getJob(requestId);
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(await logs.findByRequestId(requestId)).toBeUndefined();
  });

  it('counts jobs in request_logs_total by result', async () => {
    const text = await metrics.metrics();
    const count = (result: string) =>
      Number(
        new RegExp(`^request_logs_total\\{result="${result}",service="logger"\\} (\\d+)$`, 'm').exec(
          text,
        )?.[1],
      );
    // the earlier tests on this stack: at least one insert, the replay and the bad payload
    expect(count('inserted')).toBeGreaterThanOrEqual(1);
    expect(count('duplicate')).toBeGreaterThanOrEqual(1);
    expect(count('failed')).toBeGreaterThanOrEqual(1);
    // The queue's backlog by state, read from Redis: the bad payload's job is the one failed job.
    const jobs = (state: string) =>
      Number(
        new RegExp(
          `^queue_jobs\\{queue="request-log",state="${state}",service="logger"\\} (\\d+)$`,
          'm',
        ).exec(text)?.[1],
      );
    expect(jobs('waiting')).toBe(0);
    expect(jobs('failed')).toBe(1);
  });
});
