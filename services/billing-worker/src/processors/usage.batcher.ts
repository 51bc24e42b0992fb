import type {
  BatchUsageRepository,
  LedgerEntry,
  RecordResult,
  UsageRepository,
} from '../repositories/usage.repository.js';

export interface UsageBatcherOptions {
  /** A batch is written as soon as it holds this many entries. */
  maxBatch: number;
  /** …or this long after its first entry arrived, whichever comes first. */
  maxWaitMs: number;
}

export interface UsageBatcher extends UsageRepository {
  /** Writes whatever is pending now and waits for every batch in flight. */
  flush(): Promise<void>;
}

interface Pending {
  entry: LedgerEntry;
  resolve: (result: RecordResult) => void;
  reject: (error: unknown) => void;
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
  let pending: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  const inFlight = new Set<Promise<void>>();

  const write = (batch: Pending[]): Promise<void> => {
    const done = repository
      .recordBatch(batch.map((p) => p.entry))
      .then(
        (results) => {
          for (const [i, p] of batch.entries()) p.resolve(results[i]!);
        },
        (error: unknown) => {
          for (const p of batch) p.reject(error);
        },
      )
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
    return done;
  };

  const drain = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return Promise.resolve();
    const batch = pending;
    pending = [];
    return write(batch);
  };

  return {
    record(entry) {
      return new Promise<RecordResult>((resolve, reject) => {
        pending.push({ entry, resolve, reject });
        if (pending.length >= options.maxBatch) void drain();
        else if (!timer) timer = setTimeout(() => void drain(), options.maxWaitMs);
      });
    },
    async flush() {
      await drain();
      await Promise.all([...inFlight]);
    },
  };
}
