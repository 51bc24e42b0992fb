import { QUEUE_NAMES } from '@ollama-gateway/contracts';
import type { Db } from '@ollama-gateway/db';
import { type Logger, type Redis, startQueueWorker } from '@ollama-gateway/runtime';
import type { Worker } from 'bullmq';
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
  bodies: BodyPolicy;
  logger: Logger;
}

export interface RequestLogWorker {
  worker: Worker<unknown, RequestLogJobResult>;
  /** Stops taking jobs and waits for the ones in progress to finish. */
  close(): Promise<void>;
}

/** Wires the request-log queue consumer: repository over `db`, the processor, the BullMQ worker. */
export function createRequestLogWorker(deps: RequestLogWorkerDeps): RequestLogWorker {
  const processor = createRequestLogProcessor({
    repository: createRequestLogsRepository(deps.db),
    bodies: deps.bodies,
    logger: deps.logger,
  });
  const worker = startQueueWorker<RequestLogJobResult>({
    queue: QUEUE_NAMES.requestLog,
    processor,
    connection: deps.connection,
    prefix: deps.queuePrefix,
    concurrency: deps.concurrency,
    logger: deps.logger,
  });
  return {
    worker,
    async close() {
      await worker.close();
    },
  };
}
