import { describe, expect, it } from 'vitest';
import {
  formatBucket,
  formatDateTime,
  formatDuration,
  formatEnergy,
  formatInt,
  formatMoney,
  formatPercent,
  formatRate,
  toNumber,
} from './format.js';

describe('toNumber', () => {
  it('parses decimal strings and rejects junk', () => {
    expect(toNumber('12.50')).toBe(12.5);
    expect(toNumber('-0.000123')).toBe(-0.000123);
    expect(toNumber('1e-7')).toBe(1e-7);
    expect(toNumber('abc')).toBeNaN();
    expect(toNumber('')).toBeNaN();
    expect(toNumber(null)).toBeNaN();
  });
});

describe('formatMoney', () => {
  it('uses the currency digits for amounts of at least one unit', () => {
    expect(formatMoney('12.3456', 'USD', 'en-US')).toBe('$12.35');
    expect(formatMoney('1234567.891', 'USD', 'en-US')).toBe('$1,234,567.89');
    expect(formatMoney('0', 'USD', 'en-US')).toBe('$0.00');
  });

  it('keeps sub-cent amounts visible with four significant digits', () => {
    expect(formatMoney('0.000123', 'USD', 'en-US')).toBe('$0.000123');
    expect(formatMoney('0.0153', 'USD', 'en-US')).toBe('$0.0153');
    expect(formatMoney('0.00001234567', 'USD', 'en-US')).toBe('$0.00001235');
    expect(formatMoney('0.5', 'USD', 'en-US')).toBe('$0.50');
    expect(formatMoney('0.1234567', 'USD', 'en-US')).toBe('$0.1235');
    expect(formatMoney('-0.0042', 'USD', 'en-US')).toBe('-$0.0042');
  });

  it('never prints more than ten fraction digits', () => {
    expect(formatMoney('0.0000000000001', 'USD', 'en-US')).toBe('$0.00');
  });

  it('respects the currency', () => {
    expect(formatMoney('1234.5', 'EUR', 'de-DE')).toBe('1.234,50\u00a0€');
    expect(formatMoney('1234.5', 'JPY', 'en-US')).toBe('¥1,235');
  });

  it('does not lose precision on large decimal strings', () => {
    expect(formatMoney('9007199254740993.01', 'USD', 'en-US')).toBe('$9,007,199,254,740,993.01');
  });

  it('shows a dash for missing or invalid values', () => {
    expect(formatMoney(null, 'USD')).toBe('—');
    expect(formatMoney('n/a', 'USD')).toBe('—');
  });

  it('falls back to a plain number for an unknown currency code', () => {
    expect(formatMoney('1.5', 'not-a-currency', 'en-US')).toBe('1.5');
  });
});

describe('formatDuration', () => {
  it('picks a readable unit', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(2.345)).toBe('2.3 ms');
    expect(formatDuration(87.4)).toBe('87 ms');
    expect(formatDuration(1240)).toBe('1.24 s');
    expect(formatDuration(15_300)).toBe('15.3 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
  });
});

describe('formatEnergy', () => {
  it('switches between Wh, kWh and MWh', () => {
    expect(formatEnergy('0.0421', 'en-US')).toBe('0.0421 Wh');
    expect(formatEnergy('12.5', 'en-US')).toBe('12.5 Wh');
    expect(formatEnergy('3210', 'en-US')).toBe('3.21 kWh');
    expect(formatEnergy('1500000', 'en-US')).toBe('1.5 MWh');
    expect(formatEnergy('0', 'en-US')).toBe('0 Wh');
    expect(formatEnergy(null)).toBe('—');
  });
});

describe('counts, ratios and rates', () => {
  it('formats them', () => {
    expect(formatInt(1234567, 'en-US')).toBe('1,234,567');
    expect(formatPercent(0.0123, 'en-US')).toBe('1.23%');
    expect(formatPercent(0.5, 'en-US')).toBe('50%');
    expect(formatPercent(0, 'en-US')).toBe('0%');
    expect(formatRate(42.26, 'en-US')).toBe('42.3 tok/s');
    expect(formatRate(null)).toBe('—');
  });
});

describe('dates in a time zone', () => {
  it('formats an instant in the given zone', () => {
    expect(formatDateTime('2026-03-05T13:03:07Z', 'Europe/Berlin')).toBe('5 Mar 2026, 14:03:07');
    expect(formatDateTime(null, 'UTC')).toBe('—');
    expect(formatBucket('2026-03-05T13:00:00Z', 'Asia/Tokyo', 'hour')).toBe('5 Mar, 22:00');
    expect(formatBucket('2026-03-05T23:00:00Z', 'Asia/Tokyo', 'day')).toBe('6 Mar');
  });
});
