import type { Dialect } from '@ollama-gateway/contracts';
import type { AppError } from '@ollama-gateway/runtime';
import { toAnthropicError } from './anthropic/errors.js';
import { toOllamaError } from './ollama/errors.js';
import { toOpenAIError } from './openai/errors.js';

/** Which dialect a public path speaks: `/v1/messages…` Anthropic, `/api/…` Ollama, anything else OpenAI. */
export function dialectOf(path: string): Dialect {
  if (path.startsWith('/api/')) return 'ollama';
  if (path === '/v1/messages' || path.startsWith('/v1/messages/') || path.startsWith('/v1/messages?'))
    return 'anthropic';
  return 'openai';
}

/** The error body a client of `dialect` expects. */
export function errorBodyFor(dialect: Dialect, error: AppError): unknown {
  switch (dialect) {
    case 'anthropic':
      return toAnthropicError(error);
    case 'ollama':
      return toOllamaError(error);
    default:
      return toOpenAIError(error);
  }
}
