import { describe, expect, it } from 'vitest';
import type { ChatEvent, ChatRequest } from '../../canonical/chat.types.js';
import { chunkToEvents, finishReasonOf, toOllamaChatRequest, toolCallId } from './ollama.mapping.js';
import type { OllamaChatChunk } from './ollama.types.js';

const request = (fields: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'Hi' }],
  stream: false,
  options: {},
  ...fields,
});

describe('toOllamaChatRequest', () => {
  it('always sends stream explicitly and omits empty options', () => {
    expect(toOllamaChatRequest(request())).toEqual({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: false,
    });
    const streamed = toOllamaChatRequest(request({ stream: true }));
    expect(streamed.stream).toBe(true);
    expect(JSON.parse(JSON.stringify(toOllamaChatRequest(request())))).toHaveProperty('stream', false);
  });

  it('passes options, format, keep_alive, think and tools when set', () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
    expect(
      toOllamaChatRequest(
        request({
          options: { temperature: 0, num_predict: 5, stop: ['x'] },
          format: { type: 'object' },
          keepAlive: 0,
          think: 'high',
          tools,
        }),
      ),
    ).toEqual({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: false,
      options: { temperature: 0, num_predict: 5, stop: ['x'] },
      format: { type: 'object' },
      keep_alive: 0,
      think: 'high',
      tools,
    });
    expect(toOllamaChatRequest(request({ tools: [] }))).not.toHaveProperty('tools');
  });

  it('maps images, thinking, tool calls (arguments string → object) and tool results', () => {
    const body = toOllamaChatRequest(
      request({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Look', images: ['iVBORw0KGgo='] },
          { role: 'user', content: 'no images', images: [] },
          {
            role: 'assistant',
            content: '',
            thinking: 'I should call the tool',
            toolCalls: [
              { id: 'call_1', name: 'get_weather', arguments: '{"city":"Tokyo","units":{"t":"C"}}' },
            ],
          },
          { role: 'tool', content: '{"temp":21}', toolCallId: 'call_1', toolName: 'get_weather' },
        ],
      }),
    );
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Look', images: ['iVBORw0KGgo='] },
      { role: 'user', content: 'no images' },
      {
        role: 'assistant',
        content: '',
        thinking: 'I should call the tool',
        tool_calls: [
          {
            id: 'call_1',
            function: { name: 'get_weather', arguments: { city: 'Tokyo', units: { t: 'C' } } },
          },
        ],
      },
      { role: 'tool', content: '{"temp":21}', tool_call_id: 'call_1', tool_name: 'get_weather' },
    ]);
  });
});

const line = (fields: Partial<OllamaChatChunk>): OllamaChatChunk => ({
  model: 'llama3.2',
  created_at: '2025-07-07T20:22:19.184789Z',
  done: false,
  ...fields,
});
const metrics = {
  total_duration: 182242375,
  load_duration: 41295167,
  prompt_eval_count: 169,
  prompt_eval_duration: 24573166,
  eval_count: 15,
  eval_duration: 115959084,
};

