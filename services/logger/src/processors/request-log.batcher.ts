import type { RequestLogRecord, RequestLogsRepository } from '../repositories/request-logs.repository.js';

export interface RequestLogBatcherOptions {
  /** A batch is written as soon as it holds this many entries. */
  maxBatch: number;
  /** …or this long after its first entry arrived, whichever comes first. */
  maxWaitMs: number;
}

export interface RequestLogBatcher extends Pick<RequestLogsRepository, 'insert'> {
  /** Writes whatever is pending now and waits for every batch in flight. */
  flush(): Promise<void>;
}

interface Pending {
  record: RequestLogRecord;
  resolve: (inserted: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects the entries of the request-log jobs in progress and writes them with one multi-row INSERT (like the
 * billing worker's usage batcher). Each job's processor awaits `insert(record)`, which settles when its batch is
 * written, so a job completes only once its row is stored. If the batch statement fails, its entries are retried
 * one by one, so one bad entry fails only its own job (BullMQ retries it), exactly as without batching.
 */
export function createRequestLogBatcher(
  repository: Pick<RequestLogsRepository, 'insert' | 'insertBatch'>,
  options: RequestLogBatcherOptions,
): RequestLogBatcher {
  let pending: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  const inFlight = new Set<Promise<void>>();

  const writeOneByOne = (batch: Pending[]) =>
    Promise.all(
      batch.map((p) =>
        repository.insert(p.record).then(
          (inserted) => p.resolve(inserted),
          (error: unknown) => p.reject(error),
        ),
      ),
    );

  const write = (batch: Pending[]): Promise<void> => {
    const done = (
      batch.length === 1
        ? writeOneByOne(batch)
        : repository.insertBatch(batch.map((p) => p.record)).then(
            (results) => {
              for (const [i, p] of batch.entries()) p.resolve(results[i]!);
            },
            () => writeOneByOne(batch),
          )
    )
      .then(() => {})
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
    insert(record) {
      return new Promise<boolean>((resolve, reject) => {
        pending.push({ record, resolve, reject });
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
