import { AppError, type ErrorKind } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import { toAnthropicError } from './errors.js';

const kindOf = (status: number): ErrorKind => (status >= 500 ? 'upstream' : 'invalid_request');

describe('toAnthropicError (reference §3.1)', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [409, 'invalid_request_error'],
    [413, 'request_too_large'],
    [422, 'invalid_request_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [503, 'overloaded_error'],
    [504, 'timeout_error'],
    [529, 'overloaded_error'],
  ])('%i → %s', (status, type) => {
    expect(toAnthropicError(new AppError(status, kindOf(status), 'msg'))).toEqual({
      type: 'error',
      error: { type, message: 'msg' },
    });
  });
});
