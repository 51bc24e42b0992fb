import type { RequestLogEvent, UsageEvent } from '@ollama-gateway/contracts';
import type { RequestTracer } from '@ollama-gateway/runtime';
import type { EventPublisher } from '../producers/event.publisher.js';
import type { GatewayMetrics } from './gateway.metrics.js';
import type { RequestContext } from './request-context.js';
import { toRequestSpan } from './request-span.js';

export interface UsageRecorder {
  /** Emits the usage event (and request-log event) of a finished request. Call once per request. */
  record(context: RequestContext, status: number, endedAt: number): void;
  /** An API request arrived (in-flight gauge); its `record` ends it. Optional: fakes may leave it out. */
  begin?(context: RequestContext): void;
}

const clip = (value: string | null, max: number) =>
  value && value.length > max ? value.slice(0, max) : value;
const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

export function toUsageEvent(context: RequestContext, status: number, endedAt: number): UsageEvent {
  const totalMs = Math.max(0, endedAt - context.startedAt);
  const timings = context.timings;
  return {
    requestId: context.requestId,
    occurredAt: context.occurredAt,
    customerId: context.key?.customerId ?? null,
    apiKeyId: context.key?.id ?? null,
    model: clip(context.model, 512) ?? '',
    upstreamModel: clip(context.upstreamModel, 512),
    provider: context.provider,
    upstreamHost: clip(context.upstreamHost, 1024),
    endpoint: clip(context.endpoint, 256) ?? '',
    dialect: context.dialect,
    status,
    errorCode: clip(context.errorCode, 128),
    stream: context.stream,
    promptTokens: context.usage.promptTokens,
    completionTokens: context.usage.completionTokens,
    totalMs: round3(totalMs),
    ttftMs: context.ttftMs === null ? null : round3(context.ttftMs),
    gatewayOverheadMs: round3(Math.max(0, totalMs - context.upstreamMs)),
    loadDurationNs: timings?.loadDurationNs ?? null,
    promptEvalDurationNs: timings?.promptEvalDurationNs ?? null,
    evalDurationNs: timings?.evalDurationNs ?? null,
    totalDurationNs: timings?.totalDurationNs ?? null,
    clientIp: clip(context.clientIp, 64),
    userAgent: clip(context.userAgent, 512),
    cacheStatus: context.cacheStatus,
    billable: context.billable,
  };
}

export function toRequestLogEvent(
  context: RequestContext,
  status: number,
  endedAt: number,
  withBodies: boolean,
): RequestLogEvent {
  return {
    requestId: context.requestId,
    occurredAt: context.occurredAt,
    customerId: context.key?.customerId ?? null,
    apiKeyId: context.key?.id ?? null,
    model: clip(context.model, 512) ?? '',
    endpoint: clip(context.endpoint, 256) ?? '',
    dialect: context.dialect,
    status,
    stream: context.stream,
    durationMs: round3(Math.max(0, endedAt - context.startedAt)),
    requestBody: withBodies ? context.requestBody : null,
    responseBody: withBodies ? context.responseBody : null,
    error: clip(context.errorMessage, 10_000),
  };
}

export function createUsageRecorder(options: {
  publisher: EventPublisher;
  logBodies: boolean;
  /** Prometheus series observed here, once per finished request. Absent = no metrics. */
  metrics?: GatewayMetrics;
  /** OpenTelemetry: one server span (and its upstream span) per finished request. Absent = tracing off. */
  tracer?: RequestTracer | null;
}): UsageRecorder {
  const { metrics, tracer } = options;
  const inFlight = new WeakSet<RequestContext>();
  return {
    record(context, status, endedAt) {
      const usage = toUsageEvent(context, status, endedAt);
      if (metrics) {
        if (inFlight.delete(context)) metrics.requestEnded();
        metrics.observe(usage);
      }
      if (tracer) tracer.record(toRequestSpan(context, usage, endedAt));
      options.publisher.publishUsage(usage);
      options.publisher.publishRequestLog(toRequestLogEvent(context, status, endedAt, options.logBodies));
    },
    begin(context) {
      if (!metrics || inFlight.has(context)) return;
      inFlight.add(context);
      metrics.requestStarted();
    },
  };
}
