import { z } from 'zod';
import { cacheStatusSchema, dialectSchema, providerSchema } from './enums.js';

/** A request id: nginx's $request_id (32 hex chars) or one the gateway generates. Never purely numeric (BullMQ job ids). */
export const requestIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{8,128}$/, 'request id must be 8-128 characters of [A-Za-z0-9_.-]')
  .refine((id) => !/^\d+$/.test(id), 'request id must not be purely numeric');

const nonNegativeInt = z.number().int().nonnegative();
const nullableNs = nonNegativeInt.nullable();

/**
 * One usage event per request, success or failure, streamed or not. Produced by the gateway (which sees the upstream's
 * final counts), priced and stored by the billing worker. The BullMQ job id is `requestId`.
 */
export const usageEventSchema = z.object({
  requestId: requestIdSchema,
  /** When the request arrived at the gateway (ISO 8601). */
  occurredAt: z.iso.datetime({ offset: true }),
  customerId: z.uuid().nullable(),
  apiKeyId: z.uuid().nullable(),
  /** The model the client asked for. */
  model: z.string().max(512),
  /** The model actually called upstream (after aliasing), or null when no upstream call was made. */
  upstreamModel: z.string().max(512).nullable(),
  provider: providerSchema,
  /** Base URL of the upstream host that served the request, or null. */
  upstreamHost: z.string().max(1024).nullable(),
  /** The public path, e.g. `/v1/chat/completions`. */
  endpoint: z.string().max(256),
  dialect: dialectSchema,
  /** HTTP status the client saw; 499 when the client went away first. */
  status: z.number().int().min(100).max(599),
  /** Machine-readable error code (e.g. `model_not_found`, `upstream_error`), null on success. */
  errorCode: z.string().max(128).nullable(),
  stream: z.boolean(),
  promptTokens: nonNegativeInt,
  completionTokens: nonNegativeInt,
  /** Wall time at the gateway from request arrival to the last byte, in milliseconds. */
  totalMs: z.number().nonnegative(),
  /** Time to the first content token (streams) in milliseconds, null when none was produced. */
  ttftMs: z.number().nonnegative().nullable(),
  /** The gateway's own work: total time minus time spent waiting on upstream, in milliseconds. */
  gatewayOverheadMs: z.number().nonnegative().nullable(),
  /** Ollama's reported durations (nanoseconds), null when the upstream did not report them. */
  loadDurationNs: nullableNs,
  promptEvalDurationNs: nullableNs,
  evalDurationNs: nullableNs,
  totalDurationNs: nullableNs,
  clientIp: z.string().max(64).nullable(),
  userAgent: z.string().max(512).nullable(),
  /**
   * The response cache's verdict (issue 6). Optional so events of older producers still parse; null = no cache applied.
   * On a hit `provider`/`upstreamModel` are those that produced the cached answer and `upstreamHost` is null.
   */
  cacheStatus: cacheStatusSchema.nullable().optional(),
  /**
   * false: record the tokens but charge nothing (a cache hit with `cache.billHits: false`). Absent = true, so events
   * of older producers are priced as before.
   */
  billable: z.boolean().optional(),
});

export type UsageEvent = z.infer<typeof usageEventSchema>;
