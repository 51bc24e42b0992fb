import { AppError, badRequest, notFound, unauthorized } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import { dialectOf, errorBodyFor } from './dialect.js';
import { toOllamaError } from './ollama/errors.js';

describe('dialectOf', () => {
  it.each([
    ['/v1/chat/completions', 'openai'],
    ['/v1/models', 'openai'],
    ['/v1/embeddings', 'openai'],
    ['/v1/messages', 'anthropic'],
    ['/v1/messages/count_tokens', 'anthropic'],
    ['/v1/messages?beta=true', 'anthropic'],
    ['/v1/messagesx', 'openai'],
    ['/api/chat', 'ollama'],
    ['/api/tags', 'ollama'],
    ['/api', 'openai'],
    ['/', 'openai'],
  ])('%s → %s', (path, dialect) => {
    expect(dialectOf(path)).toBe(dialect);
  });
});

describe('errorBodyFor', () => {
  const error = notFound('The model `x` does not exist or you do not have access to it.', {
    code: 'model_not_found',
  });

  it('renders each dialect in its own shape', () => {
    expect(errorBodyFor('openai', error)).toEqual({
      error: { message: error.message, type: 'invalid_request_error', param: null, code: 'model_not_found' },
    });
    expect(errorBodyFor('anthropic', error)).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: error.message },
    });
    expect(errorBodyFor('ollama', error)).toEqual({ error: error.message });
  });

  it.each([badRequest('a'), unauthorized('b'), new AppError(503, 'unavailable', 'c')])(
    'Ollama errors are {"error": message} for every status (%#)',
    (appError) => {
      expect(toOllamaError(appError)).toEqual({ error: appError.message });
    },
  );
});
