import { z } from 'zod';

/**
 * The routing sections of the gateway config file (config/gateway-config.ts): Ollama hosts, model aliases, per-model
 * option normalisation and the per-host fair queue. OWNED BY THE ROUTING WORK — this is the starting shape.
 */
export const hostConfigSchema = z.strictObject({
  /** Base URL of an Ollama server, e.g. http://gpu1:11434. */
  url: z.url(),
  /** Relative share of traffic among equally good hosts. */
  weight: z.number().positive().default(1),
  /** GPU power draw for the energy estimate (GPU_WATTS_BY_HOST in the billing worker does the same). */
  gpuWatts: z.number().min(0).optional(),
  /** Requests this host runs at once; more wait in its fair queue. */
  maxConcurrent: z.number().int().positive().default(4),
  labels: z.array(z.string()).default([]),
});
export type HostConfig = z.infer<typeof hostConfigSchema>;

export const routingConfigShape = {
  hosts: z.array(hostConfigSchema).default([]),
  /** Alias → real model, e.g. { default: 'llama3.1:8b', coding: 'qwen2.5-coder:14b' }. */
  aliases: z.record(z.string(), z.string()).default({}),
  /** Per-model Ollama options forced on every request (num_ctx, keep_alive…) so clients do not cause reloads. */
  modelOptions: z
    .record(
      z.string(),
      z.strictObject({
        numCtx: z.number().int().positive().optional(),
        keepAlive: z.union([z.string(), z.number()]).optional(),
      }),
    )
    .default({}),
};
