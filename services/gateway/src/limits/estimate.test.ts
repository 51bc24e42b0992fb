import { describe, expect, it } from 'vitest';
import { estimatePromptTokens, numPredictOf } from './estimate.js';
import { formatResetDuration, rateLimitHeaders, retryAfterSeconds } from './rate-limit.headers.js';

describe('estimatePromptTokens', () => {
  it('is the serialized prompt in characters divided by 4, rounded up', () => {
    expect(estimatePromptTokens('abcd')).toBe(1);
    expect(estimatePromptTokens('abcde')).toBe(2);
    const messages = [{ role: 'user', content: 'hello there' }];
    expect(estimatePromptTokens(messages)).toBe(Math.ceil(JSON.stringify(messages).length / 4));
    expect(estimatePromptTokens(null)).toBe(0);
  });

  it('leaves inline images out (base64 would count megabytes of characters)', () => {
    const withImage = [{ role: 'user', content: 'what is this?', images: ['A'.repeat(100_000)] }];
    expect(estimatePromptTokens(withImage)).toBe(
      estimatePromptTokens([{ role: 'user', content: 'what is this?' }]),
    );
  });

  it('reads num_predict from a native body', () => {
    expect(numPredictOf({ options: { num_predict: 64 } })).toBe(64);
    expect(numPredictOf({ options: { num_predict: -1 } })).toBeNull();
    expect(numPredictOf({})).toBeNull();
  });
});

describe('rate-limit headers', () => {
  it('formats reset durations as OpenAI does', () => {
    expect(formatResetDuration(0)).toBe('0s');
    expect(formatResetDuration(250)).toBe('250ms');
    expect(formatResetDuration(1000)).toBe('1s');
    expect(formatResetDuration(59_200)).toBe('59.2s');
    expect(formatResetDuration(360_000)).toBe('6m0s');
    expect(formatResetDuration(3_725_500)).toBe('1h2m5.5s');
  });

  it('sends the three headers only for the limits the key has', () => {
    expect(
      rateLimitHeaders({
        requests: { limit: 60, remaining: 59, resetMs: 1000 },
        tokens: { limit: null, remaining: 0, resetMs: 0 },
      }),
    ).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
    });
    expect(
      rateLimitHeaders({
        requests: { limit: null, remaining: 0, resetMs: 0 },
        tokens: { limit: 1000, remaining: -5, resetMs: 6_000 },
      }),
    ).toEqual({
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '6s',
    });
  });

  it('rounds retry-after up to whole seconds, at least 1', () => {
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(0)).toBe(1);
  });
});
