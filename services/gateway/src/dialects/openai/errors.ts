import type { AppError } from '@ollama-gateway/runtime';
import type { OpenAIErrorBody } from './types.js';

/** AppError → OpenAI's error object (reference §2.1): all four keys always present. */
export function toOpenAIError(error: AppError): OpenAIErrorBody {
  return {
    error: {
      message: error.message,
      type: openAIErrorType(error),
      param: error.param,
      code: openAIErrorCode(error),
    },
  };
}

function openAIErrorType(error: AppError): string {
  switch (error.kind) {
    case 'invalid_request':
    case 'authentication':
    case 'not_found':
      return 'invalid_request_error';
    case 'permission':
      return 'permission_error';
    case 'rate_limit':
      return error.code === 'tokens' ? 'tokens' : 'requests';
    case 'quota':
      return 'insufficient_quota';
    default:
      return 'server_error';
  }
}

function openAIErrorCode(error: AppError): string | null {
  if (error.kind === 'rate_limit') return 'rate_limit_exceeded';
  if (error.kind === 'quota') return 'insufficient_quota';
  // Internal codes for upstream failures are not OpenAI codes: OpenAI sends null for server errors.
  if (error.status >= 500) return null;
  return error.code;
}
