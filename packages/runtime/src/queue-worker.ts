import { type Processor, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { z } from 'zod';

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
  logger: Logger;
}

/** A BullMQ worker that logs retries, final failures and connection errors the same way in every service. */
export function startQueueWorker<R>(options: QueueWorkerOptions<R>): Worker<unknown, R> {
  const { queue, logger } = options;
  const worker = new Worker<unknown, R>(queue, options.processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
  });
  worker.on('failed', (job, error) => {
    if (!job || error instanceof UnrecoverableError || error.name === 'UnrecoverableError') return; // logged already
    const attempts = job.opts.attempts ?? 1;
    logger.warn(
      { jobId: job.id, err: error, attempt: job.attemptsMade, of: attempts },
      job.attemptsMade >= attempts
        ? `${queue} job failed for the last time: it stays in the failed set; retry it from there once fixed`
        : `${queue} job failed: BullMQ will retry it`,
    );
  });
  worker.on('error', (error) => logger.error({ err: error }, `${queue} worker error`));
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
