import { AppError } from '@ollama-gateway/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatResult } from '../../canonical/chat.types.js';
import { haveOpenAISpec, openAISchemaValidator, type SchemaValidator } from '../../testing/openapi.js';
import { parseResponsesRequest } from './responses.js';
import { responseId, toResponse } from './responses.output.js';
import type { ResponseMeta } from './responses.types.js';

const body = (extra: Record<string, unknown> = {}) => ({ model: 'llama3.2', input: 'Hi', ...extra });
const parse = (extra: Record<string, unknown> = {}) => parseResponsesRequest(body(extra));

function parseError(input: unknown): AppError {
  try {
    parseResponsesRequest(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected parseResponsesRequest to throw');
}

const weather = {
  type: 'function',
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};
const ollamaWeather = {
  type: 'function',
  function: { name: 'get_weather', description: 'The weather in a city', parameters: weather.parameters },
};

describe('parseResponsesRequest: input', () => {
  it('a string input is one user message; instructions come first as a system message', () => {
    const { request, echo } = parse({ instructions: 'Be brief.' });
    expect(request).toEqual({
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      stream: false,
      options: {},
    });
    expect(echo).toMatchObject({ instructions: 'Be brief.', tools: [], tool_choice: 'auto' });
  });

  it('maps message items (typed or not), developer → system, and joins text parts', () => {
    const { request } = parse({
      input: [
        { role: 'developer', content: 'Rule 1' },
        { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'Rule 2' }] },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'first' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
            { type: 'input_text', text: 'second' },
          ],
        },
        {
          type: 'message',
          id: 'msg_1',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Answer', annotations: [], logprobs: [] }],
        },
        { role: 'user', content: 'Thanks' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'system', content: 'Rule 1' },
      { role: 'system', content: 'Rule 2' },
      { role: 'user', content: 'first\nsecond', images: ['iVBORw0KGgo='] },
      { role: 'assistant', content: 'Answer' },
      { role: 'user', content: 'Thanks' },
    ]);
  });

  it('function_call items become assistant tool calls (with the reasoning before them), outputs tool messages', () => {
    const { request } = parse({
      input: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          type: 'reasoning',
          id: 'rs_1',
          summary: [],
          content: [{ type: 'reasoning_text', text: 'Two cities.' }],
        },
        {
          type: 'function_call',
          id: 'fc_1',
          call_id: 'call_a',
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
          status: 'completed',
        },
        { type: 'function_call', call_id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_a', output: '{"temp":20}' },
        { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: '18' }] },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: '',
        thinking: 'Two cities.',
        toolCalls: [
          { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
        ],
      },
      { role: 'tool', content: '{"temp":20}', toolCallId: 'call_a', toolName: 'get_weather' },
      { role: 'tool', content: '18', toolCallId: 'call_b', toolName: 'get_weather' },
    ]);
  });

  it('400s with the parameter named for bad items, unsupported items and missing input', () => {
    expect(parseError(body({ input: [{ role: 'robot', content: 'x' }] }))).toMatchObject({
      status: 400,
      param: 'input[0].role',
    });
    expect(parseError(body({ input: [{ type: 'web_search_call', id: 'ws_1' }] }))).toMatchObject({
      param: 'input[0].type',
    });
    expect(parseError(body({ input: [{ type: 'item_reference', id: 'msg_1' }] })).message).toMatch(
      /do(es)? not store/,
    );
    expect(
      parseError(body({ input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '[1]' }] })),
    ).toMatchObject({ param: 'input[0].arguments' });
    expect(
      parseError(body({ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] })),
    ).toMatchObject({ param: 'input[0].content[0].type' });
    expect(
      parseError(
        body({ input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] }),
      ),
    ).toMatchObject({ param: 'input[0].content[0].image_url', code: 'unsupported_image_url' });
    expect(parseError({ model: 'llama3.2', instructions: 'Only rules' })).toMatchObject({ param: 'input' });
    expect(parseError({ input: 'Hi' })).toMatchObject({ param: 'model' });
    expect(parseError([])).toMatchObject({ status: 400 });
  });
});

