import { describe, expect, it } from 'vitest';
import {
  formatModelList,
  inputText,
  parseAmount,
  parseLimit,
  parseModelList,
  parseNumberInRange,
  parseQuota,
} from './form-values.js';

describe('form values', () => {
  it('parses limits', () => {
    expect(parseLimit('', 'RPM')).toEqual({ ok: true, value: null });
    expect(parseLimit(' 60 ', 'RPM')).toEqual({ ok: true, value: 60 });
    expect(parseLimit('0', 'RPM')).toEqual({ ok: false, error: 'RPM must be between 1 and 2147483647' });
    expect(parseLimit('1.5', 'RPM')).toEqual({ ok: false, error: 'RPM must be a whole number' });
    expect(parseLimit('-3', 'RPM').ok).toBe(false);
  });

  it('parses quotas (zero allowed, empty = unlimited)', () => {
    expect(parseQuota('0', 'Requests')).toEqual({ ok: true, value: 0 });
    expect(parseQuota('', 'Requests')).toEqual({ ok: true, value: null });
    expect(parseQuota('99999999999999999999', 'Requests').ok).toBe(false);
  });

  it('parses amounts', () => {
    expect(parseAmount('12.5', 'Budget')).toEqual({ ok: true, value: 12.5 });
    expect(parseAmount('0,25', 'Price')).toEqual({ ok: true, value: 0.25 });
    expect(parseAmount('', 'Budget', true)).toEqual({ ok: true, value: null });
    expect(parseAmount('', 'Price')).toEqual({ ok: false, error: 'Price is required' });
    expect(parseAmount('-1', 'Price')).toEqual({ ok: false, error: 'Price must be a number ≥ 0' });
    expect(parseAmount('1e3', 'Price').ok).toBe(false);
  });

  it('parses a bounded number', () => {
    expect(parseNumberInRange('-20', 'Markup', -100, 99_999)).toEqual({ ok: true, value: -20 });
    expect(parseNumberInRange('-200', 'Markup', -100, 99_999)).toEqual({
      ok: false,
      error: 'Markup must be between -100 and 99999',
    });
    expect(parseNumberInRange('x', 'Markup', 0, 1).ok).toBe(false);
  });

  it('parses and prints model lists', () => {
    expect(parseModelList(' llama3*, qwen2.5:7b,, llama3* ')).toEqual({
      ok: true,
      value: ['llama3*', 'qwen2.5:7b'],
    });
    expect(parseModelList(' , ')).toEqual({ ok: true, value: null });
    expect(formatModelList(['a', 'b'])).toBe('a, b');
    expect(formatModelList(null)).toBe('');
    expect(inputText(null)).toBe('');
    expect(inputText(5)).toBe('5');
  });
});
