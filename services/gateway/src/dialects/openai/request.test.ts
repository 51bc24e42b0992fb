import { AppError } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import { paramOf, parseChatCompletionRequest } from './request.js';

const user = (content: unknown) => ({ role: 'user', content });
const body = (extra: Record<string, unknown> = {}) => ({
  model: 'llama3.2',
  messages: [user('Hi')],
  ...extra,
});

/** The AppError a parse throws (fails the test when it does not throw one). */
function parseError(input: unknown): AppError {
  try {
    parseChatCompletionRequest(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected parseChatCompletionRequest to throw');
}

describe('parseChatCompletionRequest: messages', () => {
  it('maps system and developer to system, user and assistant strings unchanged', () => {
    const { request } = parseChatCompletionRequest(
      body({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: 'Answer in French.' },
          user('Hi'),
          { role: 'assistant', content: 'Salut' },
        ],
      }),
    );
    expect(request.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'system', content: 'Answer in French.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Salut' },
    ]);
  });

  it('joins text parts into one message (system parts too)', () => {
    const { request } = parseChatCompletionRequest(
      body({
        messages: [
          { role: 'developer', content: [{ type: 'text', text: 'Rule 1' }] },
          user([
            { type: 'text', text: 'first' },
            { type: 'text', text: 'second' },
          ]),
        ],
      }),
    );
    expect(request.messages).toEqual([
      { role: 'system', content: 'Rule 1' },
      { role: 'user', content: 'first\nsecond' },
    ]);
  });

  it('turns data-URI images (object or bare string form) into raw base64 in the same message', () => {
    const { request } = parseChatCompletionRequest(
      body({
        messages: [
          user([
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
            { type: 'image_url', image_url: 'data:image/jpeg;base64,/9j/4AAQ' },
            { type: 'image_url', image_url: { url: 'data:;base64,UklGRg==' } },
          ]),
        ],
      }),
    );
    expect(request.messages).toEqual([
      { role: 'user', content: 'What is this?', images: ['iVBORw0KGgo=', '/9j/4AAQ', 'UklGRg=='] },
    ]);
  });

  it('rejects an http(s) image URL with 400 unsupported_image_url naming the part', () => {
    const error = parseError(
      body({
        messages: [
          user('hello'),
          user([
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
          ]),
        ],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe('unsupported_image_url');
    expect(error.param).toBe('messages[1].content[1].image_url');
    expect(error.message).toMatch(/base64/);
  });

  it('rejects an image that is neither a data URI nor a URL', () => {
    const error = parseError(body({ messages: [user([{ type: 'image_url', image_url: 'not-an-image' }])] }));
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages[0].content[0].image_url');
  });

  it('keeps assistant tool call arguments as the JSON string, content null becomes ""', () => {
    const args = '{"city":"Tokyo","days":2}';
    const { request } = parseChatCompletionRequest(
      body({
        messages: [
          user('Weather?'),
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: args } },
            ],
          },
        ],
      }),
    );
    expect(request.messages[1]).toEqual({
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: args }],
    });
  });

  it('carries assistant reasoning_content as thinking', () => {
    const { request } = parseChatCompletionRequest(
      body({ messages: [user('q'), { role: 'assistant', content: 'a', reasoning_content: 'hmm' }] }),
    );
    expect(request.messages[1]).toEqual({ role: 'assistant', content: 'a', thinking: 'hmm' });
  });

  it.each([
    ['not JSON', '{city:'],
    ['an array', '[1,2]'],
    ['a string', '"Tokyo"'],
    ['null', 'null'],
  ])('rejects tool call arguments that are %s with the exact param', (_label, args) => {
    const error = parseError(
      body({
        messages: [
          user('Weather?'),
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_ok', type: 'function', function: { name: 'a', arguments: '{}' } },
              { id: 'call_bad', type: 'function', function: { name: 'b', arguments: args } },
            ],
          },
        ],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages[1].tool_calls[1].function.arguments');
    expect(error.message).toContain('messages[1].tool_calls[1].function.arguments');
  });

  it('gives a tool message the tool name of the earlier call with that id (last match wins)', () => {
    const call = (id: string, name: string) => ({
      id,
      type: 'function',
      function: { name, arguments: '{}' },
    });
    const { request } = parseChatCompletionRequest(
      body({
        messages: [
          user('go'),
          {
            role: 'assistant',
            content: null,
            tool_calls: [call('call_a', 'first'), call('call_b', 'other')],
          },
          { role: 'tool', tool_call_id: 'call_a', content: 'r1' },
          { role: 'assistant', content: null, tool_calls: [call('call_a', 'second')] },
          { role: 'tool', tool_call_id: 'call_a', content: [{ type: 'text', text: 'r2' }] },
          { role: 'tool', tool_call_id: 'call_b', content: 'r3' },
          { role: 'tool', tool_call_id: 'call_unknown', content: 'r4' },
        ],
      }),
    );
    expect(request.messages.slice(2)).toEqual([
      { role: 'tool', content: 'r1', toolCallId: 'call_a', toolName: 'first' },
      expect.objectContaining({ role: 'assistant' }),
      { role: 'tool', content: 'r2', toolCallId: 'call_a', toolName: 'second' },
      { role: 'tool', content: 'r3', toolCallId: 'call_b', toolName: 'other' },
      { role: 'tool', content: 'r4', toolCallId: 'call_unknown' },
    ]);
  });
});

