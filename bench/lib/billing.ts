// The billing pipeline on its own: usage events enqueued straight into the BullMQ `usage` queue (same prefix, job
// name, job id and options as the gateway's publisher), timed until the billing worker has written every row.
import { performance } from 'node:perf_hooks';
import { batchJobId, QUEUE_NAMES, type UsageEvent, usageEventSchema } from '@ollama-gateway/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Stack } from '../../test/support/stack.js';
import { percentile } from './stats.js';

const JOB_OPTIONS = {
  attempts: 25,
  backoff: { type: 'exponential' as const, delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
};

export interface LagStats {
  rows: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface BurstResult {
  events: number;
  /** Events per BullMQ job: 1 (one job each, the worst case) or a gateway-sized batch (`{ events: [...] }`). */
  perJob: number;
  enqueueMs: number;
  /** From the first enqueue to the last row in usage_events. */
  endToEndMs: number;
  /** Rows per second between the first and the last row the worker wrote. */
  workerEventsPerSecond: number;
  endToEndEventsPerSecond: number;
}

export interface PacedResult extends LagStats {
  ratePerSecond: number;
  seconds: number;
}

function event(id: string, customerId: string, apiKeyId: string, upstream: string): UsageEvent {
  return {
    requestId: id,
    occurredAt: new Date().toISOString(),
    customerId,
    apiKeyId,
    model: 'llama3.2',
    upstreamModel: 'llama3.2:latest',
    provider: 'ollama',
    upstreamHost: upstream,
    endpoint: '/v1/chat/completions',
    dialect: 'openai',
    status: 200,
    errorCode: null,
    stream: false,
    promptTokens: 12,
    completionTokens: 32,
    totalMs: 0,
    ttftMs: null,
    gatewayOverheadMs: 0.5,
    loadDurationNs: 0,
    promptEvalDurationNs: 1_000_000,
    evalDurationNs: 640_000_000,
    totalDurationNs: 641_000_000,
    clientIp: '127.0.0.1',
    userAgent: 'ogw-bench',
  };
}

async function countRows(stack: Stack, like: string): Promise<number> {
  const row = await stack.db
    .selectFrom('usage_events')
    .select(sql<string>`count(*)`.as('n'))
    .where('request_id', 'like', like)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function waitForRows(stack: Stack, like: string, n: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const have = await countRows(stack, like);
    if (have >= n) return have;
    if (Date.now() > deadline)
      throw new Error(`only ${have} of ${n} usage rows (${like}) after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Queue lag of rows already written: recorded_at − (occurred_at + total_ms), i.e. from the event's publication. */
export async function lagStats(stack: Stack, like: string): Promise<LagStats> {
  const rows = await stack.db
    .selectFrom('usage_events')
    .select(sql<number>`extract(epoch from (recorded_at - occurred_at)) * 1000 - total_ms`.as('lag'))
    .where('request_id', 'like', like)
    .execute();
  const lags = rows.map((r) => Number(r.lag));
  return {
    rows: lags.length,
    p50Ms: percentile(lags, 50),
    p99Ms: percentile(lags, 99),
    maxMs: lags.length ? Math.max(...lags) : Number.NaN,
  };
}

export async function totalRows(stack: Stack): Promise<number> {
  return countRows(stack, '%');
}

export interface BillingBench {
  /** `events` added straight to the queue, `perJob` per job (default 1), timed until every row is written. */
  burst(events: number, perJob?: number): Promise<BurstResult>;
  paced(ratePerSecond: number, seconds: number): Promise<PacedResult>;
  close(): Promise<void>;
}

export function billingBench(
  stack: Stack,
  ids: { customerId: string; keyId: string; upstream: string; runId: string },
): BillingBench {
  const connection = new Redis(stack.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE_NAMES.usage, { connection, prefix: stack.env.QUEUE_PREFIX! });
  usageEventSchema.parse(event(`bench-check-${ids.runId}`, ids.customerId, ids.keyId, ids.upstream));
  const make = (id: string) => event(id, ids.customerId, ids.keyId, ids.upstream);
  const add = (list: UsageEvent[]) =>
    queue.addBulk(
      list.map((data) => ({
        name: QUEUE_NAMES.usage,
        data,
        opts: { ...JOB_OPTIONS, jobId: data.requestId },
      })),
    );
  /** Like the gateway's publisher: one job per `perJob` events, its id derived from the first (batchJobId). */
  const addBatches = (list: UsageEvent[], perJob: number) => {
    const jobs = [];
    for (let i = 0; i < list.length; i += perJob) {
      const events = list.slice(i, i + perJob);
      jobs.push({
        name: QUEUE_NAMES.usage,
        data: { events },
        opts: { ...JOB_OPTIONS, jobId: batchJobId(events[0]!.requestId, events.length) },
      });
    }
    return queue.addBulk(jobs);
  };

  return {
    async burst(events, perJob = 1) {
      const prefix = `bench-burst${perJob}-${ids.runId}-`;
      const start = performance.now();
      for (let i = 0; i < events; i += 1000) {
        const list: UsageEvent[] = [];
        for (let j = i; j < Math.min(events, i + 1000); j += 1) list.push(make(`${prefix}${j}`));
        await (perJob > 1 ? addBatches(list, perJob) : add(list));
      }
      const enqueueMs = performance.now() - start;
      await waitForRows(stack, `${prefix}%`, events, 120_000);
      const endToEndMs = performance.now() - start;
      const span = await stack.db
        .selectFrom('usage_events')
        .select(sql<number>`extract(epoch from (max(recorded_at) - min(recorded_at))) * 1000`.as('ms'))
        .where('request_id', 'like', `${prefix}%`)
        .executeTakeFirstOrThrow();
      const spanMs = Math.max(1, Number(span.ms));
      return {
        events,
        perJob,
        enqueueMs,
        endToEndMs,
        workerEventsPerSecond: (events / spanMs) * 1000,
        endToEndEventsPerSecond: (events / endToEndMs) * 1000,
      };
    },
    async paced(ratePerSecond, seconds) {
      const prefix = `bench-paced-${ids.runId}-`;
      const tickMs = 10;
      const ticks = Math.round((seconds * 1000) / tickMs);
      const start = performance.now();
      let sent = 0;
      for (let t = 1; t <= ticks; t += 1) {
        const due = Math.round((ratePerSecond * t * tickMs) / 1000);
        const list: UsageEvent[] = [];
        while (sent < due) list.push(make(`${prefix}${sent++}`));
        if (list.length) await add(list);
        const wait = start + t * tickMs - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      await waitForRows(stack, `${prefix}%`, sent, 120_000);
      return { ratePerSecond, seconds, ...(await lagStats(stack, `${prefix}%`)) };
    },
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}
