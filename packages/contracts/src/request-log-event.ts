import { z } from 'zod';
import { dialectSchema } from './enums.js';
import { requestIdSchema } from './usage-event.js';

/**
 * The request and response bodies of one request, for the searchable request log. Produced by the gateway when
 * request-body logging is on; stored by the logger. For streams `responseBody` is the assembled response.
 */
export const requestLogEventSchema = z.object({
  requestId: requestIdSchema,
  occurredAt: z.iso.datetime({ offset: true }),
  customerId: z.uuid().nullable(),
  apiKeyId: z.uuid().nullable(),
  model: z.string().max(512),
  endpoint: z.string().max(256),
  dialect: dialectSchema,
  status: z.number().int().min(100).max(599),
  stream: z.boolean(),
  durationMs: z.number().nonnegative(),
  requestBody: z.unknown(),
  responseBody: z.unknown(),
  error: z.string().max(10_000).nullable(),
});

export type RequestLogEvent = z.infer<typeof requestLogEventSchema>;
