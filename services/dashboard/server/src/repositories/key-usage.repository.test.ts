import { describe, expect, it } from 'vitest';
import { splitAtUtcDays } from './key-usage.repository.js';

const split = (from: string, to: string) => {
  const parts = splitAtUtcDays({ from: new Date(from), to: new Date(to) });
  return {
    days: parts.days,
    hours: parts.hours.map((h) => [h.from.toISOString(), h.to.toISOString()]),
  };
};

describe('splitAtUtcDays', () => {
  it('reads the whole UTC days from key_daily and the partial days at both edges from usage_hourly', () => {
    expect(split('2026-01-10T05:00:00Z', '2026-01-13T19:00:00Z')).toEqual({
      days: { from: '2026-01-11', to: '2026-01-13' },
      hours: [
        ['2026-01-10T05:00:00.000Z', '2026-01-11T00:00:00.000Z'],
        ['2026-01-13T00:00:00.000Z', '2026-01-13T19:00:00.000Z'],
      ],
    });
  });

  it('has no hour part at an edge on a UTC midnight', () => {
    expect(split('2026-01-11T00:00:00Z', '2026-01-13T00:00:00Z')).toEqual({
      days: { from: '2026-01-11', to: '2026-01-13' },
      hours: [],
    });
    expect(split('2026-01-11T00:00:00Z', '2026-01-12T05:00:00Z')).toEqual({
      days: { from: '2026-01-11', to: '2026-01-12' },
      hours: [['2026-01-12T00:00:00.000Z', '2026-01-12T05:00:00.000Z']],
    });
  });

  it('reads a range without a whole UTC day from usage_hourly only', () => {
    expect(split('2026-01-10T05:00:00Z', '2026-01-10T19:00:00Z')).toEqual({
      days: null,
      hours: [['2026-01-10T05:00:00.000Z', '2026-01-10T19:00:00.000Z']],
    });
    // across one midnight, but no whole day
    expect(split('2026-01-10T05:00:00Z', '2026-01-11T19:00:00Z')).toEqual({
      days: null,
      hours: [['2026-01-10T05:00:00.000Z', '2026-01-11T19:00:00.000Z']],
    });
    expect(split('2026-01-10T05:00:00Z', '2026-01-11T00:00:00Z')).toEqual({
      days: null,
      hours: [['2026-01-10T05:00:00.000Z', '2026-01-11T00:00:00.000Z']],
    });
  });
});
