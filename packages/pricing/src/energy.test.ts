import { describe, expect, it } from 'vitest';
import { billingPeriod, electricityPriceAt, gpuWattsFor, resolveEnergy } from './energy.js';

const policy = {
  gpuWatts: '350',
  electricityPricePerKwh: '0.15',
  gpuWattsByHost: { 'http://gpu1:11434': 450, 'http://gpu2:11434/': '200' },
  timeOfUse: [
    { from: '22:00', to: '06:00', pricePerKwh: '0.08' },
    { from: '17:00', to: '20:00', pricePerKwh: '0.30' },
  ],
  timeZone: 'Europe/Berlin',
};

describe('per-host GPU watts', () => {
  it('uses the host entry, else GPU_WATTS', () => {
    expect(gpuWattsFor(policy, 'http://gpu1:11434')).toBe(450);
    expect(gpuWattsFor(policy, 'http://GPU2:11434')).toBe('200');
    expect(gpuWattsFor(policy, 'http://gpu3:11434')).toBe('350');
    expect(gpuWattsFor(policy, null)).toBe('350');
  });
});

describe('time-of-use electricity price', () => {
  it('applies the window containing the local start time, wrapping midnight', () => {
    // Berlin is UTC+1 in winter: 21:30Z = 22:30 local (night), 05:59Z = 06:59 local (day)
    expect(electricityPriceAt(policy, new Date('2026-01-15T21:30:00Z'))).toBe('0.08');
    expect(electricityPriceAt(policy, new Date('2026-01-15T04:59:00Z'))).toBe('0.08');
    expect(electricityPriceAt(policy, new Date('2026-01-15T05:00:00Z'))).toBe('0.15');
    expect(electricityPriceAt(policy, new Date('2026-01-15T16:00:00Z'))).toBe('0.30');
    expect(electricityPriceAt(policy, new Date('2026-01-15T19:00:00Z'))).toBe('0.15');
    // summer time (UTC+2): 20:00Z = 22:00 local
    expect(electricityPriceAt(policy, new Date('2026-07-01T20:00:00Z'))).toBe('0.08');
  });

  it('is the flat price without windows', () => {
    expect(electricityPriceAt({ gpuWatts: 1, electricityPricePerKwh: '0.2' }, new Date())).toBe('0.2');
    expect(resolveEnergy(policy, 'http://gpu1:11434', new Date('2026-01-15T23:00:00Z'))).toEqual({
      gpuWatts: 450,
      electricityPricePerKwh: '0.08',
    });
  });
});

describe('billingPeriod', () => {
  it('is the first day of the month in the billing time zone', () => {
    expect(billingPeriod(new Date('2026-03-31T23:30:00Z'))).toBe('2026-03-01');
    expect(billingPeriod(new Date('2026-03-31T23:30:00Z'), 'Europe/Berlin')).toBe('2026-04-01');
    expect(billingPeriod(new Date('2026-01-01T03:00:00Z'), 'America/New_York')).toBe('2025-12-01');
  });
});
