import { describe, expect, it } from 'vitest';
import { globToRegExp, type PriceRow, selectPrice } from './price-selector.js';

let n = 0;
const row = (model: string, effectiveFrom = '1970-01-01T00:00:00Z', provider = 'ollama'): PriceRow => ({
  id: `p${++n}-${model}`,
  provider,
  model,
  inputPerMillion: 1,
  outputPerMillion: 1,
  perRequest: 0,
  effectiveFrom: new Date(effectiveFrom),
});
const at = new Date('2026-03-01T12:00:00Z');
const query = (model: string, upstreamModel: string | null = null) => ({
  provider: 'ollama',
  model,
  upstreamModel,
  at,
});

describe('globToRegExp', () => {
  it('treats * as any run and ? as one character, everything else literally', () => {
    expect(globToRegExp('llama3*').test('llama3.1:8b')).toBe(true);
    expect(globToRegExp('qwen?.5*').test('qwen2.5:7b')).toBe(true);
    expect(globToRegExp('qwen?.5*').test('qwen2x5:7b')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('*').test('')).toBe(true);
  });
});

describe('selectPrice', () => {
  const star = row('*');
  const llama = row('llama3*');
  const llamaExact = row('llama3.1:8b');

  it('prefers an exact model over any glob', () => {
    expect(selectPrice([star, llama, llamaExact], query('llama3.1:8b'))).toBe(llamaExact);
  });

  it('prefers the longer glob, and falls back to *', () => {
    expect(selectPrice([star, llama], query('llama3.2:3b'))).toBe(llama);
    expect(selectPrice([star, llama], query('mistral'))).toBe(star);
  });

  it('uses the latest row in force at the request time, ignoring future rows', () => {
    const old = row('llama3.1:8b', '2025-01-01T00:00:00Z');
    const current = row('llama3.1:8b', '2026-02-01T00:00:00Z');
    const future = row('llama3.1:8b', '2026-04-01T00:00:00Z');
    expect(selectPrice([old, future, current], query('llama3.1:8b'))).toBe(current);
    expect(selectPrice([future], query('llama3.1:8b'))).toBeNull();
  });

  it('only considers rows of the request provider', () => {
    const openai = row('*', '1970-01-01T00:00:00Z', 'openai');
    expect(selectPrice([openai], query('llama3'))).toBeNull();
    expect(selectPrice([openai, star], { ...query('gpt-4o'), provider: 'openai' })).toBe(openai);
  });

  it('tries the upstream model of an alias before falling back to globs', () => {
    expect(selectPrice([star, llamaExact], query('my-alias', 'llama3.1:8b'))).toBe(llamaExact);
    expect(selectPrice([star, llama], query('my-alias', 'llama3.1:8b'))).toBe(llama);
    const alias = row('my-alias');
    expect(selectPrice([alias, llamaExact], query('my-alias', 'llama3.1:8b'))).toBe(alias);
  });
});
