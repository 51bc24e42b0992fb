import { AppError } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import { toOllamaChatRequest } from '../../clients/ollama/ollama.mapping.js';
import { parseCountTokensRequest, parseMessagesRequest } from './request.js';

const base = { model: 'llama3.2', max_tokens: 256, messages: [{ role: 'user', content: 'Hi' }] };
const weather = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const time = { name: 'get_time', input_schema: { type: 'object', properties: {} } };
const weatherFn = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather for a city', parameters: weather.input_schema },
};
const timeFn = { type: 'function', function: { name: 'get_time', parameters: time.input_schema } };

/** The body the gateway sends to Ollama for an Anthropic body. */
const ollamaBody = (body: Record<string, unknown>) => toOllamaChatRequest(parseMessagesRequest(body));

function rejection(run: () => unknown): { status: number; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return { status: (error as AppError).status, message: (error as AppError).message };
  }
  throw new Error('expected a rejection');
}

describe('parseMessagesRequest → Ollama /api/chat (reference §5.1)', () => {
  it('maps the minimal request: num_predict from max_tokens, stream false, think false', () => {
    expect(ollamaBody(base)).toEqual({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: false,
      options: { num_predict: 256 },
      think: false,
    });
  });

  it('maps sampling, stop_sequences, stream and ignores metadata and other unknown fields', () => {
    const body = ollamaBody({
      ...base,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['\n\nHuman:', 'END'],
      stream: true,
      metadata: { user_id: 'u-1' },
      service_tier: 'auto',
      output_config: { effort: 'low' },
    });
    expect(body.stream).toBe(true);
    expect(body.options).toEqual({
      num_predict: 256,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop: ['\n\nHuman:', 'END'],
    });
    expect(body).not.toHaveProperty('metadata');
  });

  it('system as a string or as text blocks becomes the first system message', () => {
    expect(ollamaBody({ ...base, system: 'Be brief.' }).messages[0]).toEqual({
      role: 'system',
      content: 'Be brief.',
    });
    expect(
      ollamaBody({
        ...base,
        system: [
          { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Be kind.' },
        ],
      }).messages[0],
    ).toEqual({ role: 'system', content: 'Be brief.\nBe kind.' });
  });

  it('text and base64 image blocks: text joined, images as raw base64; url images are a 400', () => {
    const body = ollamaBody({
      ...base,
      model: 'llava',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'text', text: 'Be precise.' },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'What is this?\nBe precise.', images: ['iVBORw0KGgo='] },
    ]);
    expect(
      rejection(() =>
        parseMessagesRequest({
          ...base,
          messages: [
            { role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] },
          ],
        }),
      ),
    ).toEqual({
      status: 400,
      message:
        'messages.0.content.0.source: invalid image source type: url. Only base64 images are supported.',
    });
  });

  it('a tool round trip: tool_use → tool_calls (object arguments), tool_result → tool messages first, with tool_name', () => {
    const body = ollamaBody({
      ...base,
      tools: [weather, time],
      messages: [
        { role: 'user', content: 'Weather in Paris, and the time?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Two tools.', signature: 'sig' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C, sunny' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_2',
              content: [{ type: 'text', text: 'clock offline' }],
              is_error: true,
            },
            { type: 'text', text: 'Thanks!' },
          ],
        },
      ],
    });
    expect(body.tools).toEqual([weatherFn, timeFn]);
    expect(body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris, and the time?' },
      {
        role: 'assistant',
        content: 'Checking.',
        thinking: 'Two tools.',
        tool_calls: [
          { id: 'toolu_1', function: { name: 'get_weather', arguments: { city: 'Paris' } } },
          { id: 'toolu_2', function: { name: 'get_time', arguments: {} } },
        ],
      },
      { role: 'tool', content: '18°C, sunny', tool_name: 'get_weather', tool_call_id: 'toolu_1' },
      { role: 'tool', content: 'Error: clock offline', tool_name: 'get_time', tool_call_id: 'toolu_2' },
      { role: 'user', content: 'Thanks!' },
    ]);
  });

  it('a user turn of tool results only produces only tool messages; tool_result images are kept', () => {
    const body = ollamaBody({
      ...base,
      messages: [
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_9', name: 'screenshot', input: {} }],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_9',
              content: [
                { type: 'text', text: 'here' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
              ],
            },
          ],
        },
      ],
    });
    expect(body.messages.slice(1)).toEqual([
      { role: 'tool', content: 'here', images: ['AAAA'], tool_name: 'screenshot', tool_call_id: 'toolu_9' },
    ]);
  });

  it('tool_choice: none sends no tools; auto and absent send all', () => {
    expect(ollamaBody({ ...base, tools: [weather], tool_choice: { type: 'none' } })).not.toHaveProperty(
      'tools',
    );
    expect(ollamaBody({ ...base, tools: [weather], tool_choice: { type: 'auto' } }).tools).toEqual([
      weatherFn,
    ]);
  });

  it('tool_choice tool: only that tool is sent, with a system instruction to call it (best effort)', () => {
    const body = ollamaBody({
      ...base,
      system: 'Be brief.',
      tools: [weather, time],
      tool_choice: { type: 'tool', name: 'get_time' },
    });
    expect(body.tools).toEqual([timeFn]);
    expect(body.messages[0]).toEqual({
      role: 'system',
      content: 'Be brief.\n\nRespond by calling the tool "get_time".',
    });
    expect(
      rejection(() =>
        parseMessagesRequest({ ...base, tools: [weather], tool_choice: { type: 'tool', name: 'x' } }),
      ),
    ).toEqual({ status: 400, message: "tool_choice: tool 'x' is not in tools." });
  });

  it('tool_choice any: all tools, with a system instruction to call one (best effort); without tools a 400', () => {
    const body = ollamaBody({ ...base, tools: [weather, time], tool_choice: { type: 'any' } });
    expect(body.tools).toEqual([weatherFn, timeFn]);
    expect(body.messages[0]).toEqual({
      role: 'system',
      content: 'Respond by calling one of the provided tools.',
    });
    expect(rejection(() => parseMessagesRequest({ ...base, tool_choice: { type: 'any' } })).status).toBe(400);
  });

  it('server tools are a clear 400', () => {
    expect(
      rejection(() =>
        parseMessagesRequest({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }),
      ),
    ).toEqual({
      status: 400,
      message: "tools.0: server tool type 'web_search_20250305' is not supported by this gateway.",
    });
  });

  it('thinking enabled (or adaptive) → think:true; disabled or absent → think:false', () => {
    expect(ollamaBody({ ...base, thinking: { type: 'enabled', budget_tokens: 1024 } }).think).toBe(true);
    expect(ollamaBody({ ...base, thinking: { type: 'adaptive' } }).think).toBe(true);
    expect(ollamaBody({ ...base, thinking: { type: 'disabled' } }).think).toBe(false);
  });

  it.each([
    [{ model: 'm', messages: base.messages }, 'max_tokens: Field required'],
    [{ ...base, max_tokens: 0 }, 'max_tokens: Too small: expected number to be >=1'],
    [{ ...base, max_tokens: 1.5 }, 'max_tokens: Invalid input: expected int, received number'],
    [{ ...base, model: undefined }, 'model: Field required'],
    [{ ...base, messages: [] }, 'messages: at least one message is required'],
    [{ ...base, temperature: 1.5 }, 'temperature: Too big: expected number to be <=1'],
    [
      { ...base, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] },
      "messages.0.content.0.type: unsupported type \"document\"; expected 'text', 'image', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking'",
    ],
  ])('400 invalid_request_error like Anthropic: %j → %s', (body, message) => {
    expect(rejection(() => parseMessagesRequest(body))).toEqual({ status: 400, message });
  });

  it('rejects tool_use in a user turn and tool_result in an assistant turn', () => {
    expect(
      rejection(() =>
        parseMessagesRequest({
          ...base,
          messages: [
            { role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 'x', content: 'y' }] },
          ],
        }),
      ).message,
    ).toBe("messages.0.content.0: 'tool_result' blocks are not allowed in assistant messages.");
  });
});

describe('parseCountTokensRequest', () => {
  it('the same prompt as /v1/messages, one token, no thinking, no max_tokens needed', () => {
    const request = parseCountTokensRequest({
      model: 'qwen3:0.6b',
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hi there' }],
      tools: [weather],
      thinking: { type: 'enabled', budget_tokens: 2048 },
    });
    expect(toOllamaChatRequest(request)).toEqual({
      model: 'qwen3:0.6b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi there' },
      ],
      stream: false,
      options: { num_predict: 1 },
      think: false,
      tools: [weatherFn],
    });
  });
});
