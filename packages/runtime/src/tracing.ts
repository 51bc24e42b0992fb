import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { envBoolean } from './env.js';
import { atMostEvery } from './logger.js';

/**
 * Optional OpenTelemetry traces (docs/metrics.md, "Tracing"). Off unless OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set: only then is the OpenTelemetry SDK loaded (dynamic import), and spans are
 * exported over OTLP/HTTP (JSON) in batches. The exporter reads the other standard variables itself (OTEL_EXPORTER_OTLP_HEADERS,
 * …_TIMEOUT, …_COMPRESSION, the TRACES_ variants); the resource takes OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
 *
 * Spans are recorded after the fact, with explicit start and end times, from what the caller measured anyway: the hot
 * path creates no span objects and holds no context while a request runs.
 */

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

const httpUrl = (name: string) =>
  z
    .url({
      protocol: /^https?$/,
      error: `${name} must be an http(s) URL (OTLP/HTTP), e.g. http://127.0.0.1:4318`,
    })
    .optional();

/** The tracing variables, merged into each service's env schema (validated once at start-up). */
export const tracingEnvShape = {
  /** OTLP/HTTP base URL (…/v1/traces is appended), e.g. http://otel-collector:4318. Unset (and no …_TRACES_…) = off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT'),
  /** The traces URL itself (wins over OTEL_EXPORTER_OTLP_ENDPOINT), e.g. http://jaeger:4318/v1/traces. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'),
  /** service.name of the spans; default the process's own name (gateway). */
  OTEL_SERVICE_NAME: z.string().max(256).optional(),
  /** Standard switch: true = no tracing even with an endpoint set. */
  OTEL_SDK_DISABLED: envBoolean.default(false),
  OTEL_TRACES_SAMPLER: z.enum(SAMPLERS).default('parentbased_always_on'),
  /** The ratio of the traceidratio samplers, 0…1. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  /** The batch span processor: delay between exports (ms), queue and batch sizes (standard names and defaults). */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(1).max(600_000).default(5000),
  OTEL_BSP_MAX_QUEUE_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(2048),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(512),
};

const tracingEnvSchema = z.object(tracingEnvShape);
export type TracingEnv = z.infer<typeof tracingEnvSchema>;

/** Span attributes; undefined values are left out (so callers can build them as one object literal). */
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

export interface FinishedSpan {
  name: string;
  /** performance.now() values (as RequestContext.startedAt), converted to wall-clock time here. */
  startTime: number;
  endTime: number;
  attributes: SpanAttributes;
  /** Marks the span as failed (status ERROR) with this message. */
  error?: string | undefined;
}

export interface FinishedRequestSpan extends FinishedSpan {
  /** The caller's W3C `traceparent` header: the span joins that trace, as a child of the caller's span. */
  traceparent?: string | undefined;
  /** The caller's `tracestate`, kept with the parent. */
  tracestate?: string | undefined;
  /** Client spans within it (the upstream model server call). */
  children?: FinishedSpan[];
}

export interface RequestTracer {
  /** Records one finished request as a server span with its children. Never throws. */
  record(span: FinishedRequestSpan): void;
  /** Exports what is pending (shutdown). */
  shutdown(): Promise<void>;
}

type WarnLogger = { warn(object: object, message: string): void };

/** Where spans are sent (the OTLP rule: the traces URL as given, else the base URL + /v1/traces); null = off. */
export function tracesUrl(env: TracingEnv): string | null {
  if (env.OTEL_SDK_DISABLED) return null;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * The tracer of the service `service` (its default service.name), or null without loading anything when tracing is
 * off. Export failures (collector down) are logged at most once a minute; spans never fail a request.
 */
export async function startTracing(
  service: string,
  env: TracingEnv,
  logger?: WarnLogger,
): Promise<RequestTracer | null> {
  const url = tracesUrl(env);
  if (!url) return null;
  const [api, core, sdk, exporter, resources] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  if (logger) {
    const warn = atMostEvery(60_000, (message: string) =>
      logger.warn({ otel: message }, 'tracing: spans not exported'),
    );
    const forward = (message: string, ...args: unknown[]) =>
      warn([message, ...args.map((arg) => (arg instanceof Error ? arg.message : String(arg)))].join(' '));
    api.diag.setLogger(
      { error: forward, warn: forward, info: () => {}, debug: () => {}, verbose: () => {} },
      api.DiagLogLevel.WARN,
    );
  }

  const ratio = env.OTEL_TRACES_SAMPLER_ARG ?? 1;
  const name = env.OTEL_TRACES_SAMPLER;
  const root = name.endsWith('always_off')
    ? new sdk.AlwaysOffSampler()
    : name.endsWith('traceidratio')
      ? new sdk.TraceIdRatioBasedSampler(ratio)
      : new sdk.AlwaysOnSampler();
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': service }))
    // OTEL_RESOURCE_ATTRIBUTES (read from the process environment, as every OpenTelemetry SDK does), then the
    // validated OTEL_SERVICE_NAME.
    .merge(resources.detectResources({ detectors: [resources.envDetector] }))
    .merge(
      env.OTEL_SERVICE_NAME
        ? resources.resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME })
        : null,
    );
  const provider = new sdk.BasicTracerProvider({
    resource,
    sampler: name.startsWith('parentbased_') ? new sdk.ParentBasedSampler({ root }) : root,
    spanProcessors: [
      new sdk.BatchSpanProcessor(new exporter.OTLPTraceExporter({ url }), {
        scheduledDelayMillis: env.OTEL_BSP_SCHEDULE_DELAY,
        maxQueueSize: env.OTEL_BSP_MAX_QUEUE_SIZE,
        maxExportBatchSize: Math.min(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, env.OTEL_BSP_MAX_QUEUE_SIZE),
      }),
    ],
  });
  const tracer = provider.getTracer('ollama-gateway');
  const propagator = new core.W3CTraceContextPropagator();
  const origin = performance.timeOrigin;

  type Span = ReturnType<typeof tracer.startSpan>;
  const end = (span: Span, finished: FinishedSpan) => {
    if (finished.error) span.setStatus({ code: api.SpanStatusCode.ERROR, message: finished.error });
    span.end(origin + finished.endTime);
  };

  return {
    record(finished) {
      try {
        const carrier: Record<string, string> = {};
        if (finished.traceparent) carrier.traceparent = finished.traceparent;
        if (finished.tracestate) carrier.tracestate = finished.tracestate;
        // An invalid traceparent extracts nothing: the span starts a trace of its own.
        const parent = finished.traceparent
          ? propagator.extract(api.ROOT_CONTEXT, carrier, api.defaultTextMapGetter)
          : api.ROOT_CONTEXT;
        const span = tracer.startSpan(
          finished.name,
          {
            kind: api.SpanKind.SERVER,
            startTime: origin + finished.startTime,
            attributes: finished.attributes,
          },
          parent,
        );
        const within = api.trace.setSpan(parent, span);
        for (const child of finished.children ?? []) {
          const options = {
            kind: api.SpanKind.CLIENT,
            startTime: origin + child.startTime,
            attributes: child.attributes,
          };
          end(tracer.startSpan(child.name, options, within), child);
        }
        end(span, finished);
      } catch {
        // A span that cannot be recorded must never fail the request it describes.
      }
    },
    shutdown: () => provider.shutdown(),
  };
}
