import type { AppError } from '@ollama-gateway/runtime';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

/** AppError → Anthropic's error shape (reference §3.1). */
export function toAnthropicError(error: AppError): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(error.status), message: error.message } };
}

function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 503: // the model server is busy (Ollama's queue is full): Anthropic calls that overloaded (reference §5.4)
    case 529:
      return 'overloaded_error';
    default:
      return status < 500 ? 'invalid_request_error' : 'api_error';
  }
}
