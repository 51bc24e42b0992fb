import { QUEUE_NAMES } from '@ollama-gateway/contracts';
import { createPricingRepository, type Db } from '@ollama-gateway/db';
import type { Logger, Redis } from '@ollama-gateway/runtime';
import { UnrecoverableError, Worker } from 'bullmq';
import type { EnergyConfig } from './pricing/cost.js';
import { createPriceBook } from './pricing/price-book.js';
import { createUsageProcessor, type UsageJobResult } from './processors/usage.processor.js';
import { createUsageRepository } from './repositories/usage.repository.js';

export interface BillingWorkerDeps {
  db: Db;
  /** A BullMQ-ready connection (`createRedis(url, 'worker', …)`); the caller closes it after `close()`. */
  connection: Redis;
  /** BullMQ key prefix (QUEUE_PREFIX); must match the gateway's. */
  queuePrefix: string;
  concurrency: number;
  energy: EnergyConfig;
  currency: string;
  logger: Logger;
  /** How long prices are cached in-process. Default 5000 ms. */
  priceCacheMs?: number;
}

export interface BillingWorker {
  worker: Worker<unknown, UsageJobResult>;
  /** Stops taking jobs and waits for the ones in progress to finish. */
  close(): Promise<void>;
}

/** Wires the usage queue consumer: repositories over `db`, the price cache, the processor, the BullMQ worker. */
export function createBillingWorker(deps: BillingWorkerDeps): BillingWorker {
  const processor = createUsageProcessor({
    priceBook: createPriceBook(createPricingRepository(deps.db), { ttlMs: deps.priceCacheMs ?? 5000 }),
    usage: createUsageRepository(deps.db),
    energy: deps.energy,
    currency: deps.currency,
    logger: deps.logger,
  });

  const worker = new Worker<unknown, UsageJobResult>(QUEUE_NAMES.usage, processor, {
    connection: deps.connection,
    prefix: deps.queuePrefix,
    concurrency: deps.concurrency,
  });

  worker.on('failed', (job, error) => {
    if (!job || error instanceof UnrecoverableError || error.name === 'UnrecoverableError') return; // logged already
    const attempts = job.opts.attempts ?? 1;
    deps.logger.warn(
      { jobId: job.id, err: error, attempt: job.attemptsMade, of: attempts },
      job.attemptsMade >= attempts
        ? 'usage job failed for the last time: it stays in the failed set; retry it from there once fixed'
        : 'usage job failed: BullMQ will retry it',
    );
  });
  worker.on('error', (error) => deps.logger.error({ err: error }, 'usage worker error'));

  return {
    worker,
    async close() {
      await worker.close();
    },
  };
}
