import { generateApiKey } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import { fitJsonString, limitBody } from './body-limit.js';

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('limitBody', () => {
  it('keeps a body within the limit unchanged, and no body as null', () => {
    const body = { model: 'llama3', messages: [{ role: 'user', content: 'hi' }] };
    expect(limitBody(body, 1024)).toBe(body);
    expect(limitBody('plain text', 1024)).toBe('plain text');
    expect(limitBody(undefined, 1024)).toBeNull();
    expect(limitBody(null, 1024)).toBeNull();
  });

  it('replaces a larger body with its size and a preview of its start', () => {
    const body = { messages: [{ role: 'user', content: 'x'.repeat(5000) }] };
    const stored = limitBody(body, 1000) as { truncated: boolean; bytes: number; preview: string };
    expect(stored.truncated).toBe(true);
    expect(stored.bytes).toBe(jsonBytes(body));
    expect(stored.preview.startsWith('{"messages":[{"role":"user","content":"xxx')).toBe(true);
    expect(jsonBytes(stored.preview)).toBeLessThanOrEqual(1000);
    expect(jsonBytes(stored.preview)).toBeGreaterThan(900);
  });

  it('previews a string body as its text and counts multi-byte characters as bytes', () => {
    const body = 'é'.repeat(600); // 1200 bytes of UTF-8, 1202 with the quotes
    const stored = limitBody(body, 1000) as { bytes: number; preview: string };
    expect(stored.bytes).toBe(1202);
    expect(stored.preview).toBe('é'.repeat(499));
  });
});

describe('fitJsonString', () => {
  it('never splits a surrogate pair and accounts for escapes', () => {
    const emoji = '😀'.repeat(100);
    const fitted = fitJsonString(emoji, 50);
    expect(fitted).toBe('😀'.repeat(12)); // 48 bytes + 2 quotes
    const quotes = '"'.repeat(100);
    expect(jsonBytes(fitJsonString(quotes, 50))).toBeLessThanOrEqual(50);
    expect(fitJsonString('\u0001'.repeat(100), 50)).toHaveLength(8); // 6 bytes each as \u0001
  });
});

describe('limitBody redaction', () => {
  it('cuts gateway keys in a body to their visible prefix, small or truncated, and leaves other bodies as they are', () => {
    const { key, prefix } = generateApiKey();
    const body = { messages: [{ role: 'user', content: `why does ${key} not work?` }] };
    const kept = limitBody(body, 10_000) as typeof body;
    expect(JSON.stringify(kept)).not.toContain(key);
    expect(kept.messages[0]!.content).toBe(`why does ${prefix}…[redacted] not work?`);
    const truncated = limitBody({ ...body, padding: 'x'.repeat(500) }, 120) as { preview: string };
    expect(truncated.preview).toContain(prefix);
    expect(truncated.preview).not.toContain(key);
    const clean = { a: 1 };
    expect(limitBody(clean, 100)).toBe(clean);
  });
});
