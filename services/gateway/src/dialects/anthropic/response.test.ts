import { describe, expect, it } from 'vitest';
import type { ChatResult } from '../../canonical/chat.types.js';
import { messageId, stopReasonOf, toAnthropicMessage } from './response.js';

const result = (fields: Partial<ChatResult>): ChatResult => ({
  model: 'qwen3:0.6b',
  content: '',
  thinking: '',
  toolCalls: [],
  finishReason: 'stop',
  usage: { promptTokens: 11, completionTokens: 7 },
  timings: { loadDurationNs: null, promptEvalDurationNs: null, evalDurationNs: null, totalDurationNs: null },
  createdAt: '2026-11-23T15:18:50.390825369Z',
  ...fields,
});

describe('toAnthropicMessage (reference §3.3, §5.2)', () => {
  it('orders thinking (with an empty signature), text, tool_use; exact usage; the requested model', () => {
    expect(
      toAnthropicMessage(
        messageId('abc'),
        'qwen3',
        result({
          content: 'Checking.',
          thinking: 'Hmm.',
          toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris","days":2}' }],
          finishReason: 'tool_calls',
        }),
      ),
    ).toEqual({
      id: 'msg_abc',
      type: 'message',
      role: 'assistant',
      model: 'qwen3',
      content: [
        { type: 'thinking', thinking: 'Hmm.', signature: '' },
        { type: 'text', text: 'Checking.', citations: null },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris', days: 2 } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 11,
        output_tokens: 7,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
  });

  it('leaves out empty text and thinking blocks', () => {
    expect(toAnthropicMessage('msg_x', 'm', result({})).content).toEqual([]);
  });

  it('wraps non-object tool arguments so input is always an object', () => {
    const message = toAnthropicMessage(
      'msg_x',
      'm',
      result({ toolCalls: [{ id: 'c', name: 'f', arguments: '[1,2]' }], finishReason: 'tool_calls' }),
    );
    expect(message.content[0]).toEqual({ type: 'tool_use', id: 'c', name: 'f', input: { value: [1, 2] } });
  });
});

describe('stopReasonOf (reference §5.3)', () => {
  it.each([
    ['stop', false, 'end_turn'],
    ['length', false, 'max_tokens'],
    ['tool_calls', true, 'tool_use'],
    ['length', true, 'tool_use'],
  ] as const)('%s (tool call: %s) → %s', (finish, sawToolCall, expected) => {
    expect(stopReasonOf(finish, sawToolCall)).toBe(expected);
  });
});
