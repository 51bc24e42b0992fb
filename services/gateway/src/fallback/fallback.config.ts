import { z } from 'zod';

/**
 * The `fallback` section of the gateway config file: cloud providers tried in order when the local hosts cannot serve
 * a request (docs/fallback.md). Keys are never in the file: each provider names the environment variable holding its
 * key (`apiKeyEnv`).
 */

/** Why the local hosts could not serve: the `trigger` of routing/routing.errors.ts (the same five names). */
export const fallbackTriggerSchema = z.enum([
  'upstream_error',
  'timeout',
  'circuit_open',
  'queue_wait',
  'model_not_present',
]);
export type FallbackTriggerName = z.infer<typeof fallbackTriggerSchema>;

/** A model that is missing locally goes to the cloud only when asked: a typo would otherwise be a paid request. */
export const DEFAULT_TRIGGERS: FallbackTriggerName[] = [
  'upstream_error',
  'timeout',
  'circuit_open',
  'queue_wait',
];

const ms = z.number().int().positive();
const retryCount = z.number().int().min(0).max(10);
const backoffMs = z.number().int().min(0);

export const retryConfigSchema = z.strictObject({
  /** Retries of one provider (after its first attempt) before the next provider is tried. */
  count: retryCount.default(1),
  /** Backoff before retry n: baseMs × 2^(n-1), capped at maxMs, with jitter (half fixed, half random). */
  baseMs: backoffMs.default(250),
  maxMs: ms.default(4000),
});
export type RetryConfig = z.infer<typeof retryConfigSchema>;

/** A provider's own retry settings: each field left out is the section's. */
const retryOverrideSchema = z.strictObject({
  count: retryCount.optional(),
  baseMs: backoffMs.optional(),
  maxMs: ms.optional(),
});

export const providerTypeSchema = z.enum(['openai', 'openrouter', 'anthropic', 'openai-compatible']);

export const providerConfigSchema = z
  .strictObject({
    /** Shown to clients as `x-provider`; unique in the chain. */
    name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'use 1-64 letters, digits, ".", "_" or "-"'),
    type: providerTypeSchema,
    /** Default per type (openai, openrouter: up to /v1; anthropic: the API root). Required for openai-compatible. */
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** The NAME of the environment variable holding the key (e.g. OPENAI_API_KEY); absent = no auth header. */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'the name of an environment variable, e.g. OPENAI_API_KEY')
      .optional(),
    /** Local model or alias → provider model (`llama3.1:8b` and `llama3.1` both match `llama3.1:8b`). */
    models: z.record(z.string(), z.string().min(1)).default({}),
    /** The provider model for any model not in `models`; absent = such requests skip this provider. */
    defaultModel: z.string().min(1).optional(),
    /** To response headers, and between two chunks of a stream. */
    timeoutMs: ms.default(60_000),
    /** No first token from this provider within this time: the next attempt (default: the section's value). */
    firstByteTimeoutMs: ms.optional(),
    /** This provider's retries (default: the section's). */
    retries: retryOverrideSchema.optional(),
    /** Anthropic only: `max_tokens` when the request sets none. */
    defaultMaxTokens: z.number().int().positive().default(4096),
    /** Extra request headers, e.g. OpenRouter's HTTP-Referer and X-Title. Not for keys: use apiKeyEnv. */
    headers: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((provider, ctx) => {
    if (provider.type === 'openai-compatible' && !provider.baseUrl)
      ctx.addIssue({
        code: 'custom',
        path: ['baseUrl'],
        message: 'an openai-compatible provider needs a baseUrl',
      });
    if (Object.keys(provider.models).length === 0 && !provider.defaultModel)
      ctx.addIssue({
        code: 'custom',
        path: ['models'],
        message: 'map at least one model (models) or set a defaultModel',
      });
    for (const header of Object.keys(provider.headers))
      if (/^(authorization|x-api-key)$/i.test(header))
        ctx.addIssue({
          code: 'custom',
          path: ['headers', header],
          message: 'keys do not belong in the config file: name their variable in apiKeyEnv',
        });
  });
export type ProviderConfig = z.infer<typeof providerConfigSchema>;

export const fallbackConfigSchema = z
  .strictObject({
    /** Which failures of the local hosts send a request down the chain. */
    triggers: z.array(fallbackTriggerSchema).default(DEFAULT_TRIGGERS),
    /**
     * Streams: no first event from the local hosts within this time → the local call is aborted and the chain tried
     * (trigger `timeout`; no timer while that trigger is off). Also the providers' default. Absent = no timer (the
     * routing layer's own timeouts apply).
     */
    firstByteTimeoutMs: ms.optional(),
    /** Non-streamed requests: no answer from the local hosts within this time → the chain. Absent = no timer. */
    nonStreamTimeoutMs: ms.optional(),
    retries: retryConfigSchema.prefault({}),
    /** Tried in this order. Empty = no fallback: local errors reach the client as they are. */
    providers: z.array(providerConfigSchema).default([]),
  })
  .superRefine((section, ctx) => {
    const seen = new Set<string>();
    section.providers.forEach((provider, index) => {
      if (seen.has(provider.name))
        ctx.addIssue({
          code: 'custom',
          path: ['providers', index, 'name'],
          message: `duplicate name ${provider.name}`,
        });
      seen.add(provider.name);
    });
  })
  .prefault({});
export type FallbackConfig = z.infer<typeof fallbackConfigSchema>;
