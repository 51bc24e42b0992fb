import { type RequestLogEvent, requestLogEventSchema } from '@ollama-gateway/contracts';
import { type Logger, parseJobOrFail, parseJobPayload, redactApiKeys } from '@ollama-gateway/runtime';
import { limitBody } from '../bodies/body-limit.js';
import type { RequestLogsRepository } from '../repositories/request-logs.repository.js';

export interface BodyPolicy {
  /** REQUEST_LOG_BODIES: when false, bodies are not stored at all. */
  storeBodies: boolean;
  /** REQUEST_LOG_MAX_BODY_BYTES: larger bodies are stored truncated, with their size and a preview. */
  maxBodyBytes: number;
}

export interface RequestLogProcessorDeps {
  repository: Pick<RequestLogsRepository, 'insert'>;
  bodies: BodyPolicy;
  logger: Logger;
}

/** The part of a BullMQ job the processor reads (a plain object in unit tests). */
export interface RequestLogJob {
  id?: string | undefined;
  data: unknown;
}

export interface RequestLogJobResult {
  requestId: string;
  /** false when the request id was already stored (a replay). */
  inserted: boolean;
}

/** Validates a job's payload; a payload that can never be stored throws UnrecoverableError (failed, not retried). */
export function parseRequestLogEvent(data: unknown): RequestLogEvent {
  return parseJobPayload(requestLogEventSchema, data, 'request-log event');
}

/** Stores one request's log entry under the body policy. Database errors are thrown as is so BullMQ retries. */
export function createRequestLogProcessor(deps: RequestLogProcessorDeps) {
  return async function processRequestLog(job: RequestLogJob): Promise<RequestLogJobResult> {
    const event: RequestLogEvent = parseJobOrFail(
      requestLogEventSchema,
      job,
      'request-log event',
      deps.logger,
    );

    const { storeBodies, maxBodyBytes } = deps.bodies;
    const inserted = await deps.repository.insert({
      ...event,
      error: event.error === null ? null : redactApiKeys(event.error),
      requestBody: storeBodies ? limitBody(event.requestBody, maxBodyBytes) : null,
      responseBody: storeBodies ? limitBody(event.responseBody, maxBodyBytes) : null,
    });
    if (!inserted)
      deps.logger.info(
        { requestId: event.requestId, jobId: job.id },
        'request log already stored: replay ignored',
      );
    return { requestId: event.requestId, inserted };
  };
}
