/** BullMQ queue names shared by producers (gateway) and consumers (billing-worker, logger). */
export const QUEUE_NAMES = {
  usage: 'usage',
  requestLog: 'request-log',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
