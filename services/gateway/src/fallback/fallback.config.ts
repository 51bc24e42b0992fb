import { z } from 'zod';

/**
 * The `fallback` section of the gateway config file: cloud providers to try when the local hosts cannot serve a
 * request. OWNED BY THE FALLBACK WORK — this is the starting shape.
 */
export const fallbackConfigSchema = z
  .strictObject({
    providers: z.array(z.unknown()).default([]),
  })
  .default({ providers: [] });
export type FallbackConfig = z.infer<typeof fallbackConfigSchema>;