describe('parseChatCompletionRequest: options and flags', () => {
  it('sends no options and stream false by default, include_usage false', () => {
    const parsed = parseChatCompletionRequest(body());
    expect(parsed).toEqual({
      request: { model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }], stream: false, options: {} },
      includeUsage: false,
      remoteImages: [],
    });
  });

  it('maps sampling fields into options', () => {
    const { request } = parseChatCompletionRequest(
      body({
        temperature: 0.2,
        top_p: 0.9,
        seed: 42,
        presence_penalty: 0.5,
        frequency_penalty: -1.5,
        max_tokens: 100,
        stop: ['\n\n', 'END'],
      }),
    );
    expect(request.options).toEqual({
      temperature: 0.2,
      top_p: 0.9,
      seed: 42,
      presence_penalty: 0.5,
      frequency_penalty: -1.5,
      num_predict: 100,
      stop: ['\n\n', 'END'],
    });
  });

  it('keeps temperature 0 (a falsy value)', () => {
    expect(parseChatCompletionRequest(body({ temperature: 0 })).request.options).toEqual({ temperature: 0 });
  });

  it('prefers max_completion_tokens over max_tokens', () => {
    const { request } = parseChatCompletionRequest(body({ max_tokens: 10, max_completion_tokens: 25 }));
    expect(request.options.num_predict).toBe(25);
  });

  it('turns a stop string into an array', () => {
    expect(parseChatCompletionRequest(body({ stop: 'END' })).request.options.stop).toEqual(['END']);
  });

  it('ignores null optional fields as OpenAI does', () => {
    const { request } = parseChatCompletionRequest(
      body({ temperature: null, stop: null, max_tokens: null, stream: null, response_format: null }),
    );
    expect(request.options).toEqual({});
    expect(request.stream).toBe(false);
    expect(request.format).toBeUndefined();
  });

  it('maps response_format json_object to "json" and json_schema to the schema', () => {
    expect(parseChatCompletionRequest(body({ response_format: { type: 'text' } })).request.format).toBe(
      undefined,
    );
    expect(
      parseChatCompletionRequest(body({ response_format: { type: 'json_object' } })).request.format,
    ).toBe('json');
    const schema = { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] };
    const { request } = parseChatCompletionRequest(
      body({ response_format: { type: 'json_schema', json_schema: { name: 'out', strict: true, schema } } }),
    );
    expect(request.format).toEqual(schema);
  });

  it('passes tools through, and drops them when tool_choice is "none"', () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
    expect(parseChatCompletionRequest(body({ tools })).request.tools).toEqual(tools);
    expect(parseChatCompletionRequest(body({ tools, tool_choice: 'auto' })).request.tools).toEqual(tools);
    expect(parseChatCompletionRequest(body({ tools, tool_choice: 'none' })).request.tools).toBeUndefined();
    expect(parseChatCompletionRequest(body({ tools: [] })).request.tools).toBeUndefined();
  });

  it('reads stream and stream_options.include_usage', () => {
    expect(parseChatCompletionRequest(body({ stream: true })).request.stream).toBe(true);
    const parsed = parseChatCompletionRequest(
      body({ stream: true, stream_options: { include_usage: true } }),
    );
    expect(parsed.includeUsage).toBe(true);
    expect(parseChatCompletionRequest(body({ stream_options: { include_usage: false } })).includeUsage).toBe(
      false,
    );
  });

  it('accepts the Ollama extras options and keep_alive; top-level fields win over options', () => {
    const { request } = parseChatCompletionRequest(
      body({ options: { num_ctx: 8192, temperature: 1.5 }, temperature: 0.1, keep_alive: '10m' }),
    );
    expect(request.options).toEqual({ num_ctx: 8192, temperature: 0.1 });
    expect(request.keepAlive).toBe('10m');
    expect(parseChatCompletionRequest(body({ keep_alive: 0 })).request.keepAlive).toBe(0);
  });

  it('accepts n: 1 and rejects n: 2 with param n', () => {
    expect(() => parseChatCompletionRequest(body({ n: 1 }))).not.toThrow();
    const error = parseError(body({ n: 2 }));
    expect(error.status).toBe(400);
    expect(error.param).toBe('n');
    expect(error.message).toMatch(/n > 1 is not supported/);
  });
});

