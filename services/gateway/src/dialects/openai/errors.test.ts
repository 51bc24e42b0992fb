import {
  AppError,
  badRequest,
  forbidden,
  notFound,
  serviceUnavailable,
  toAppError,
  tooManyRequests,
  unauthorized,
  upstreamError,
} from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import { modelNotFound } from '../../canonical/errors.js';
import { toOpenAIError } from './errors.js';

describe('toOpenAIError (reference §2.1)', () => {
  it.each<[string, AppError, { type: string; param: string | null; code: string | null }]>([
    [
      '400 with param and code',
      badRequest('bad', { param: 'messages[0].content', code: 'invalid_value' }),
      { type: 'invalid_request_error', param: 'messages[0].content', code: 'invalid_value' },
    ],
    ['400 plain', badRequest('bad'), { type: 'invalid_request_error', param: null, code: null }],
    [
      '401 invalid key',
      unauthorized('Incorrect API key provided: sk-og-…', { code: 'invalid_api_key' }),
      { type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    ],
    ['401 missing key', unauthorized('no key'), { type: 'invalid_request_error', param: null, code: null }],
    [
      '403',
      forbidden('suspended', { code: 'account_suspended' }),
      { type: 'permission_error', param: null, code: 'account_suspended' },
    ],
    [
      '404 model',
      modelNotFound('foo'),
      { type: 'invalid_request_error', param: null, code: 'model_not_found' },
    ],
    ['404 other', notFound('nope'), { type: 'invalid_request_error', param: null, code: null }],
    [
      '429 requests',
      tooManyRequests('rpm', { code: 'requests' }),
      { type: 'requests', param: null, code: 'rate_limit_exceeded' },
    ],
    [
      '429 tokens',
      tooManyRequests('tpm', { code: 'tokens' }),
      { type: 'tokens', param: null, code: 'rate_limit_exceeded' },
    ],
    [
      '429 quota',
      new AppError(429, 'quota', 'You exceeded your current quota', { code: 'budget_exceeded' }),
      { type: 'insufficient_quota', param: null, code: 'insufficient_quota' },
    ],
    [
      '502 upstream (internal code hidden)',
      upstreamError('boom', { code: 'upstream_error' }),
      { type: 'server_error', param: null, code: null },
    ],
    [
      '503',
      serviceUnavailable('busy', { code: 'upstream_busy' }),
      { type: 'server_error', param: null, code: null },
    ],
    [
      '500 internal',
      toAppError(new Error('secret detail')),
      { type: 'server_error', param: null, code: null },
    ],
  ])('%s', (_label, error, expected) => {
    expect(toOpenAIError(error)).toEqual({ error: { message: error.message, ...expected } });
  });

  it('always has exactly the four keys', () => {
    expect(Object.keys(toOpenAIError(badRequest('x')).error)).toEqual(['message', 'type', 'param', 'code']);
  });

  it('does not leak the message of an unexpected error', () => {
    expect(toOpenAIError(toAppError(new Error('db password wrong'))).error.message).toBe(
      'The server had an error while processing your request.',
    );
  });

  it("uses OpenAI's model-not-found wording", () => {
    expect(toOpenAIError(modelNotFound('foo')).error.message).toBe(
      'The model `foo` does not exist or you do not have access to it.',
    );
  });
});
