import { QUEUE_NAMES } from '@ollama-gateway/contracts';
import type { Db } from '@ollama-gateway/db';
import type { EnergyPolicy } from '@ollama-gateway/pricing';
import { type Logger, type Redis, type Registry, startQueueWorker } from '@ollama-gateway/runtime';
import type { Worker } from 'bullmq';
import { createBillingMetrics } from './billing.metrics.js';
import { createPriceBook } from './pricing/price-book.js';
import { createUsageBatcher } from './processors/usage.batcher.js';
import { createUsageProcessor, type UsageJobResult } from './processors/usage.processor.js';
import { createPricingSource } from './repositories/pricing.source.js';
import { createUsageRepository } from './repositories/usage.repository.js';

export interface BillingWorkerDeps {
  db: Db;
  /** A BullMQ-ready connection (`createRedis(url, 'worker', …)`); the caller closes it after `close()`. */
  connection: Redis;
  /** BullMQ key prefix (QUEUE_PREFIX); must match the gateway's. */
  queuePrefix: string;
  concurrency: number;
  /** QUEUE_LOCK_MS (see startQueueWorker). Default 30000. */
  lockMs?: number;
  /**
   * GPU watts (default and per host), kWh price (default and time-of-use windows). The `settings` row `electricity`
   * (edited in the admin API) replaces the two defaults while present, re-read with the prices.
   */
  energy: EnergyPolicy;
  currency: string;
  /** BILLING_TIME_ZONE: billing months for customer_spend and the time-of-use clock. Default UTC. */
  timeZone?: string;
  /** Most usage events per insert transaction. Default 100 (bounded by `concurrency`). */
  batchSize?: number;
  /** Longest an event waits for its batch to fill, ms. Default 20. */
  batchWaitMs?: number;
  logger: Logger;
  /** How long prices are cached in-process. Default 5000 ms. */
  priceCacheMs?: number;
  /** Registers billing_events_total, billing_queue_lag_seconds and billing_batch_size here. Absent = no metrics. */
  metrics?: Registry;
}

export interface BillingWorker {
  worker: Worker<unknown, UsageJobResult | UsageJobResult[]>;
  /** Stops taking jobs and waits for the ones in progress to finish. */
  close(): Promise<void>;
}

/** Wires the usage queue consumer: repositories over `db`, the price cache, the processor, the BullMQ worker. */
export function createBillingWorker(deps: BillingWorkerDeps): BillingWorker {
  const metrics = deps.metrics ? createBillingMetrics(deps.metrics) : null;
  const repository = createUsageRepository(deps.db);
  const batcher = createUsageBatcher(metrics ? metrics.wrapRepository(repository) : repository, {
    maxBatch: deps.batchSize ?? 100,
    maxWaitMs: deps.batchWaitMs ?? 20,
  });
  const usageProcessor = createUsageProcessor({
    priceBook: createPriceBook(createPricingSource(deps.db, { logger: deps.logger }), {
      ttlMs: deps.priceCacheMs ?? 5000,
    }),
    usage: batcher,
    energy: deps.energy,
    currency: deps.currency,
    timeZone: deps.timeZone ?? 'UTC',
    logger: deps.logger,
  });
  const processor = metrics ? metrics.wrapProcessor(usageProcessor) : usageProcessor;

  const worker = startQueueWorker<UsageJobResult>({
    queue: QUEUE_NAMES.usage,
    processor,
    connection: deps.connection,
    prefix: deps.queuePrefix,
    concurrency: deps.concurrency,
    lockMs: deps.lockMs,
    logger: deps.logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });

  return {
    worker,
    async close() {
      await worker.close();
      await batcher.flush();
    },
  };
}
