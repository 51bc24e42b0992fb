import { describe, expect, it } from 'vitest';
import { buildPlan } from './generation.plan.js';
import { tokenLogprobs, withLogprobs } from './logprobs.generator.js';
import { chatRenderer } from './response.renderer.js';
import { conversationKey, replyTokens } from './text.generator.js';

const key = conversationKey([{ role: 'user', content: 'hi' }]);

describe('tokenLogprobs', () => {
  it('is deterministic, in (-2, 0], with UTF-8 bytes, and top alternatives led by the token, descending', () => {
    const tokens = [...replyTokens(key, 6), ' café'];
    const a = tokenLogprobs(key, tokens, 5);
    expect(tokenLogprobs(key, tokens, 5)).toEqual(a);
    expect(a.map((entry) => entry.token)).toEqual(tokens);
    for (const entry of a) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.logprob).toBeGreaterThan(-2);
      expect(entry.bytes).toEqual([...Buffer.from(entry.token, 'utf8')]);
      expect(entry.top_logprobs).toHaveLength(5);
      expect(entry.top_logprobs![0]).toEqual({
        token: entry.token,
        logprob: entry.logprob,
        bytes: entry.bytes,
      });
      const values = entry.top_logprobs!.map((top) => top.logprob);
      expect([...values].sort((x, y) => y - x)).toEqual(values);
      expect(new Set(entry.top_logprobs!.map((top) => top.token)).size).toBe(5);
    }
    expect(a.at(-1)!.bytes).toEqual([32, 99, 97, 102, 195, 169]);
  });

  it('omits top_logprobs when none are asked for (omitempty)', () => {
    for (const entry of tokenLogprobs(key, ['a', 'b'], 0)) expect('top_logprobs' in entry).toBe(false);
  });
});

describe('chat chunks with logprobs (api.ChatResponse field order)', () => {
  const plan = withLogprobs(
    buildPlan({
      key,
      promptEvalCount: 5,
      replyTokens: 2,
      thinkingTokens: 2,
      thinking: true,
      toolCalls: [],
      format: null,
      numPredict: -1,
      stop: [],
    }),
    key,
    1,
  );

  it('puts logprobs after done on content chunks only; thinking chunks have none', () => {
    const renderer = chatRenderer('m');
    const lines = plan.steps.map((step) => JSON.parse(renderer.chunk(step, 'T')) as Record<string, unknown>);
    expect(lines.map((line) => Object.keys(line))).toEqual([
      ['model', 'created_at', 'message', 'done'],
      ['model', 'created_at', 'message', 'done'],
      ['model', 'created_at', 'message', 'done', 'logprobs'],
      ['model', 'created_at', 'message', 'done', 'logprobs'],
    ]);
    expect(lines[2]!.logprobs).toEqual(tokenLogprobs(key, replyTokens(key, 2), 1).slice(0, 1));
  });

  it('the whole answer carries every content token logprob before the metrics', () => {
    const whole = JSON.parse(
      chatRenderer('m').whole(plan.steps, 'T', 'stop', {
        totalDuration: 3n,
        loadDuration: 0n,
        promptEvalCount: 5,
        promptEvalDuration: 1n,
        evalCount: 4,
        evalDuration: 1n,
      }),
    ) as Record<string, unknown>;
    expect(Object.keys(whole).slice(0, 6)).toEqual([
      'model',
      'created_at',
      'message',
      'done',
      'done_reason',
      'logprobs',
    ]);
    expect(whole.logprobs).toEqual(tokenLogprobs(key, replyTokens(key, 2), 1));
  });
});
