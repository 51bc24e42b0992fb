import { isEventBatch } from '@ollama-gateway/contracts';
import { type Job, type Processor, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import { registerQueueJobsGauge } from './queue-metrics.js';

/**
 * Validates a job's payload against its contract. A payload that does not match can never succeed, so it throws
 * BullMQ's UnrecoverableError: the job goes straight to the failed set, without retries, with the reason.
 */
export function parseJobPayload<S extends z.ZodType>(schema: S, data: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`)
    .join('; ');
  throw new UnrecoverableError(`Invalid ${what}, not retried: ${problems}`);
}

export interface QueueWorkerOptions<R> {
  queue: string;
  processor: Processor<unknown, R>;
  /** A BullMQ-ready connection (`createRedis(url, 'worker', …)`); the caller closes it after the worker. */
  connection: Redis;
  /** BullMQ key prefix (QUEUE_PREFIX); must match the producer's. */
  prefix: string;
  concurrency: number;
  /**
   * QUEUE_LOCK_MS: the job lock's duration and the stalled-job check interval. Jobs held by a worker that died are
   * handed out again after one to two of these. Default 30000 (BullMQ's).
   */
  lockMs?: number;
  logger: Logger;
  /** Registers `queue_jobs{queue,state}` (the queue's backlog, read at each scrape) here. Absent = no gauge. */
  metrics?: Registry;
}

const isUnrecoverable = (error: unknown) =>
  error instanceof UnrecoverableError || (error as Error | null)?.name === 'UnrecoverableError';

/**
 * Lets a per-event processor take batch jobs (`{ events: [...] }`, see EventBatch) as well as single-event ones: each
 * event of a batch is processed as if it were a job of its own (id `<batch id>/<n>`, the batch's attempt count), all
 * at once. An event that can never succeed (invalid: UnrecoverableError, logged by the processor) is dropped from
 * the batch; any other failure fails the whole job, so BullMQ retries it, and the events already written come back
 * as duplicates (the writers are idempotent by request id). A batch of nothing but invalid events fails for good.
 */
export function unbatching<R>(processor: Processor<unknown, R>): Processor<unknown, R | R[]> {
  return async (batchOrEvent, token) => {
    // The processor sees jobs typed with its own result type; a job's result type is only what it returns.
    const job = batchOrEvent as unknown as Job<unknown, R>;
    if (!isEventBatch(job.data)) return processor(job, token);
    const settled = await Promise.allSettled(
      job.data.events.map((data, i) => processor(eventJob(job, data, i), token)),
    );
    const retryable = settled.find((r) => r.status === 'rejected' && !isUnrecoverable(r.reason));
    if (retryable) throw (retryable as PromiseRejectedResult).reason;
    const results = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (results.length === 0 && settled.length > 0)
      throw new UnrecoverableError(`every event of batch ${job.id} is invalid (logged above), not retried`);
    return results;
  };
}

/** One event of a batch job, shaped like the job a processor would get for it alone. */
function eventJob<R>(batch: Job<unknown, R>, data: unknown, index: number): Job<unknown, R> {
  return Object.assign(Object.create(batch) as Job<unknown, R>, { id: `${batch.id}/${index}`, data });
}

/**
 * A BullMQ worker that logs retries, final failures and connection errors the same way in every service, and takes
 * batch jobs as well as single events (`unbatching`).
 */
export function startQueueWorker<R>(options: QueueWorkerOptions<R>): Worker<unknown, R | R[]> {
  const { queue, logger } = options;
  const worker = new Worker<unknown, R | R[]>(queue, unbatching(options.processor), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockMs ?? 30_000,
    stalledInterval: options.lockMs ?? 30_000,
  });
  worker.on('failed', (job, error) => {
    if (!job || isUnrecoverable(error)) return; // logged already
    const attempts = job.opts.attempts ?? 1;
    logger.warn(
      { jobId: job.id, err: error, attempt: job.attemptsMade, of: attempts },
      job.attemptsMade >= attempts
        ? `${queue} job failed for the last time: it stays in the failed set; retry it from there once fixed`
        : `${queue} job failed: BullMQ will retry it`,
    );
  });
  worker.on('error', (error) => logger.error({ err: error }, `${queue} worker error`));
  if (options.metrics) {
    const closeGauge = registerQueueJobsGauge(options.metrics, {
      queue,
      connection: options.connection,
      prefix: options.prefix,
    });
    worker.once('closed', () => void closeGauge().catch(() => {}));
  }
  return worker;
}

/**
 * parseJobPayload for a job: on an invalid payload it logs one error line with the job and request ids (the payload
 * itself may be what is wrong) and throws the UnrecoverableError, so the job fails once and is not retried.
 */
export function parseJobOrFail<S extends z.ZodType>(
  schema: S,
  job: { id?: string | undefined; data: unknown },
  what: string,
  logger: Pick<Logger, 'error'>,
): z.infer<S> {
  try {
    return parseJobPayload(schema, job.data, what);
  } catch (error) {
    const requestId = (job.data as { requestId?: unknown } | null)?.requestId;
    logger.error(
      { jobId: job.id, requestId: typeof requestId === 'string' ? requestId : undefined },
      (error as Error).message,
    );
    throw error;
  }
}
