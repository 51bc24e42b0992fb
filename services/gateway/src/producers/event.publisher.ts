import {
  batchJobId,
  QUEUE_NAMES,
  type QueueName,
  type RequestLogEvent,
  type UsageEvent,
} from '@ollama-gateway/contracts';
import type { Logger, Redis } from '@ollama-gateway/runtime';
import { type JobsOptions, Queue } from 'bullmq';
import type { Spool, SpoolRecord } from './spool.js';

/** Where the gateway sends usage and request-log events: never throws, never blocks the response. */
export interface EventPublisher {
  publishUsage(event: UsageEvent): void;
  publishRequestLog(event: RequestLogEvent): void;
  /** Waits for in-flight sends and spool writes; stops the replay loop. */
  close(): Promise<void>;
}

const JOB_OPTIONS: JobsOptions = {
  attempts: 25,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
};

const EVENTS_MAX_LEN = 1000;

export interface PublisherOptions {
  redis: Redis;
  prefix: string;
  spool: Spool;
  logger: Logger;
  replayIntervalMs?: number;
  /**
   * Events are collected per queue for at most `batchWaitMs` (default 5) or until `maxBatch` of them (default 100 usage
   * events, 25 request logs: those carry bodies), then added as one job: one Redis call for many requests.
   */
  batchWaitMs?: number;
  maxBatch?: Partial<Record<QueueName, number>>;
}

const DEFAULT_MAX_BATCH: Record<QueueName, number> = { usage: 100, 'request-log': 25 };

/**
 * BullMQ producer with a spool fallback. Events wait a few milliseconds to be added together as one batch job
 * (`{ events }`, or the bare event when it is alone, with its request id as job id); when Redis is not ready or an add
 * fails, the job goes to the local spool and is replayed when Redis is back. Job ids are derived from the content
 * (batchJobId), so a replay after a partial success cannot create a second job, and the worker's ON CONFLICT makes a
 * second row impossible anyway. A process killed outright loses at most the events of its last `batchWaitMs`.
 */
export function createEventPublisher(options: PublisherOptions): EventPublisher {
  const { redis, spool, logger } = options;
  const queues = new Map<QueueName, Queue>();
  const inFlight = new Set<Promise<unknown>>();
  const batchWaitMs = options.batchWaitMs ?? 5;
  const maxBatch = { ...DEFAULT_MAX_BATCH, ...options.maxBatch };
  const queueFor = (name: QueueName) => {
    let queue = queues.get(name);
    if (!queue) {
      // BullMQ appends to the queue's event stream on every state change (no option turns it off); nothing here reads
      // it, so keep it short: less memory and cheaper trimming than the default 10,000 entries.
      queue = new Queue(name, {
        connection: redis,
        prefix: options.prefix,
        streams: { events: { maxLen: EVENTS_MAX_LEN } },
      });
      queue.on('error', () => {});
      queues.set(name, queue);
    }
    return queue;
  };

  const send = async (record: SpoolRecord) => {
    if (redis.status !== 'ready') throw new Error(`redis is ${redis.status}`);
    await queueFor(record.queue as QueueName).add(record.queue, record.data, {
      ...JOB_OPTIONS,
      jobId: record.jobId,
    });
  };

  const publish = (record: SpoolRecord) => {
    const task = send(record).catch(async (error) => {
      logger.warn(
        { requestId: record.jobId, queue: record.queue, err: (error as Error).message },
        'event spooled',
      );
      await spool.append(record).catch((spoolError) => {
        logger.error(
          { requestId: record.jobId, err: spoolError, event: record },
          'event lost: spool write failed',
        );
      });
    });
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  };

  type Pending = { events: { requestId: string }[]; timer: NodeJS.Timeout };
  const pending = new Map<QueueName, Pending>();
  const flush = (queue: QueueName) => {
    const batch = pending.get(queue);
    if (!batch) return;
    pending.delete(queue);
    clearTimeout(batch.timer);
    const { events } = batch;
    publish(
      events.length === 1
        ? { queue, jobId: events[0]!.requestId, data: events[0] }
        : { queue, jobId: batchJobId(events[0]!.requestId, events.length), data: { events } },
    );
  };
  const enqueue = (queue: QueueName, event: { requestId: string }) => {
    let batch = pending.get(queue);
    if (!batch) {
      batch = { events: [], timer: setTimeout(() => flush(queue), batchWaitMs) };
      pending.set(queue, batch);
    }
    batch.events.push(event);
    if (batch.events.length >= maxBatch[queue]) flush(queue);
  };

  let replaying = false;
  const replay = async () => {
    if (replaying || redis.status !== 'ready' || spool.pending === 0) return;
    replaying = true;
    try {
      const sent = await spool.replay(send);
      if (sent > 0) logger.info({ sent, pending: spool.pending }, 'spooled events replayed');
    } catch (error) {
      logger.warn({ err: error }, 'spool replay failed');
    } finally {
      replaying = false;
    }
  };
  const timer = setInterval(() => void replay(), options.replayIntervalMs ?? 2000);
  timer.unref();
  redis.on('ready', () => void replay());

  return {
    publishUsage: (event) => enqueue(QUEUE_NAMES.usage, event),
    publishRequestLog: (event) => enqueue(QUEUE_NAMES.requestLog, event),
    async close() {
      clearInterval(timer);
      for (const queue of [...pending.keys()]) flush(queue);
      await Promise.allSettled([...inFlight]);
      await replay();
      await Promise.allSettled([...queues.values()].map((queue) => queue.close()));
    },
  };
}
