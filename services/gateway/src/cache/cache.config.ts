import { z } from 'zod';

/**
 * The `cache` section of the gateway config file: the Redis response cache (docs/routing.md, "Response cache").
 * Read through a getter on every request, so a config reload applies to the next request.
 */
export const cacheConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** How long an answer is served from the cache (fractions allowed; Redis keeps milliseconds). */
    ttlSeconds: z
      .number()
      .positive()
      .max(30 * 24 * 3600)
      .default(3600),
    /** Larger answers (serialised, bytes) are not stored. */
    maxEntryBytes: z
      .number()
      .int()
      .positive()
      .default(256 * 1024),
    /** At most this many entries; storing one more evicts those that expire first (FIFO under one TTL). */
    maxEntries: z.number().int().positive().default(50_000),
    /** The stored answers' bytes (plus a fixed bookkeeping cost per entry) stay under this; eviction as above. */
    maxTotalBytes: z
      .number()
      .int()
      .positive()
      .default(256 * 1024 * 1024),
    /** Who shares entries: every key of a customer (default), or each API key on its own. Customers never share. */
    scope: z.enum(['customer', 'key']).default('customer'),
    /** Whether a hit is charged like the answer it replays (true), or recorded with its tokens at cost 0 (false). */
    billHits: z.boolean().default(true),
    /** Which requests are looked up and stored. */
    cacheable: z
      .strictObject({
        /** `temperature: 0` (sampling off: Ollama answers the same prompt the same way). */
        temperatureZero: z.boolean().default(true),
        /** A fixed `seed` (any temperature). */
        seed: z.boolean().default(true),
        /** `x-gateway-cache: force` on the request makes any request cacheable. */
        optInHeader: z.boolean().default(true),
      })
      .prefault({}),
  })
  .refine((cache) => cache.maxEntryBytes <= cache.maxTotalBytes, {
    message: 'cache.maxEntryBytes must not exceed cache.maxTotalBytes',
    path: ['maxEntryBytes'],
  })
  .prefault({});
export type CacheConfig = z.infer<typeof cacheConfigSchema>;
/** The section as written in the file (every field optional). */
export type CacheConfigInput = z.input<typeof cacheConfigSchema>;
