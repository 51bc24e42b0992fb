import { describe, expect, it } from 'vitest';
import { periodLabel, type RangeSelection, rangeQueryString } from './period.js';

const base: RangeSelection = { period: '7d', customFrom: '', customTo: '', timeZone: 'Europe/Berlin' };

describe('rangeQueryString', () => {
  it('sends the period and zone', () => {
    expect(rangeQueryString(base)).toEqual({ ok: true, query: 'period=7d&tz=Europe%2FBerlin' });
  });

  it('converts a custom range from wall times in the zone', () => {
    const result = rangeQueryString({
      ...base,
      period: 'custom',
      customFrom: '2026-03-01T00:00',
      customTo: '2026-03-02T12:30',
    });
    expect(result).toEqual({
      ok: true,
      query:
        'period=custom&from=2026-02-28T23%3A00%3A00.000Z&to=2026-03-02T11%3A30%3A00.000Z&tz=Europe%2FBerlin',
    });
  });

  it('explains what is missing', () => {
    expect(rangeQueryString({ ...base, period: 'custom', customFrom: '2026-03-01T00:00' })).toEqual({
      ok: false,
      error: 'Choose both the start and the end of the custom range',
    });
    expect(
      rangeQueryString({
        ...base,
        period: 'custom',
        customFrom: '2026-03-02T00:00',
        customTo: '2026-03-01T00:00',
      }),
    ).toEqual({ ok: false, error: 'The start of the range must be before its end' });
    expect(rangeQueryString({ ...base, timeZone: 'Nowhere/City' })).toEqual({
      ok: false,
      error: 'Unknown time zone "Nowhere/City"',
    });
  });

  it('labels periods', () => {
    expect(periodLabel('month')).toBe('This month');
  });
});
