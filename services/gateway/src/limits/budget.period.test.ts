import { describe, expect, it } from 'vitest';
import { budgetWindow, counterTtlSeconds, monthWindow } from './budget.period.js';

describe('billing periods', () => {
  it('is the calendar month in UTC', () => {
    const w = monthWindow(new Date('2025-01-31T23:59:59Z'), 'UTC');
    expect(w).toEqual({
      period: '2025-01-01',
      start: new Date('2025-01-01T00:00:00Z'),
      end: new Date('2025-02-01T00:00:00Z'),
    });
  });

  it('follows the billing time zone, across DST and the year end', () => {
    // 2025-03-31T22:30Z is already April 1st 00:30 in Berlin (CEST, UTC+2).
    const april = monthWindow(new Date('2025-03-31T22:30:00Z'), 'Europe/Berlin');
    expect(april.period).toBe('2025-04-01');
    expect(april.start).toEqual(new Date('2025-03-31T22:00:00Z'));
    expect(april.end).toEqual(new Date('2025-04-30T22:00:00Z'));
    const december = monthWindow(new Date('2025-12-15T12:00:00Z'), 'America/New_York');
    expect(december.start).toEqual(new Date('2025-12-01T05:00:00Z'));
    expect(december.end).toEqual(new Date('2026-01-01T05:00:00Z'));
  });

  it('one-off budgets never reset and keep a rolling TTL', () => {
    const now = new Date('2025-05-10T00:00:00Z');
    const once = budgetWindow('one_off', now, 'UTC');
    expect(once).toEqual({ period: 'all', start: null, end: null });
    expect(counterTtlSeconds(once, now, 1234)).toBe(1234);
    const month = budgetWindow('monthly', now, 'UTC');
    expect(counterTtlSeconds(month, now, 1234)).toBe(22 * 86_400 + 86_400);
  });
});
