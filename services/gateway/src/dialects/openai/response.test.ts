import { describe, expect, it } from 'vitest';
import type { ChatResult } from '../../canonical/chat.types.js';
import { haveOpenAISpec, openAISchemaValidator, SPEC_MISSING } from '../../testing/openapi.js';
import { toChatCompletion, toOpenAIUsage, unixSeconds } from './response.js';

const result = (fields: Partial<ChatResult> = {}): ChatResult => ({
  model: 'llama3.2',
  content: 'Hi!',
  thinking: '',
  toolCalls: [],
  finishReason: 'stop',
  usage: { promptTokens: 19, completionTokens: 3 },
  timings: { loadDurationNs: 1, promptEvalDurationNs: 2, evalDurationNs: 3, totalDurationNs: 6 },
  createdAt: '2025-03-10T01:31:23.456789Z',
  ...fields,
});

describe('toChatCompletion', () => {
  it('renders a text answer with every field the spec requires', () => {
    expect(toChatCompletion('chatcmpl-1', 'my-alias', result())).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1741570283,
      model: 'my-alias',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hi!', refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 19, completion_tokens: 3, total_tokens: 22 },
      system_fingerprint: 'fp_ollama',
    });
  });

  it('content is null when the answer is only tool calls; arguments stay a JSON string', () => {
    const completion = toChatCompletion(
      'chatcmpl-2',
      'm',
      result({
        content: '',
        toolCalls: [
          { id: 'call_a', name: 'get_weather', arguments: '{"city":"Tokyo"}' },
          { id: 'call_b', name: 'get_time', arguments: '{}' },
        ],
        finishReason: 'tool_calls',
      }),
    );
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        annotations: [],
        tool_calls: [
          {
            id: 'call_a',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' },
          },
          { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
  });

  it('keeps text that came with tool calls', () => {
    const completion = toChatCompletion(
      'c',
      'm',
      result({ content: 'Checking.', toolCalls: [{ id: 'call_a', name: 'f', arguments: '{}' }] }),
    );
    expect(completion.choices[0]!.message.content).toBe('Checking.');
  });

  it('an empty text answer without tool calls stays "" (not null)', () => {
    expect(toChatCompletion('c', 'm', result({ content: '' })).choices[0]!.message.content).toBe('');
  });

  it('adds reasoning_content only when there was thinking', () => {
    expect(toChatCompletion('c', 'm', result()).choices[0]!.message).not.toHaveProperty('reasoning_content');
    expect(toChatCompletion('c', 'm', result({ thinking: 'Let me see…' })).choices[0]!.message).toMatchObject(
      {
        reasoning_content: 'Let me see…',
        content: 'Hi!',
      },
    );
  });

  it('passes length through as finish_reason', () => {
    expect(toChatCompletion('c', 'm', result({ finishReason: 'length' })).choices[0]!.finish_reason).toBe(
      'length',
    );
  });
});

describe('logprobs', () => {
  it('are null unless asked for; otherwise {content:[{token, logprob, bytes, top_logprobs}], refusal:null}', () => {
    expect(toChatCompletion('c', 'm', result()).choices[0]!.logprobs).toBeNull();
    const completion = toChatCompletion(
      'c',
      'm',
      result({
        content: 'Hé!',
        logprobs: [
          {
            token: 'Hé',
            logprob: -0.25,
            topLogprobs: [
              { token: 'Hé', logprob: -0.25 },
              { token: 'Yo', logprob: -1.5, bytes: [89, 111] },
            ],
          },
          { token: '!', logprob: -0.01, bytes: [33] },
        ],
      }),
    );
    expect(completion.choices[0]!.logprobs).toEqual({
      content: [
        {
          token: 'Hé',
          logprob: -0.25,
          bytes: [72, 195, 169],
          top_logprobs: [
            { token: 'Hé', logprob: -0.25, bytes: [72, 195, 169] },
            { token: 'Yo', logprob: -1.5, bytes: [89, 111] },
          ],
        },
        { token: '!', logprob: -0.01, bytes: [33], top_logprobs: [] },
      ],
      refusal: null,
    });
    expect(toChatCompletion('c', 'm', result({ logprobs: [] })).choices[0]!.logprobs).toEqual({
      content: [],
      refusal: null,
    });
  });
});

describe('unixSeconds and usage', () => {
  it('converts RFC 3339 timestamps with nanoseconds and offsets to unix seconds', () => {
    expect(unixSeconds('2025-07-07T20:22:19.184789Z')).toBe(1751919739);
    expect(unixSeconds('2025-07-07T22:22:19.999+02:00')).toBe(1751919739);
    expect(unixSeconds('2023-09-09T14:03:10Z')).toBe(1694268190);
  });

  it('falls back to now for a missing or unreadable timestamp', () => {
    const before = Math.floor(Date.now() / 1000);
    for (const value of [undefined, '', 'not a date']) {
      const seconds = unixSeconds(value);
      expect(seconds).toBeGreaterThanOrEqual(before);
      expect(seconds).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    }
  });

  it('total_tokens is the sum', () => {
    expect(toOpenAIUsage({ promptTokens: 0, completionTokens: 0 })).toEqual({
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
    });
  });
});

describe('toChatCompletion against the OpenAI OpenAPI spec', () => {
  it.skipIf(!haveOpenAISpec)(
    haveOpenAISpec ? 'matches CreateChatCompletionResponse' : SPEC_MISSING,
    async () => {
      const validate = await openAISchemaValidator('CreateChatCompletionResponse');

      const samples = [
        toChatCompletion('chatcmpl-1', 'm', result()),
        toChatCompletion('chatcmpl-2', 'm', result({ thinking: 'hmm', finishReason: 'length' })),
        toChatCompletion(
          'chatcmpl-3',
          'm',
          result({
            content: '',
            toolCalls: [{ id: 'call_a', name: 'get_weather', arguments: '{"city":"Tokyo"}' }],
            finishReason: 'tool_calls',
          }),
        ),
        toChatCompletion(
          'chatcmpl-4',
          'm',
          result({
            logprobs: [
              { token: 'Hi', logprob: -0.5, topLogprobs: [{ token: 'Hi', logprob: -0.5 }] },
              { token: '!', logprob: -0.01, bytes: [33] },
            ],
          }),
        ),
        toChatCompletion('chatcmpl-5', 'm', result({ logprobs: [] })),
      ];
      for (const sample of samples) {
        const valid = validate(sample);
        expect(validate.errors ?? [], JSON.stringify(sample)).toEqual([]);
        expect(valid).toBe(true);
      }
      // The validator is not vacuous: a missing required field fails.
      const broken = structuredClone(samples[0]!) as unknown as { choices: { logprobs?: unknown }[] };
      delete broken.choices[0]!.logprobs;
      expect(validate(broken)).toBe(false);
    },
  );
});
