import { allFulfilled, type BatcherOptions, createBatcher } from '@ollama-gateway/runtime';
import type {
  BatchUsageRepository,
  LedgerEntry,
  RecordResult,
  UsageRepository,
} from '../repositories/usage.repository.js';

export type UsageBatcherOptions = BatcherOptions;

export interface UsageBatcher extends UsageRepository {
  /** Writes whatever is pending now and waits for every batch in flight. */
  flush(): Promise<void>;
}

/**
 * BullMQ (free) hands jobs to the processor one by one; this collects the entries of the jobs in progress and
 * writes them with one `recordBatch` transaction. Each job's processor awaits `record(entry)`, which settles when
 * its batch commits: a job completes only once its row is durable, and if the batch fails every job in it fails
 * with the error, so BullMQ retries each (the ledger's unique request_id makes the retry exactly-once). The batch
 * size is bounded by the worker's concurrency (jobs in flight), so set BILLING_CONCURRENCY ≥ BILLING_BATCH_SIZE.
 */
export function createUsageBatcher(
  repository: BatchUsageRepository,
  options: UsageBatcherOptions,
): UsageBatcher {
  const batcher = createBatcher<LedgerEntry, RecordResult>(
    async (entries) => allFulfilled(await repository.recordBatch(entries)),
    options,
  );
  return { record: (entry) => batcher.add(entry), flush: () => batcher.flush() };
}
