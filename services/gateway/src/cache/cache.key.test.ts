import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../canonical/chat.types.js';
import type { AuthKey } from '../services/key-auth.service.js';
import { cacheEntryId, cacheScopeOf, normalisedRequest } from './cache.key.js';

const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'llama3.2',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Why is the sky blue?' },
  ],
  stream: false,
  options: { temperature: 0, num_predict: 64 },
  ...overrides,
});

const key = (id: string, customerId: string) => ({ id, customerId }) as AuthKey;

describe('cache key normalisation', () => {
  it('gives a streamed and a plain request the same key', () => {
    expect(cacheEntryId(request({ stream: true }), 'c:1')).toBe(
      cacheEntryId(request({ stream: false }), 'c:1'),
    );
  });

  it('ignores keep_alive, option order and undefined options', () => {
    const a = request({ options: { temperature: 0, num_predict: 64 } });
    const b = request({ options: { num_predict: 64, temperature: 0, seed: undefined }, keepAlive: '10m' });
    expect(cacheEntryId(a, 'c:1')).toBe(cacheEntryId(b, 'c:1'));
  });

  it('changes with anything that changes the answer', () => {
    const base = cacheEntryId(request(), 'c:1');
    const variants: Partial<ChatRequest>[] = [
      { model: 'llama3.1:8b' },
      { messages: [{ role: 'user', content: 'Why is the sky blue?' }] },
      { options: { temperature: 0, num_predict: 65 } },
      { options: { temperature: 0, num_predict: 64, seed: 7 } },
      { format: 'json' },
      { think: true },
      { tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] },
      { logprobs: true },
    ];
    for (const variant of variants)
      expect(cacheEntryId(request(variant), 'c:1'), JSON.stringify(variant)).not.toBe(base);
  });

  it('uses the resolved model when one is given: an alias and its target share an entry', () => {
    expect(cacheEntryId(request({ model: 'fast' }), 'c:1', 'llama3.2')).toBe(cacheEntryId(request(), 'c:1'));
  });

  it('keeps tool calls, tool results and images of earlier turns', () => {
    const turn = request({
      messages: [
        { role: 'user', content: 'weather?', images: ['AAAA'] },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_1', name: 'w', arguments: '{"c":"Paris"}' }],
        },
        { role: 'tool', content: 'sunny', toolCallId: 'call_1', toolName: 'w' },
      ],
    });
    const normalised = normalisedRequest(turn, turn.model);
    expect(normalised.messages).toEqual([
      { role: 'user', content: 'weather?', images: ['AAAA'] },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_1', name: 'w', arguments: '{"c":"Paris"}' }],
      },
      { role: 'tool', content: 'sunny', toolCallId: 'call_1', toolName: 'w' },
    ]);
    expect(normalised).not.toHaveProperty('stream');
    expect(normalised).not.toHaveProperty('keepAlive');
  });

  it('is versioned and carries the scope in clear', () => {
    expect(cacheEntryId(request(), 'c:cust-1')).toMatch(/^v1:c:cust-1:[0-9a-f]{64}$/);
  });
});

describe('cache scope', () => {
  it('separates customers, and keys when configured per key', () => {
    const a1 = key('key-a1', 'cust-a');
    const a2 = key('key-a2', 'cust-a');
    const b1 = key('key-b1', 'cust-b');
    expect(cacheScopeOf(a1, 'customer')).toBe(cacheScopeOf(a2, 'customer'));
    expect(cacheScopeOf(a1, 'customer')).not.toBe(cacheScopeOf(b1, 'customer'));
    expect(cacheScopeOf(a1, 'key')).not.toBe(cacheScopeOf(a2, 'key'));
    const id = (scope: string | null) => cacheEntryId(request(), scope ?? '');
    expect(id(cacheScopeOf(a1, 'customer'))).not.toBe(id(cacheScopeOf(b1, 'customer')));
  });

  it('has no scope without a key (such a request is never cached)', () => {
    expect(cacheScopeOf(null, 'customer')).toBeNull();
  });
});
