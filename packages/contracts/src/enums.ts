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

export const customerStatusSchema = z.enum(['active', 'suspended']);
export type CustomerStatus = z.infer<typeof customerStatusSchema>;
