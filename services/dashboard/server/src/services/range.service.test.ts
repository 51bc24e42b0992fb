import { describe, expect, it } from 'vitest';
import { type Range, resolveRange, toResolvedRange } from './range.service.js';
import { billingPeriodOf, zonedStartOf } from './time-zone.js';

const NOW = new Date('2026-03-15T10:20:30.123Z');
const resolve = (query: Parameters<typeof resolveRange>[0], earliest: Date | null = null, now = NOW) =>
  toResolvedRange(resolveRange(query, { now, defaultTimeZone: 'UTC', earliest }));

describe('resolveRange', () => {
  it('today: from local midnight to the end of the current hour, hourly', () => {
    expect(resolve({ period: 'today' })).toEqual({
      period: 'today',
      from: '2026-03-15T00:00:00.000Z',
      to: '2026-03-15T11:00:00.000Z',
      timeZone: 'UTC',
      granularity: 'hour',
    });
  });

  it('today in a non-UTC zone starts at that zone’s midnight', () => {
    expect(resolve({ period: 'today', tz: 'Europe/Berlin' })).toMatchObject({
      from: '2026-03-14T23:00:00.000Z',
      to: '2026-03-15T11:00:00.000Z',
      timeZone: 'Europe/Berlin',
    });
    // New York is already on summer time (since 8 March 2026): UTC−4.
    expect(resolve({ period: 'today', tz: 'America/New_York' }).from).toBe('2026-03-15T04:00:00.000Z');
    // Before New York's midnight the local day is still the 14th.
    expect(
      resolve({ period: 'today', tz: 'America/New_York' }, null, new Date('2026-03-15T03:59:00Z')).from,
    ).toBe('2026-03-14T04:00:00.000Z');
  });

  it('7d and 30d are the last 168 / 720 hourly buckets, charted per day', () => {
    expect(resolve({ period: '7d' })).toMatchObject({
      from: '2026-03-08T11:00:00.000Z',
      to: '2026-03-15T11:00:00.000Z',
      granularity: 'day',
    });
    expect(resolve({ period: '30d' }).from).toBe('2026-02-13T11:00:00.000Z');
  });

  it('month and year start on the 1st / 1 January in the zone', () => {
    expect(resolve({ period: 'month' }).from).toBe('2026-03-01T00:00:00.000Z');
    expect(resolve({ period: 'month', tz: 'Asia/Tokyo' }).from).toBe('2026-02-28T15:00:00.000Z');
    expect(resolve({ period: 'year', tz: 'Europe/Berlin' }).from).toBe('2025-12-31T23:00:00.000Z');
    // 2 hours into a month: still hourly.
    expect(resolve({ period: 'month' }, null, new Date('2026-03-01T01:30:00Z')).granularity).toBe('hour');
  });

  it('all starts at the oldest rollup hour, or covers the current hour when there is none', () => {
    expect(resolve({ period: 'all' }, new Date('2025-06-01T07:00:00Z')).from).toBe(
      '2025-06-01T07:00:00.000Z',
    );
    expect(resolve({ period: 'all' }, null)).toMatchObject({
      from: '2026-03-15T10:00:00.000Z',
      to: '2026-03-15T11:00:00.000Z',
      granularity: 'hour',
    });
  });

  it('custom ranges are widened to whole hours', () => {
    expect(
      resolve({ period: 'custom', from: '2026-03-01T09:30:00+01:00', to: '2026-03-01T10:10:00Z' }),
    ).toMatchObject({
      from: '2026-03-01T08:00:00.000Z',
      to: '2026-03-01T11:00:00.000Z',
      granularity: 'hour',
    });
    expect(
      resolve({ period: 'custom', from: '2026-03-01T00:00:00Z', to: '2026-03-04T00:00:00Z' }).granularity,
    ).toBe('hour');
    expect(
      resolve({ period: 'custom', from: '2026-03-01T00:00:00Z', to: '2026-03-04T01:00:00Z' }).granularity,
    ).toBe('day');
  });

  it('floors local midnight to a whole UTC hour in :30 zones', () => {
    // India is UTC+5:30: local midnight is 18:30 UTC, the rollup hour containing it starts at 18:00.
    expect(resolve({ period: 'today', tz: 'Asia/Kolkata' }).from).toBe('2026-03-14T18:00:00.000Z');
  });

  it('refuses bad input with a 400 naming the field', () => {
    const fails = (query: Parameters<typeof resolveRange>[0], param: string) => {
      try {
        resolveRange(query, { now: NOW, defaultTimeZone: 'UTC' });
      } catch (error) {
        expect(error).toMatchObject({ status: 400, code: 'invalid_request', param });
        return;
      }
      throw new Error('expected a 400');
    };
    fails({ period: 'today', tz: 'Mars/Olympus' }, 'tz');
    fails({ period: 'today', tz: '+05:00' }, 'tz');
    fails({ period: 'custom', to: '2026-03-01T00:00:00Z' }, 'from');
    fails({ period: 'custom', from: '2026-03-01T00:00:00Z' }, 'to');
    fails({ period: 'custom', from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'to');
    fails({ period: 'custom', from: '2000-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'to');
  });

  it('keeps the range internal type on whole hours', () => {
    const range: Range = resolveRange({ period: '7d' }, { now: NOW, defaultTimeZone: 'UTC' });
    expect(range.from.getTime() % 3_600_000).toBe(0);
    expect(range.to.getTime() % 3_600_000).toBe(0);
  });
});

describe('time zones', () => {
  it('finds local midnights across a DST change', () => {
    // Berlin springs forward on 29 March 2026 (02:00 → 03:00): the 30th starts at 22:00 UTC.
    expect(zonedStartOf('day', new Date('2026-03-29T12:00:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2026-03-28T23:00:00.000Z',
    );
    expect(zonedStartOf('day', new Date('2026-03-30T12:00:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2026-03-29T22:00:00.000Z',
    );
  });

  it('billing periods are calendar months in the billing zone', () => {
    expect(billingPeriodOf(new Date('2026-03-31T23:30:00Z'), 'UTC')).toBe('2026-03-01');
    expect(billingPeriodOf(new Date('2026-03-31T23:30:00Z'), 'Europe/Berlin')).toBe('2026-04-01');
    expect(billingPeriodOf(new Date('2026-01-01T03:00:00Z'), 'America/New_York')).toBe('2025-12-01');
  });
});
