import { allFulfilled, type BatcherOptions, createBatcher } from '@ollama-gateway/runtime';
import type { RequestLogRecord, RequestLogsRepository } from '../repositories/request-logs.repository.js';

export type RequestLogBatcherOptions = BatcherOptions;

export interface RequestLogBatcher extends Pick<RequestLogsRepository, 'insert'> {
  /** Writes whatever is pending now and waits for every batch in flight. */
  flush(): Promise<void>;
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
  const oneByOne = (records: RequestLogRecord[]) =>
    Promise.allSettled(records.map((record) => repository.insert(record)));
  const batcher = createBatcher<RequestLogRecord, boolean>(
    (records) =>
      records.length === 1
        ? oneByOne(records)
        : repository.insertBatch(records).then(allFulfilled, () => oneByOne(records)),
    options,
  );
  return { insert: (record) => batcher.add(record), flush: () => batcher.flush() };
}