describe('parseResponsesRequest: parameters', () => {
  it('maps sampling, max_output_tokens, text.format and Ollama extras', () => {
    const schema = { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] };
    expect(
      parse({
        temperature: 0.2,
        top_p: 0.9,
        max_output_tokens: 64,
        stream: true,
        options: { num_ctx: 4096 },
        keep_alive: '5m',
        text: { format: { type: 'json_schema', name: 'a', schema, strict: true } },
      }).request,
    ).toMatchObject({
      stream: true,
      options: { num_ctx: 4096, temperature: 0.2, top_p: 0.9, num_predict: 64 },
      keepAlive: '5m',
      format: schema,
    });
    expect(parse({ text: { format: { type: 'json_object' } } }).request.format).toBe('json');
    expect(parse({ text: { format: { type: 'text' } } }).request.format).toBeUndefined();
    expect(parseError(body({ text: { format: { type: 'json_schema', schema } } }))).toMatchObject({
      param: 'text.format.name',
    });
  });

  it('maps reasoning.effort to think (none → false, minimal → low, xhigh → max) and leaves it unset otherwise', () => {
    const think = (effort: string) => parse({ reasoning: { effort } }).request.think;
    expect(think('none')).toBe(false);
    expect(think('minimal')).toBe('low');
    expect(think('low')).toBe('low');
    expect(think('medium')).toBe('medium');
    expect(think('high')).toBe('high');
    expect(think('xhigh')).toBe('max');
    expect(parse().request.think).toBeUndefined();
    expect(parse({ reasoning: { summary: 'auto' } }).request.think).toBeUndefined();
    expect(parseError(body({ reasoning: { effort: 'extreme' } }))).toMatchObject({
      param: 'reasoning.effort',
    });
  });

  it('accepts metadata, user, store, include, parallel_tool_calls, truncation and echoes them', () => {
    const { echo } = parse({
      metadata: { run: '1' },
      user: 'u-1',
      store: true,
      include: ['reasoning.encrypted_content'],
      parallel_tool_calls: false,
      truncation: 'auto',
      service_tier: 'auto',
      safety_identifier: 'abc',
      prompt_cache_key: 'k',
      stream_options: { include_obfuscation: false },
    });
    expect(echo).toMatchObject({
      metadata: { run: '1' },
      user: 'u-1',
      parallel_tool_calls: false,
      truncation: 'auto',
    });
  });

  it('refuses what needs stored state or background work with a clear 400', () => {
    for (const [field, value] of [
      ['previous_response_id', 'resp_123'],
      ['conversation', 'conv_1'],
      ['prompt', { id: 'pmpt_1' }],
      ['background', true],
    ] as const) {
      expect(parseError(body({ [field]: value }))).toMatchObject({
        status: 400,
        param: field,
        code: 'unsupported_parameter',
      });
    }
    expect(parse({ background: false, previous_response_id: null }).request.model).toBe('llama3.2');
  });
});

describe('parseResponsesRequest: tools and tool_choice', () => {
  it('translates flat function tools to Ollama tools and echoes them with strict and parameters', () => {
    const { request, echo } = parse({ tools: [weather, { type: 'function', name: 'now' }] });
    expect(request.tools).toEqual([
      ollamaWeather,
      { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } },
    ]);
    expect(echo.tools).toEqual([
      weather,
      { type: 'function', name: 'now', description: null, parameters: null, strict: null },
    ]);
  });

  it('none drops the tools; required and a named function add an instruction; a named one sends only it', () => {
    const two = [weather, { type: 'function', name: 'now', parameters: { type: 'object' } }];
    expect(parse({ tools: two, tool_choice: 'none' }).request.tools).toBeUndefined();
    expect(parse({ tools: two, tool_choice: 'auto' }).request.tools).toHaveLength(2);
    const required = parse({ tools: two, tool_choice: 'required', instructions: 'Be brief.' }).request;
    expect(required.tools).toHaveLength(2);
    expect(required.messages[0]).toEqual({
      role: 'system',
      content: 'Be brief.\n\nRespond by calling one of the provided tools.',
    });
    const named = parse({ tools: two, tool_choice: { type: 'function', name: 'get_weather' } });
    expect(named.request.tools).toEqual([ollamaWeather]);
    expect(named.request.messages[0]).toEqual({
      role: 'system',
      content: 'Respond by calling the tool "get_weather".',
    });
    expect(named.echo.tool_choice).toEqual({ type: 'function', name: 'get_weather' });
    const allowed = parse({
      tools: two,
      tool_choice: {
        type: 'allowed_tools',
        mode: 'auto',
        tools: [{ type: 'function', name: 'get_weather' }],
      },
    });
    expect(allowed.request.tools).toEqual([ollamaWeather]);
  });

  it('400s what cannot be honoured: hosted tools, unknown names, a forcing choice without tools', () => {
    expect(parseError(body({ tools: [{ type: 'web_search' }] }))).toMatchObject({ param: 'tools[0].type' });
    expect(
      parseError(body({ tools: [weather], tool_choice: { type: 'function', name: 'other' } })),
    ).toMatchObject({ param: 'tool_choice.name' });
    expect(parseError(body({ tool_choice: 'required' }))).toMatchObject({ param: 'tool_choice' });
    expect(parseError(body({ tools: [weather], tool_choice: { type: 'file_search' } }))).toMatchObject({
      param: 'tool_choice.type',
    });
    expect(parseError(body({ tools: [weather], tool_choice: 'sometimes' }))).toMatchObject({
      param: 'tool_choice',
    });
  });
});

