import { describe, expect, it } from 'vitest';
import { endpointNotAllowed, isEndpointAllowed, isEndpointEntry } from './endpoint-access.js';

const key = (allowedEndpoints: string[] | null) => ({ allowedEndpoints });

describe('isEndpointAllowed', () => {
  it('allows everything without a list (null or empty)', () => {
    expect(isEndpointAllowed(key(null), '/api/chat', 'ollama')).toBe(true);
    expect(isEndpointAllowed(key([]), '/v1/messages', 'anthropic')).toBe(true);
  });

  it('matches exact paths, and only them', () => {
    const k = key(['/v1/chat/completions']);
    expect(isEndpointAllowed(k, '/v1/chat/completions', 'openai')).toBe(true);
    expect(isEndpointAllowed(k, '/v1/chat/completions/', 'openai')).toBe(true);
    expect(isEndpointAllowed(k, '/v1/completions', 'openai')).toBe(false);
    expect(isEndpointAllowed(k, '/v1/chat/completions2', 'openai')).toBe(false);
    expect(isEndpointAllowed(k, '/v1/models', 'openai')).toBe(false);
  });

  it('matches globs: * spans segments, ? one character', () => {
    const k = key(['/api/*', '/v1/embedding?']);
    expect(isEndpointAllowed(k, '/api/chat', 'ollama')).toBe(true);
    expect(isEndpointAllowed(k, '/api/show', 'ollama')).toBe(true);
    expect(isEndpointAllowed(k, '/v1/embeddings', 'openai')).toBe(true);
    expect(isEndpointAllowed(k, '/v1/chat/completions', 'openai')).toBe(false);
    expect(isEndpointAllowed(key(['/v1/*']), '/v1/models/llama3.2', 'openai')).toBe(true);
  });

  it('escapes regexp characters in paths', () => {
    expect(isEndpointAllowed(key(['/v1/a.b']), '/v1/aXb', 'openai')).toBe(false);
    expect(isEndpointAllowed(key(['/v1/a.b']), '/v1/a.b', 'openai')).toBe(true);
  });

  it('matches whole dialects', () => {
    const k = key(['dialect:anthropic', '/v1/chat/completions']);
    expect(isEndpointAllowed(k, '/v1/messages', 'anthropic')).toBe(true);
    expect(isEndpointAllowed(k, '/v1/messages/count_tokens', 'anthropic')).toBe(true);
    expect(isEndpointAllowed(k, '/v1/chat/completions', 'openai')).toBe(true);
    expect(isEndpointAllowed(k, '/v1/models', 'openai')).toBe(false);
    expect(isEndpointAllowed(k, '/api/chat', 'ollama')).toBe(false);
    expect(isEndpointAllowed(key(['Dialect:Ollama']), '/api/tags', 'ollama')).toBe(true);
  });
});

describe('isEndpointEntry', () => {
  it('accepts paths, globs and the three dialects', () => {
    for (const entry of [
      '/v1/chat/completions',
      '/api/*',
      '/v1/embedding?',
      'dialect:openai',
      'dialect:ollama',
    ])
      expect(isEndpointEntry(entry), entry).toBe(true);
  });
  it('rejects anything else', () => {
    for (const entry of ['v1/chat', 'dialect:gemini', '/v1/chat completions', '/v1;x', ''])
      expect(isEndpointEntry(entry), entry).toBe(false);
  });
});

describe('endpointNotAllowed', () => {
  it('is a 403 endpoint_not_allowed naming the endpoint', () => {
    const error = endpointNotAllowed('/api/chat', { prefix: 'sk-og-AbCd1234' });
    expect(error.status).toBe(403);
    expect(error.code).toBe('endpoint_not_allowed');
    expect(error.message).toContain('/api/chat');
  });
});
