import { z } from 'zod';

/**
 * The `cache` section of the gateway config file: the Redis response cache. OWNED BY THE CACHE WORK — this is the
 * starting shape.
 */
export const cacheConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
  })
  .default({ enabled: false });
export type CacheConfig = z.infer<typeof cacheConfigSchema>;
