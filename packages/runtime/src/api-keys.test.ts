import { describe, expect, it } from 'vitest';
import {
  API_KEY_PREFIX,
  generateApiKey,
  hashApiKey,
  looksLikeApiKey,
  redactApiKeys,
  safeEqual,
  VISIBLE_PREFIX_LENGTH,
} from './api-keys.js';

describe('api keys', () => {
  it('generates distinct, well-formed keys whose prefix is their visible start', () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    expect(new Set(keys.map((k) => k.key)).size).toBe(200);
    for (const { key, prefix } of keys) {
      expect(key).toMatch(/^sk-og-[0-9A-Za-z]{40}$/);
      expect(looksLikeApiKey(key)).toBe(true);
      expect(prefix).toBe(key.slice(0, VISIBLE_PREFIX_LENGTH));
      expect(prefix.startsWith(API_KEY_PREFIX)).toBe(true);
    }
  });

  it('hashes with the server secret: same key and secret give the same hash, another secret another', () => {
    const { key } = generateApiKey();
    expect(hashApiKey(key, 's1')).toBe(hashApiKey(key, 's1'));
    expect(hashApiKey(key, 's1')).not.toBe(hashApiKey(key, 's2'));
    expect(hashApiKey(key, 's1')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects strings that are not keys', () => {
    expect(looksLikeApiKey('sk-proj-abc')).toBe(false);
    expect(looksLikeApiKey(`${API_KEY_PREFIX}${'a'.repeat(39)}`)).toBe(false);
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });

  it('redacts every key in a text to its visible prefix, and nothing that only looks similar', () => {
    const { key, prefix } = generateApiKey();
    const other = generateApiKey().key;
    const text = `my key is ${key}, and "${other}" too`;
    const redacted = redactApiKeys(text);
    expect(redacted).toBe(
      `my key is ${prefix}…[redacted], and "${other.slice(0, VISIBLE_PREFIX_LENGTH)}…[redacted]" too`,
    );
    expect(redacted).not.toContain(key.slice(VISIBLE_PREFIX_LENGTH));
    const notKeys = ['sk-og-short', `${API_KEY_PREFIX}${'a'.repeat(41)}`, 'no key here'];
    for (const text of notKeys) expect(redactApiKeys(text)).toBe(text);
  });
});
