/** BullMQ queue names shared by producers (gateway) and consumers (billing-worker, logger). */
export const QUEUE_NAMES = {
  usage: 'usage',
  requestLog: 'request-log',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/**
 * A job that carries several events of one queue: the gateway collects the events of a few milliseconds and adds
 * them as one job, so a request costs a fraction of a Redis call instead of one job each. A job whose data is a
 * single event (older gateways, replays of an older spool) is still valid; the workers accept both.
 */
export interface EventBatch<E = unknown> {
  events: E[];
}

/** True for a batch job's data (`{ events: [...] }`); a usage or request-log event has no `events` field. */
export function isEventBatch(data: unknown): data is EventBatch {
  return typeof data === 'object' && data !== null && Array.isArray((data as { events?: unknown }).events);
}

/**
 * The job id of a batch: derived from its first event's request id and its size, so replaying the same batch from
 * the spool after a send whose reply was lost adds no second job (and the ledger's unique request_id would absorb
 * one anyway). BullMQ forbids ':' in custom ids.
 */
export function batchJobId(firstRequestId: string, count: number): string {
  return `batch-${firstRequestId}-${count}`;
}