describe('chunkToEvents', () => {
  it('emits thinking before text when one line carries both', () => {
    const state = { sawToolCall: false };
    expect(
      chunkToEvents(line({ message: { role: 'assistant', content: 'Hi', thinking: 'hmm' } }), state),
    ).toEqual([
      { type: 'thinking', text: 'hmm' },
      { type: 'text', text: 'Hi' },
    ]);
  });

  it('emits nothing for an empty content line', () => {
    expect(
      chunkToEvents(line({ message: { role: 'assistant', content: '' } }), { sawToolCall: false }),
    ).toEqual([]);
  });

  it('emits content on the done line before end, with usage and timings', () => {
    const events = chunkToEvents(
      line({ message: { role: 'assistant', content: 'bye' }, done: true, done_reason: 'stop', ...metrics }),
      { sawToolCall: false },
    );
    expect(events).toEqual([
      { type: 'text', text: 'bye' },
      {
        type: 'end',
        finishReason: 'stop',
        usage: { promptTokens: 169, completionTokens: 15 },
        timings: {
          loadDurationNs: 41295167,
          promptEvalDurationNs: 24573166,
          evalDurationNs: 115959084,
          totalDurationNs: 182242375,
        },
        createdAt: '2025-07-07T20:22:19.184789Z',
      },
    ]);
  });

  it('counts missing metrics as 0 tokens and null timings', () => {
    const [end] = chunkToEvents(line({ done: true }), { sawToolCall: false });
    expect(end).toEqual({
      type: 'end',
      finishReason: 'stop',
      usage: { promptTokens: 0, completionTokens: 0 },
      timings: {
        loadDurationNs: null,
        promptEvalDurationNs: null,
        evalDurationNs: null,
        totalDurationNs: null,
      },
      createdAt: '2025-07-07T20:22:19.184789Z',
    });
  });

  it('uses now as createdAt when the done line has none', () => {
    const [end] = chunkToEvents({ done: true }, { sawToolCall: false });
    expect(end?.type === 'end' && Date.parse(end.createdAt)).toBeGreaterThan(Date.now() - 5000);
  });

  it('turns tool calls into events (arguments object → JSON string) and generates missing ids', () => {
    const state = { sawToolCall: false };
    const events = chunkToEvents(
      line({
        message: {
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: 'call_x1', function: { index: 0, name: 'get_weather', arguments: { city: 'Tokyo' } } },
            { function: { name: 'get_time', arguments: {} } },
            { id: '', function: { name: 'no_args' } as never },
          ],
        },
      }),
      state,
    );
    expect(state.sawToolCall).toBe(true);
    expect(events).toHaveLength(3);
    expect(events[0]).toEqual({
      type: 'tool_call',
      call: { id: 'call_x1', name: 'get_weather', arguments: '{"city":"Tokyo"}' },
    });
    const generated = events.slice(1).map((e) => (e as Extract<ChatEvent, { type: 'tool_call' }>).call);
    expect(generated.map((c) => [c.name, c.arguments])).toEqual([
      ['get_time', '{}'],
      ['no_args', '{}'],
    ]);
    for (const call of generated) expect(call.id).toMatch(/^call_[A-Za-z0-9_-]{8,}$/);
    expect(generated[0]!.id).not.toBe(generated[1]!.id);
  });

  it('finishes with tool_calls after a tool call on an earlier line, length wins', () => {
    const state = { sawToolCall: false };
    chunkToEvents(
      line({
        message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: {} } }] },
      }),
      state,
    );
    expect(chunkToEvents(line({ done: true, done_reason: 'stop' }), state)).toMatchObject([
      { type: 'end', finishReason: 'tool_calls' },
    ]);
    expect(chunkToEvents(line({ done: true, done_reason: 'length' }), state)).toMatchObject([
      { type: 'end', finishReason: 'length' },
    ]);
  });

  it('maps an error line to an error event', () => {
    expect(chunkToEvents({ error: 'model crashed' }, { sawToolCall: false })).toEqual([
      { type: 'error', message: 'model crashed' },
    ]);
  });
});

describe('finishReasonOf (reference §4.3)', () => {
  it.each<[string | undefined, boolean, string]>([
    ['stop', false, 'stop'],
    ['stop', true, 'tool_calls'],
    ['length', false, 'length'],
    ['length', true, 'length'],
    [undefined, false, 'stop'],
    ['', false, 'stop'],
    ['unload', false, 'stop'],
  ])('%j, tool call seen %s → %s', (doneReason, sawToolCall, expected) => {
    expect(finishReasonOf(doneReason, sawToolCall)).toBe(expected);
  });
});

describe('toolCallId', () => {
  it('is unique and OpenAI-like', () => {
    const ids = new Set(Array.from({ length: 1000 }, toolCallId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^call_[A-Za-z0-9_-]+$/);
  });
});
