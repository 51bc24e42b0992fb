import { describe, expect, it } from 'vitest';
import { applyStop, buildPlan } from './generation.plan.js';
import {
  conversationKey,
  replyText,
  replyTokens,
  splitTokens,
  VOCABULARY,
  valueForSchema,
} from './text.generator.js';
import { embedTokenCount, promptTokenCount, wordCount } from './tokens.counter.js';

const key = conversationKey([{ role: 'user', content: 'hello' }]);

describe('reply text', () => {
  it('is deterministic, one vocabulary word per token', () => {
    const tokens = replyTokens(key, 12);
    expect(tokens).toEqual(replyTokens(key, 12));
    expect(tokens).toHaveLength(12);
    expect(tokens[0]).toMatch(/^[A-Z][a-z]+$/);
    for (const t of tokens.slice(1, -1)) expect(VOCABULARY).toContain(t.slice(1));
    expect(tokens.at(-1)).toMatch(/^ [a-z]+\.$/);
    expect(replyText(key, 12)).toBe(tokens.join(''));
    expect(replyText(conversationKey([{ role: 'user', content: 'other' }]))).not.toBe(replyText(key));
  });

  it('splits JSON into token-like pieces that join back', () => {
    const json = JSON.stringify({ a: 'hello world', b: 3 });
    expect(splitTokens(json).join('')).toBe(json);
    expect(splitTokens(json).length).toBeGreaterThan(4);
  });

  it('builds values from a schema', () => {
    expect(valueForSchema({ type: 'string', enum: ['x', 'y'] }, 's')).toBe('x');
    expect(typeof valueForSchema({ type: 'boolean' }, 's')).toBe('boolean');
    expect(valueForSchema({ type: 'array', items: { type: 'integer' } }, 's')).toEqual([expect.any(Number)]);
    expect(valueForSchema({ type: 'object', properties: { n: { type: 'number' } } }, 's')).toEqual({
      n: expect.any(Number),
    });
  });
});

describe('token counts', () => {
  it('counts whitespace-separated words plus 4 per message', () => {
    expect(wordCount('  a  b\tc\nd ')).toBe(4);
    expect(promptTokenCount([{ content: 'one two' }, { content: '' }])).toBe(2 + 4 + 0 + 4);
    expect(embedTokenCount('one two three')).toBe(5);
  });
});

describe('generation plan', () => {
  it('cuts at the earliest stop string', () => {
    expect(applyStop(['Hello', ' big', ' world.'], ['wor', 'big'])).toEqual({
      tokens: ['Hello', ' '],
      stopped: true,
    });
    expect(applyStop(['Hello'], ['zzz'])).toEqual({ tokens: ['Hello'], stopped: false });
  });

  it('counts thinking tokens against num_predict', () => {
    const plan = buildPlan({
      key,
      promptEvalCount: 5,
      replyTokens: 12,
      thinkingTokens: 8,
      thinking: true,
      toolCalls: [],
      format: null,
      numPredict: 10,
      stop: [],
    });
    expect(plan.steps.filter((s) => s.kind === 'thinking')).toHaveLength(8);
    expect(plan.steps).toHaveLength(10);
    expect(plan.doneReason).toBe('length');
  });
});
