import { z } from 'zod';

/** The wire dialect a client spoke. */
export const dialectSchema = z.enum(['openai', 'anthropic', 'ollama']);
export type Dialect = z.infer<typeof dialectSchema>;

/** Who served a request: a local Ollama host or a cloud provider reached through a fallback chain. */
export const providerSchema = z.enum([
  'ollama',
  'openai',
  'anthropic',
  'openrouter',
  'openai-compatible',
  'none',
]);
export type Provider = z.infer<typeof providerSchema>;

/**
 * What the response cache did with a request: served it (`hit`), looked and called the upstream (`miss`), or did not
 * look (`bypass`: not a deterministic request, or the client asked). Null/absent where no cache applies (embeddings,
 * the native Ollama API, a gateway with the cache off).
 */
export const cacheStatusSchema = z.enum(['hit', 'miss', 'bypass']);
export type CacheStatus = z.infer<typeof cacheStatusSchema>;

export const customerStatusSchema = z.enum(['active', 'suspended']);
export type CustomerStatus = z.infer<typeof customerStatusSchema>;
