import { describe, expect, it } from 'vitest';
import { isoToWallTime, isValidTimeZone, timeZoneChoices, wallTimeToIso, zoneOffsetMs } from './time-zone.js';

describe('time zones', () => {
  it('validates zone names', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone(' ')).toBe(false);
  });

  it('computes the offset at an instant, DST included', () => {
    expect(zoneOffsetMs(Date.UTC(2026, 0, 15), 'Europe/Berlin')).toBe(3_600_000);
    expect(zoneOffsetMs(Date.UTC(2026, 6, 15), 'Europe/Berlin')).toBe(7_200_000);
    expect(zoneOffsetMs(Date.UTC(2026, 0, 15), 'America/New_York')).toBe(-5 * 3_600_000);
    expect(zoneOffsetMs(Date.UTC(2026, 0, 15), 'Asia/Kolkata')).toBe(5.5 * 3_600_000);
  });

  it('reads a wall time in the zone', () => {
    expect(wallTimeToIso('2026-03-05T14:00', 'Europe/Berlin')).toBe('2026-03-05T13:00:00.000Z');
    expect(wallTimeToIso('2026-07-05T14:00', 'Europe/Berlin')).toBe('2026-07-05T12:00:00.000Z');
    expect(wallTimeToIso('2026-07-05T14:00:30', 'America/Los_Angeles')).toBe('2026-07-05T21:00:30.000Z');
    expect(wallTimeToIso('2026-01-01T00:00', 'UTC')).toBe('2026-01-01T00:00:00.000Z');
  });

  it('handles the DST gap and overlap', () => {
    // 02:30 does not exist in Berlin on 29 March 2026: the instant after the gap.
    expect(wallTimeToIso('2026-03-29T02:30', 'Europe/Berlin')).toBe('2026-03-29T01:30:00.000Z');
    // 02:30 happens twice on 25 October 2026; either reading is a valid instant of that wall time.
    const ambiguous = wallTimeToIso('2026-10-25T02:30', 'Europe/Berlin');
    expect(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']).toContain(ambiguous);
  });

  it('rejects text that is not a wall time', () => {
    expect(wallTimeToIso('', 'UTC')).toBeNull();
    expect(wallTimeToIso('yesterday', 'UTC')).toBeNull();
    expect(wallTimeToIso('2026-13-01T00:00', 'UTC')).toBeNull();
  });

  it('round-trips to the input value', () => {
    expect(isoToWallTime('2026-03-05T13:00:00.000Z', 'Europe/Berlin')).toBe('2026-03-05T14:00');
    expect(isoToWallTime('not a date', 'UTC')).toBe('');
  });

  it('lists the server and browser zones first, without duplicates or invalid names', () => {
    const zones = timeZoneChoices('Europe/Berlin', 'Asia/Tokyo');
    expect(zones.slice(0, 3)).toEqual(['Europe/Berlin', 'Asia/Tokyo', 'UTC']);
    expect(zones.filter((z) => z === 'Asia/Tokyo')).toHaveLength(1);
    expect(timeZoneChoices('Bad/Zone', undefined)[0]).toBe('UTC');
  });
});
