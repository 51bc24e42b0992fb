import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchJobId, QUEUE_NAMES, type UsageEvent } from '@ollama-gateway/contracts';
import { createLogger, createRedis, type Redis } from '@ollama-gateway/runtime';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventPublisher } from './event.publisher.js';
import { createSpool } from './spool.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `ogw-test-publisher-${randomBytes(4).toString('hex')}`;
const logger = createLogger('publisher-int', 'silent');
let redis: Redis;
let queue: Queue;
let dir: string;

const usage = (requestId: string) => ({ requestId, model: 'm' }) as unknown as UsageEvent;

beforeAll(async () => {
  redis = createRedis(REDIS_URL, 'producer', 'publisher-int');
  queue = new Queue(QUEUE_NAMES.usage, { connection: { url: REDIS_URL }, prefix });
  dir = await mkdtemp(join(tmpdir(), 'ogw-publisher-'));
});

afterAll(async () => {
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('event publisher batching (real Redis)', () => {
  it('adds the events of one batch window as one job, and a lone event as a job of its own', async () => {
    const publisher = createEventPublisher({
      redis,
      prefix,
      spool: createSpool(dir),
      logger,
      batchWaitMs: 50,
    });
    const ids = ['a', 'b', 'c'].map((n) => `req-${n}-${randomBytes(3).toString('hex')}`);
    for (const id of ids) publisher.publishUsage(usage(id));
    expect(await queue.getWaitingCount()).toBe(0); // still collecting
    await new Promise((resolve) => setTimeout(resolve, 150));
    const batch = await queue.getJob(batchJobId(ids[0]!, 3));
    expect(batch?.data).toEqual({ events: ids.map((id) => usage(id)) });

    const lone = `req-lone-${randomBytes(3).toString('hex')}`;
    publisher.publishUsage(usage(lone));
    await publisher.close(); // flushes what is still collecting
    expect((await queue.getJob(lone))?.data).toEqual(usage(lone));
    expect(await queue.getWaitingCount()).toBe(2);
  });

  it('starts a new job when a batch is full', async () => {
    await queue.drain();
    const publisher = createEventPublisher({
      redis,
      prefix,
      spool: createSpool(dir),
      logger,
      batchWaitMs: 10_000,
      maxBatch: { usage: 2 },
    });
    const ids = Array.from({ length: 5 }, (_, i) => `req-full-${i}-${randomBytes(3).toString('hex')}`);
    for (const id of ids) publisher.publishUsage(usage(id));
    await publisher.close();
    expect((await queue.getJob(batchJobId(ids[0]!, 2)))?.data).toEqual({
      events: [usage(ids[0]!), usage(ids[1]!)],
    });
    expect((await queue.getJob(batchJobId(ids[2]!, 2)))?.data).toEqual({
      events: [usage(ids[2]!), usage(ids[3]!)],
    });
    expect((await queue.getJob(ids[4]!))?.data).toEqual(usage(ids[4]!));
  });

  it('spools a whole batch while Redis is unreachable and replays it as the same job', async () => {
    await queue.drain();
    const down = createRedis('redis://127.0.0.1:1', 'producer', 'publisher-int-down');
    const spoolDir = join(dir, 'down');
    const ids = ['x', 'y'].map((n) => `req-${n}-${randomBytes(3).toString('hex')}`);
    const offline = createEventPublisher({
      redis: down,
      prefix,
      spool: createSpool(spoolDir),
      logger,
      batchWaitMs: 1,
    });
    for (const id of ids) offline.publishUsage(usage(id));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await offline.close();
    down.disconnect();
    const spooled = (await readFile(join(spoolDir, 'events.ndjson'), 'utf8')).trim().split('\n');
    expect(spooled.map((line) => JSON.parse(line))).toEqual([
      { queue: 'usage', jobId: batchJobId(ids[0]!, 2), data: { events: ids.map((id) => usage(id)) } },
    ]);

    const online = createEventPublisher({
      redis,
      prefix,
      spool: createSpool(spoolDir),
      logger,
      replayIntervalMs: 20,
    });
    await expect
      .poll(async () => (await queue.getJob(batchJobId(ids[0]!, 2)))?.data, { timeout: 3000 })
      .toEqual({ events: ids.map((id) => usage(id)) });
    await online.close();
  });
});
