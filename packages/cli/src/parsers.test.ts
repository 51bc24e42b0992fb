import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  parseAmount,
  parseEmail,
  parseFutureTime,
  parseModelList,
  parsePositiveInt,
  parseTime,
  parseUuid,
} from './parsers.js';

const rejects = (fn: () => unknown) => expect(fn).toThrow(InvalidArgumentError);

describe('argument parsers', () => {
  it('accepts UUIDs (normalised to lower case) and rejects anything else', () => {
    expect(parseUuid('3F1C2A9E-0000-4000-8000-00000000000A')).toBe('3f1c2a9e-0000-4000-8000-00000000000a');
    rejects(() => parseUuid('3f1c2a9e'));
    rejects(() => parseUuid(`sk-og-${'a'.repeat(40)}`));
  });

  it('accepts positive whole numbers that fit a Postgres integer', () => {
    expect(parsePositiveInt('60')).toBe(60);
    for (const bad of ['0', '-1', '1.5', '1e3', 'ten', '', '2147483648'])
      rejects(() => parsePositiveInt(bad));
  });

  it('accepts amounts of 0 or more', () => {
    expect(parseAmount('0')).toBe(0);
    expect(parseAmount('0.15')).toBe(0.15);
    for (const bad of ['-0.01', 'free', '', 'Infinity']) rejects(() => parseAmount(bad));
  });

  it('accepts ISO dates and times; --expires must be in the future', () => {
    expect(parseTime('2025-07-01').toISOString()).toBe('2025-07-01T00:00:00.000Z');
    expect(parseTime('2025-07-01T12:30:00+02:00').toISOString()).toBe('2025-07-01T10:30:00.000Z');
    for (const bad of ['tomorrow', '07/01/2025', '2025-13-45']) rejects(() => parseTime(bad));
    rejects(() => parseFutureTime('2001-01-01'));
    expect(parseFutureTime('2999-01-01').getUTCFullYear()).toBe(2999);
  });

  it('splits a model list, trims, drops empties and duplicates, and rejects spaces inside a name', () => {
    expect(parseModelList(' llama3*, qwen2.5:7b ,,llama3*')).toEqual(['llama3*', 'qwen2.5:7b']);
    expect(parseModelList('hf.co/org/model:Q4_K_M')).toEqual(['hf.co/org/model:Q4_K_M']);
    rejects(() => parseModelList(' , '));
    rejects(() => parseModelList('llama 3'));
  });

  it('accepts plausible emails only', () => {
    expect(parseEmail(' ops@acme.example ')).toBe('ops@acme.example');
    for (const bad of ['ops', 'ops@', 'ops@acme', 'a b@acme.example']) rejects(() => parseEmail(bad));
  });
});
