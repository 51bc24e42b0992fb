import { Counter, Histogram, type Registry } from '@ollama-gateway/runtime';
import type { UsageJob, UsageJobResult } from './processors/usage.processor.js';
import type { BatchUsageRepository } from './repositories/usage.repository.js';

/** The billing worker's Prometheus series (served on its health server's /metrics). */
export interface BillingMetrics {
  /** Counts each job's outcome: inserted, duplicate (replayed request id) or failed (BullMQ retries or drops it). */
  wrapProcessor(
    processor: (job: UsageJob) => Promise<UsageJobResult>,
  ): (job: UsageJob) => Promise<UsageJobResult>;
  /** Observes each insert transaction's size and, per row written, the queue lag (now − occurredAt). */
  wrapRepository(repository: BatchUsageRepository): BatchUsageRepository;
}

const LAG_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500];

export function createBillingMetrics(registry: Registry, now: () => number = Date.now): BillingMetrics {
  const registers = [registry];
  const events = new Counter({
    name: 'billing_events_total',
    help: 'Usage jobs processed, by result: inserted (new ledger row), duplicate (already in the ledger), failed.',
    labelNames: ['result'] as const,
    registers,
  });
  for (const result of ['inserted', 'duplicate', 'failed']) events.inc({ result }, 0);
  const lag = new Histogram({
    name: 'billing_queue_lag_seconds',
    help: 'From the request (usage event occurredAt) to its ledger row being written, seconds.',
    buckets: LAG_BUCKETS,
    registers,
  });
  const batchSize = new Histogram({
    name: 'billing_batch_size',
    help: 'Usage events per ledger insert transaction.',
    buckets: BATCH_BUCKETS,
    registers,
  });

  return {
    wrapProcessor: (processor) => async (job) => {
      try {
        const result = await processor(job);
        events.inc({ result: result.inserted ? 'inserted' : 'duplicate' });
        return result;
      } catch (error) {
        events.inc({ result: 'failed' });
        throw error;
      }
    },
    wrapRepository: (repository) => {
      const recordBatch: BatchUsageRepository['recordBatch'] = async (entries) => {
        if (entries.length > 0) batchSize.observe(entries.length);
        const results = await repository.recordBatch(entries);
        const at = now();
        for (const [i, entry] of entries.entries()) {
          const occurredAt = Date.parse(entry.event.occurredAt);
          if (results[i]?.inserted && Number.isFinite(occurredAt))
            lag.observe(Math.max(0, at - occurredAt) / 1000);
        }
        return results;
      };
      return { recordBatch, record: async (entry) => (await recordBatch([entry]))[0]! };
    },
  };
}
