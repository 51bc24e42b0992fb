import { z } from 'zod';

/**
 * The routing sections of the gateway config file (config/gateway-config.ts): Ollama hosts, model aliases, per-model
 * option normalisation, the per-host fair queue, health checks and the circuit breaker. docs/routing.md explains
 * each field; config/gateway.example.yaml shows them all.
 */
export const hostConfigSchema = z.strictObject({
  /** Base URL of an Ollama server, e.g. http://gpu1:11434 (also the usage rows' upstream_host). */
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://gpu1:11434' }),
  /** Breaks ties between equally good hosts: the heavier one wins, equal weights take turns. */
  weight: z.number().positive().default(1),
  /** GPU power draw for the energy estimate (GPU_WATTS_BY_HOST in the billing worker does the same). */
  gpuWatts: z.number().min(0).optional(),
  /** Requests this host runs at once; more wait in its fair queue. */
  maxConcurrent: z.number().int().positive().default(4),
  labels: z.array(z.string()).default([]),
});
export type HostConfig = z.infer<typeof hostConfigSchema>;

/** Options forced on every request for a model (so clients with other settings do not make Ollama reload it). */
export const modelOptionsSchema = z.strictObject({
  /** `options.num_ctx`: a different context length reloads the model. */
  numCtx: z.number().int().positive().optional(),
  /** `keep_alive`: seconds or a Go duration ("30m"); negative keeps the model loaded for good. */
  keepAlive: z.union([z.string().min(1), z.number()]).optional(),
});
export type ModelOptions = z.infer<typeof modelOptionsSchema>;

export const queueConfigSchema = z.strictObject({
  /** Longest a request waits for a free slot on its host; then 503 `queue_wait_exceeded` (or the fallback chain). */
  maxWaitMs: z.number().int().min(0).default(60_000),
  /** Requests that may wait per host; one more is refused at once (503 `queue_full`). */
  maxQueued: z.number().int().min(0).default(256),
  /** The `retry-after` (seconds) sent with those 503s. */
  retryAfterSeconds: z.number().int().min(0).default(5),
});
export type QueueConfig = z.infer<typeof queueConfigSchema>;

export const healthConfigSchema = z.strictObject({
  /** How often each host is asked /api/version, /api/tags and /api/ps. */
  intervalMs: z.number().int().min(100).default(5000),
  /** How long one check may take before the host counts as down. */
  timeoutMs: z.number().int().min(50).default(2000),
});
export type HealthConfig = z.infer<typeof healthConfigSchema>;

export const breakerConfigSchema = z.strictObject({
  /** Consecutive failures (connection errors, 5xx, timeouts) that open a host's circuit. */
  failureThreshold: z.number().int().min(1).default(3),
  /** How long an open circuit keeps the host out before one request probes it (half-open). */
  cooldownMs: z.number().int().min(0).default(15_000),
});
export type BreakerConfig = z.infer<typeof breakerConfigSchema>;

export const routingConfigShape = {
  hosts: z
    .array(hostConfigSchema)
    .default([])
    .refine(
      (hosts) => new Set(hosts.map((host) => host.url.replace(/\/+$/, ''))).size === hosts.length,
      'each host URL may appear only once',
    ),
  /** Alias → real model, e.g. { default: 'llama3.1:8b', coding: 'qwen2.5-coder:14b' }. */
  aliases: z
    .record(z.string().min(1), z.string().min(1))
    .default({})
    .superRefine((aliases, ctx) => {
      for (const [alias, target] of Object.entries(aliases))
        if (Object.hasOwn(aliases, target) && target !== alias)
          ctx.addIssue({
            code: 'custom',
            path: [alias],
            message: `"${target}" is itself an alias: point "${alias}" at a real model`,
          });
    }),
  /** Per-model Ollama options forced on every request; `'*'` applies to every model without its own entry. */
  modelOptions: z.record(z.string().min(1), modelOptionsSchema).default({}),
  queue: queueConfigSchema.prefault({}),
  health: healthConfigSchema.prefault({}),
  breaker: breakerConfigSchema.prefault({}),
};

const routingConfigSchema = z.strictObject(routingConfigShape);
/** What the router reads of the config file (the whole file is GatewayConfig). */
export type RoutingConfig = z.infer<typeof routingConfigSchema>;
