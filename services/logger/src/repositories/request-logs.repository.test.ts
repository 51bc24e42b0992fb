import { describe, expect, it } from 'vitest';
import { toJsonb } from './request-logs.repository.js';

describe('toJsonb', () => {
  it('stores no body as NULL and a string body as a JSON string', () => {
    expect(toJsonb(undefined)).toBeNull();
    expect(toJsonb(null)).toBeNull();
    expect(toJsonb('hello "world"')).toBe('"hello \\"world\\""');
    expect(toJsonb({ a: [1, true] })).toBe('{"a":[1,true]}');
  });

  it('removes NUL characters, in values and keys, but keeps a literal backslash-u0000 text', () => {
    expect(toJsonb({ 'k\u0000ey': 'a\u0000b\u0000\u0000c' })).toBe('{"key":"abc"}');
    expect(toJsonb('path\\u0000')).toBe('"path\\\\u0000"');
    expect(toJsonb('\\\u0000')).toBe('"\\\\"');
  });

  it('replaces lone surrogates, which jsonb rejects, and keeps valid pairs', () => {
    expect(toJsonb('a\ud800b')).toBe('"a\\ufffdb"');
    expect(toJsonb('😀')).toBe('"😀"');
  });
});