describe('parseChatCompletionRequest: validation errors', () => {
  it.each([null, 'text', 42, [], [{ model: 'm' }]])('rejects a body that is not an object: %j', (input) => {
    const error = parseError(input);
    expect(error.status).toBe(400);
    expect(error.kind).toBe('invalid_request');
    expect(error.code).toBe('invalid_body');
    expect(error.message).toBe('The request body must be a JSON object.');
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['missing model', { model: undefined }, 'model', /you must provide a model parameter/],
    ['empty model', { model: '' }, 'model', /you must provide a model parameter/],
    ['empty messages', { messages: [] }, 'messages', /\[\] is too short/],
    ['messages not an array', { messages: 'hi' }, 'messages', /expected an array of messages/],
    ['bad content', { messages: [user(5)] }, 'messages[0].content', /expected a string or an array/],
    [
      'bad role',
      { messages: [user('a'), { role: 'robot', content: 'x' }] },
      'messages[1].role',
      /role must be one of/,
    ],
    [
      'tool without tool_call_id',
      { messages: [{ role: 'tool', content: 'x' }] },
      'messages[0].tool_call_id',
      /expected string/,
    ],
    ['temperature too high', { temperature: 3 }, 'temperature', /<=2/],
    ['too many stop sequences', { stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', /./],
    ['max_tokens zero', { max_tokens: 0 }, 'max_tokens', /./],
    ['stream not boolean', { stream: 'yes' }, 'stream', /./],
  ])('%s → 400 with param %s', (_label, extra, param, message) => {
    const error = parseError(body(extra));
    expect(error.status).toBe(400);
    expect(error.kind).toBe('invalid_request');
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`Invalid value for '${param}': `)).toBe(true);
    expect(error.message.endsWith('.')).toBe(true);
  });
});

describe('paramOf', () => {
  it('renders zod paths in OpenAI form', () => {
    expect(paramOf([])).toBeNull();
    expect(paramOf(['model'])).toBe('model');
    expect(paramOf(['messages', 0, 'content'])).toBe('messages[0].content');
    expect(paramOf(['messages', 2, 'tool_calls', 1, 'function', 'arguments'])).toBe(
      'messages[2].tool_calls[1].function.arguments',
    );
  });
});