describe('toResponse', () => {
  let validate: SchemaValidator | undefined;
  beforeAll(async () => {
    if (haveOpenAISpec) validate = await openAISchemaValidator('Response');
  });
  const expectValid = (value: unknown) => {
    if (!validate) return;
    const valid = validate(value);
    expect(validate.errors ?? [], JSON.stringify(value)).toEqual([]);
    expect(valid).toBe(true);
  };

  const meta = (extra: Record<string, unknown> = {}): ResponseMeta => ({
    requestId: 'req1',
    model: 'qwen3:0.6b',
    createdAt: 1_790_000_000,
    echo: parse({ tools: [weather], ...extra }).echo,
  });
  const result = (fields: Partial<ChatResult>): ChatResult => ({
    model: 'qwen3:0.6b',
    content: '',
    thinking: '',
    toolCalls: [],
    finishReason: 'stop',
    usage: { promptTokens: 11, completionTokens: 7 },
    timings: {
      loadDurationNs: null,
      promptEvalDurationNs: null,
      evalDurationNs: null,
      totalDurationNs: null,
    },
    createdAt: '2026-09-22T12:00:05Z',
    ...fields,
  });
  const usage = {
    input_tokens: 11,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: 7,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 18,
  };

  it('a completed answer: reasoning, then the message; every required field of Response', () => {
    const response = toResponse(
      meta({ instructions: 'Be brief.' }),
      result({ content: 'Hello.', thinking: 'Hmm.' }),
    );
    expect(response).toEqual({
      id: responseId('req1'),
      object: 'response',
      created_at: 1_790_000_000,
      status: 'completed',
      background: false,
      completed_at: Date.parse('2026-09-22T12:00:05Z') / 1000,
      error: null,
      incomplete_details: null,
      instructions: 'Be brief.',
      max_output_tokens: null,
      metadata: {},
      model: 'qwen3:0.6b',
      output: [
        {
          id: 'rs_req1_0',
          type: 'reasoning',
          status: 'completed',
          summary: [],
          content: [{ type: 'reasoning_text', text: 'Hmm.' }],
        },
        {
          id: 'msg_req1_1',
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Hello.', annotations: [], logprobs: [] }],
        },
      ],
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: null,
      service_tier: 'default',
      store: false,
      temperature: null,
      text: { format: { type: 'text' } },
      tool_choice: 'auto',
      tools: [weather],
      top_p: null,
      truncation: 'disabled',
      usage,
    });
    expectValid(response);
  });

  it('function calls only: no message item, one function_call item per call', () => {
    const response = toResponse(
      meta(),
      result({
        finishReason: 'tool_calls',
        toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      }),
    );
    expect(response.output).toEqual([
      {
        id: 'fc_req1_0',
        type: 'function_call',
        status: 'completed',
        call_id: 'call_1',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
      },
    ]);
    expectValid(response);
  });

  it('length → status incomplete with incomplete_details, the message incomplete, no completed_at', () => {
    const response = toResponse(
      meta({ max_output_tokens: 16, temperature: 0.5, reasoning: { effort: 'low' } }),
      result({ content: 'Cut', finishReason: 'length' }),
    );
    expect(response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      completed_at: null,
      max_output_tokens: 16,
      temperature: 0.5,
      reasoning: { effort: 'low', summary: null },
      output: [{ type: 'message', status: 'incomplete', content: [{ text: 'Cut' }] }],
    });
    expectValid(response);
    // Cut while thinking: the reasoning is incomplete and the (empty) message too.
    const thinking = toResponse(meta(), result({ thinking: 'Long', finishReason: 'length' }));
    expect(thinking.output.map((item) => [item.type, item.status])).toEqual([
      ['reasoning', 'incomplete'],
      ['message', 'incomplete'],
    ]);
    expectValid(thinking);
  });

  it('echoes a json_schema text format and a named tool choice', () => {
    const schema = { type: 'object', properties: { a: { type: 'integer' } } };
    const response = toResponse(
      meta({
        text: { format: { type: 'json_schema', name: 'out', schema, strict: true } },
        tool_choice: { type: 'function', name: 'get_weather' },
        metadata: { k: 'v' },
        user: 'u',
      }),
      result({ content: '{"a":1}' }),
    );
    expect(response).toMatchObject({
      text: { format: { type: 'json_schema', name: 'out', schema, strict: true } },
      tool_choice: { type: 'function', name: 'get_weather' },
      metadata: { k: 'v' },
      user: 'u',
    });
    expectValid(response);
  });
});
