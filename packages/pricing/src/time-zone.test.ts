import { describe, expect, it } from 'vitest';
import { wallClock } from './energy.js';
import { assertTimeZone, zonedMonthStart, zonedMonthWindow, zonedParts } from './time-zone.js';

describe('time-zone helpers (shared by the gateway and the billing worker)', () => {
  it('reads wall-clock fields in a zone', () => {
    expect(zonedParts(new Date('2025-03-31T22:30:15Z'), 'Europe/Berlin')).toEqual({
      year: 2025,
      month: 4,
      day: 1,
      hour: 0,
      minute: 30,
      second: 15,
    });
    expect(wallClock(new Date('2025-03-31T22:30:15Z'), 'Europe/Berlin')).toEqual({
      year: 2025,
      month: 4,
      day: 1,
      minutes: 30,
    });
  });

  it('finds zoned month starts across DST, and rejects unknown zones', () => {
    expect(zonedMonthStart(2025, 4, 'Europe/Berlin')).toEqual(new Date('2025-03-31T22:00:00Z'));
    expect(zonedMonthStart(2025, 11, 'America/New_York')).toEqual(new Date('2025-11-01T04:00:00Z'));
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(RangeError);
  });

  it('caches the month window per (zone, minute) and recomputes in the next minute', () => {
    const a = zonedMonthWindow(new Date('2025-01-31T23:59:01Z'), 'UTC');
    const b = zonedMonthWindow(new Date('2025-01-31T23:59:59Z'), 'UTC');
    expect(b).toBe(a);
    expect(a.period).toBe('2025-01-01');
    const next = zonedMonthWindow(new Date('2025-02-01T00:00:00Z'), 'UTC');
    expect(next).not.toBe(a);
    expect(next).toEqual({
      period: '2025-02-01',
      start: new Date('2025-02-01T00:00:00Z'),
      end: new Date('2025-03-01T00:00:00Z'),
    });
    // Another zone in the same minute has its own entry.
    expect(zonedMonthWindow(new Date('2025-01-31T23:59:30Z'), 'Europe/Berlin').period).toBe('2025-02-01');
    expect(zonedMonthWindow(new Date('2025-01-31T23:59:30Z'), 'UTC').period).toBe('2025-01-01');
  });
});
