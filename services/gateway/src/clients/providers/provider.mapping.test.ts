import { describe, expect, it } from 'vitest';
import { toAnthropicBody } from './anthropic/anthropic.request.js';
import {
  anthropicFinish,
  describeAnthropicError,
  fromAnthropicMessage,
} from './anthropic/anthropic.response.js';
import { toOpenAIChatBody } from './openai/openai.request.js';
import { describeOpenAIError, fromOpenAICompletion, openAIFinish } from './openai/openai.response.js';
import { argumentsText, imageMediaType, NO_TIMINGS } from './provider.mapping.js';

describe('provider answers → canonical results', () => {
  it('OpenAI: content, reasoning (either name), tool calls, usage, created', () => {
    const result = fromOpenAICompletion('p', {
      created: 1763911200,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [
        {
          message: {
            role: 'assistant',
            content: null,
            reasoning: 'hmm',
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 7 },
    });
    expect(result).toEqual({
      model: 'gpt-4o-mini-2024-07-18',
      content: '',
      thinking: 'hmm',
      toolCalls: [{ id: 'call_1', name: 'f', arguments: '{"a":1}' }],
      finishReason: 'tool_calls',
      usage: { promptTokens: 5, completionTokens: 7 },
      timings: NO_TIMINGS,
      createdAt: '2025-11-23T15:20:00.000Z',
    });
    expect(() => fromOpenAICompletion('p', { choices: [] })).toThrow(/without a choice/);
  });

  it('Anthropic: thinking, text and tool_use blocks in order, stop reasons', () => {
    const result = fromAnthropicMessage({
      content: [
        { type: 'thinking', thinking: 'think' },
        { type: 'text', text: 'Hello' },
        { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 9, output_tokens: 4 },
    });
    expect(result).toMatchObject({
      content: 'Hello',
      thinking: 'think',
      toolCalls: [{ id: 'toolu_1', name: 'f', arguments: '{"a":1}' }],
      finishReason: 'tool_calls',
      usage: { promptTokens: 9, completionTokens: 4 },
    });
  });

  it('maps finish reasons to the canonical three', () => {
    expect(
      ['stop', 'length', 'tool_calls', 'content_filter', null].map((r) => openAIFinish(r, false)),
    ).toEqual(['stop', 'length', 'tool_calls', 'stop', 'stop']);
    expect(openAIFinish('stop', true)).toBe('tool_calls');
    expect(
      ['end_turn', 'stop_sequence', 'max_tokens', 'model_context_window_exceeded', 'refusal', 'tool_use'].map(
        (r) => anthropicFinish(r, false),
      ),
    ).toEqual(['stop', 'stop', 'length', 'length', 'stop', 'tool_calls']);
  });

  it('reads both providers error bodies', () => {
    expect(describeOpenAIError({ error: { message: 'm', type: 't', code: 'c' } })).toEqual({
      message: 'm',
      code: 'c',
    });
    expect(describeOpenAIError({ error: { message: 'm', type: 'server_error', code: null } })).toEqual({
      message: 'm',
      code: 'server_error',
    });
    expect(
      describeAnthropicError({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
    ).toEqual({ message: 'Overloaded', code: 'overloaded_error' });
    expect(describeOpenAIError('nope')).toBeNull();
  });
});

describe('request details', () => {
  it('tells image types from their first bytes and keeps tool arguments a JSON object', () => {
    expect(['iVBORw0K', '/9j/4AAQ', 'R0lGODlh', 'UklGRiQ'].map(imageMediaType)).toEqual([
      'image/png',
      'image/jpeg',
      'image/gif',
      'image/webp',
    ]);
    expect(argumentsText('')).toBe('{}');
    expect(argumentsText('{"a":1}')).toBe('{"a":1}');
    expect(argumentsText('[1]')).toBe('{"value":[1]}');
    expect(argumentsText('{"a":')).toBe('{"raw":"{\\"a\\":"}');
  });

  it('OpenAI-compatible servers get max_tokens, OpenAI max_completion_tokens; a schema becomes json_schema', () => {
    const request = {
      model: 'm',
      stream: false,
      options: { num_predict: 9 },
      format: { type: 'object' },
      messages: [{ role: 'user' as const, content: 'x' }],
    };
    expect(toOpenAIChatBody(request, 'p', 'openrouter')).toMatchObject({ max_tokens: 9 });
    expect(toOpenAIChatBody(request, 'p', 'openai')).toMatchObject({
      max_completion_tokens: 9,
      response_format: { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object' } } },
    });
    expect(toOpenAIChatBody(request, 'p', 'openai')).not.toHaveProperty('stream_options');
  });

  it('Anthropic: images as base64 blocks before the text, an empty user turn left out', () => {
    const body = toAnthropicBody(
      {
        model: 'm',
        stream: true,
        options: {},
        messages: [
          { role: 'user', content: 'see', images: ['/9j/4AAQ'] },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: '' },
        ],
      },
      'claude',
      100,
    );
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
          { type: 'text', text: 'see' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
    ]);
    expect(body).toMatchObject({ max_tokens: 100, stream: true });
    expect(body).not.toHaveProperty('system');
  });
});
