import { describe, expect, it } from 'vitest';
import { emptyLogFilters, hasActiveFilters, logQueryString } from './log-query.js';

describe('logQueryString', () => {
  it('sends only the page size for no filters', () => {
    expect(logQueryString(emptyLogFilters, null, 'UTC')).toEqual({ ok: true, query: 'limit=20' });
    expect(hasActiveFilters(emptyLogFilters)).toBe(false);
  });

  it('sends every set filter and the cursor', () => {
    const filters = {
      ...emptyLogFilters,
      q: '  "hello world" -bye ',
      errorsOnly: true,
      model: 'llama3',
      customerId: '0b7c…',
      apiKeyId: 'k1',
      dialect: 'anthropic' as const,
      from: '2026-03-01T10:00',
      to: '2026-03-01T11:00',
      includeNoise: true,
    };
    const result = logQueryString(filters, 'abc', 'Europe/Berlin');
    expect(result.ok).toBe(true);
    const params = new URLSearchParams(result.ok ? result.query : '');
    expect(Object.fromEntries(params)).toEqual({
      q: '"hello world" -bye',
      status: 'errors',
      model: 'llama3',
      customerId: '0b7c…',
      apiKeyId: 'k1',
      dialect: 'anthropic',
      from: '2026-03-01T09:00:00.000Z',
      to: '2026-03-01T10:00:00.000Z',
      includeNoise: 'true',
      cursor: 'abc',
      limit: '20',
    });
    expect(hasActiveFilters(filters)).toBe(true);
  });

  it('never sends includeNoise=false', () => {
    const result = logQueryString({ ...emptyLogFilters, includeNoise: false }, null, 'UTC');
    expect(result.ok && result.query.includes('includeNoise')).toBe(false);
  });

  it('rejects an inverted time range', () => {
    expect(
      logQueryString({ ...emptyLogFilters, from: '2026-03-02T00:00', to: '2026-03-01T00:00' }, null, 'UTC'),
    ).toEqual({ ok: false, error: '"From" must be before "to"' });
  });
});
