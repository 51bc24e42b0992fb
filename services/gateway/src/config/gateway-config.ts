import { z } from 'zod';
import { cacheConfigSchema } from '../cache/cache.config.js';
import { fallbackConfigSchema } from '../fallback/fallback.config.js';
import { routingConfigShape } from '../routing/routing.config.js';

/**
 * The gateway's config file (YAML, GATEWAY_CONFIG_FILE): hosts, aliases, model options, fair queue, fallback chain
 * and response cache. Each section's schema lives with the code that uses it; this file only composes them.
 * Loaded and validated at start-up, reloaded on SIGHUP (config.loader.ts).
 */
export const gatewayConfigSchema = z.strictObject({
  ...routingConfigShape,
  fallback: fallbackConfigSchema,
  cache: cacheConfigSchema,
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
