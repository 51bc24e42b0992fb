import { QUEUE_NAMES } from '@ollama-gateway/contracts';
import type { Db } from '@ollama-gateway/db';
import { Counter, type Logger, type Redis, type Registry, startQueueWorker } from '@ollama-gateway/runtime';
import type { Worker } from 'bullmq';
import { createRequestLogBatcher } from './processors/request-log.batcher.js';
import {
  type BodyPolicy,
  createRequestLogProcessor,
  type RequestLogJobResult,
} from './processors/request-log.processor.js';
import { createRequestLogsRepository } from './repositories/request-logs.repository.js';

export interface RequestLogWorkerDeps {
  db: Db;
  /** A BullMQ-ready connection (`createRedis(url, 'worker', …)`); the caller closes it after `close()`. */
  connection: Redis;
  /** BullMQ key prefix (QUEUE_PREFIX); must match the gateway's. */
  queuePrefix: string;
  concurrency: number;
  /** QUEUE_LOCK_MS (see startQueueWorker). Default 30000. */
  lockMs?: number;
  bodies: BodyPolicy;
  /** Most request-log entries per INSERT. Default 50 (bounded by `concurrency`). */
  batchSize?: number;
  /** Longest an entry waits for its batch to fill, ms. Default 20. */
  batchWaitMs?: number;
  logger: Logger;
  /** Registers request_logs_total{result=inserted|duplicate|failed} here. Absent = no metrics. */
  metrics?: Registry;
}

export interface RequestLogWorker {
  worker: Worker<unknown, RequestLogJobResult | RequestLogJobResult[]>;
  /** Stops taking jobs and waits for the ones in progress to finish. */
  close(): Promise<void>;
}

/** Wires the request-log queue consumer: repository over `db`, the processor, the BullMQ worker. */
export function createRequestLogWorker(deps: RequestLogWorkerDeps): RequestLogWorker {
  const batcher = createRequestLogBatcher(createRequestLogsRepository(deps.db), {
    maxBatch: deps.batchSize ?? 50,
    maxWaitMs: deps.batchWaitMs ?? 20,
  });
  const logProcessor = createRequestLogProcessor({
    repository: batcher,
    bodies: deps.bodies,
    logger: deps.logger,
  });
  const processor = deps.metrics ? countResults(logProcessor, deps.metrics) : logProcessor;
  const worker = startQueueWorker<RequestLogJobResult>({
    queue: QUEUE_NAMES.requestLog,
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

/** Counts each job's outcome in request_logs_total{result}. */
function countResults(
  processor: ReturnType<typeof createRequestLogProcessor>,
  registry: Registry,
): ReturnType<typeof createRequestLogProcessor> {
  const logs = new Counter({
    name: 'request_logs_total',
    help: 'Request-log jobs processed, by result: inserted (new row), duplicate (already stored), failed.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  for (const result of ['inserted', 'duplicate', 'failed']) logs.inc({ result }, 0);
  return async (job) => {
    try {
      const result = await processor(job);
      logs.inc({ result: result.inserted ? 'inserted' : 'duplicate' });
      return result;
    } catch (error) {
      logs.inc({ result: 'failed' });
      throw error;
    }
  };
}
