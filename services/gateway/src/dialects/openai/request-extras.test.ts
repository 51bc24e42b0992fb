import { AppError } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import { parseChatCompletionRequest, THINK_FOR_EFFORT } from './request.js';

const body = (extra: Record<string, unknown> = {}) => ({
  model: 'qwen3',
  messages: [{ role: 'user', content: 'Hi' }],
  ...extra,
});

function parseError(input: unknown, options?: { allowImageUrls?: boolean }): AppError {
  try {
    parseChatCompletionRequest(input, options);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected parseChatCompletionRequest to throw');
}

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather now',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
    strict: true,
  },
};
const time = { type: 'function', function: { name: 'get_time' } };
const sentWeather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather now',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};
const sentTime = {
  type: 'function',
  function: { name: 'get_time', parameters: { type: 'object', properties: {} } },
};

describe('tool_choice', () => {
  it('auto (or absent) sends every tool, normalised (strict dropped, parameters defaulted), no instruction', () => {
    for (const tool_choice of [undefined, 'auto', null]) {
      const { request } = parseChatCompletionRequest(body({ tools: [weather, time], tool_choice }));
      expect(request.tools).toEqual([sentWeather, sentTime]);
      expect(request.messages).toEqual([{ role: 'user', content: 'Hi' }]);
    }
  });

  it('none sends no tools', () => {
    expect(
      parseChatCompletionRequest(body({ tools: [weather], tool_choice: 'none' })).request.tools,
    ).toBeUndefined();
  });

  it('required sends every tool and a system instruction (appended to a leading system message)', () => {
    const { request } = parseChatCompletionRequest(body({ tools: [weather, time], tool_choice: 'required' }));
    expect(request.tools).toEqual([sentWeather, sentTime]);
    expect(request.messages[0]).toEqual({
      role: 'system',
      content: 'Respond by calling one or more of the provided tools.',
    });
    const withSystem = parseChatCompletionRequest(
      body({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
        tools: [weather],
        tool_choice: 'required',
      }),
    ).request;
    expect(withSystem.messages).toEqual([
      { role: 'system', content: 'Be brief.\n\nRespond by calling one or more of the provided tools.' },
      { role: 'user', content: 'Hi' },
    ]);
  });

  it('a named function sends only that tool and an instruction to call it', () => {
    const { request } = parseChatCompletionRequest(
      body({ tools: [weather, time], tool_choice: { type: 'function', function: { name: 'get_time' } } }),
    );
    expect(request.tools).toEqual([sentTime]);
    expect(request.messages).toEqual([
      { role: 'system', content: 'Respond by calling the tool "get_time".' },
      { role: 'user', content: 'Hi' },
    ]);
  });

  it('allowed_tools sends the subset; mode required adds the instruction', () => {
    const allowed = (mode: string) => ({
      type: 'allowed_tools',
      allowed_tools: { mode, tools: [{ type: 'function', function: { name: 'get_weather' } }] },
    });
    const auto = parseChatCompletionRequest(body({ tools: [weather, time], tool_choice: allowed('auto') }));
    expect(auto.request.tools).toEqual([sentWeather]);
    expect(auto.request.messages).toHaveLength(1);
    const required = parseChatCompletionRequest(
      body({ tools: [weather, time], tool_choice: allowed('required') }),
    );
    expect(required.request.tools).toEqual([sentWeather]);
    expect(required.request.messages[0]!.role).toBe('system');
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      'required without tools',
      { tool_choice: 'required' },
      'tool_choice',
      /only allowed when 'tools' are specified/,
    ],
    [
      'named without tools',
      { tools: [], tool_choice: { type: 'function', function: { name: 'f' } } },
      'tool_choice',
      /only allowed when 'tools' are specified/,
    ],
    [
      'named tool not in tools',
      { tools: [weather], tool_choice: { type: 'function', function: { name: 'nope' } } },
      'tool_choice.function.name',
      /no function named 'nope'/,
    ],
    [
      'a bad tool_choice string',
      { tools: [weather], tool_choice: 'always' },
      'tool_choice',
      /expected 'none'/,
    ],
    [
      'a custom tool',
      { tools: [{ type: 'custom', custom: { name: 'x' } }] },
      'tools[0].type',
      /'custom' tools are not supported/,
    ],
    ['a function tool without function', { tools: [{ type: 'function' }] }, 'tools[0].function', /Missing/],
    [
      'a bad function name',
      { tools: [{ type: 'function', function: { name: 'has space' } }] },
      'tools[0].function.name',
      /1-64 characters/,
    ],
    [
      'legacy functions',
      { functions: [{ name: 'f', parameters: {} }] },
      'functions',
      /deprecated 'functions' are not supported: send 'tools'/,
    ],
    ['legacy function_call', { function_call: 'auto' }, 'function_call', /send 'tool_choice'/],
  ])('%s → 400 (%s)', (_label, extra, param, message) => {
    const error = parseError(body(extra));
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });
});

describe('reasoning and Ollama extras', () => {
  it('maps every reasoning_effort to think (reference §4.1)', () => {
    expect(THINK_FOR_EFFORT).toEqual({
      none: false,
      minimal: 'low',
      low: 'low',
      medium: 'medium',
      high: 'high',
      xhigh: 'max',
      max: 'max',
    });
    for (const [effort, think] of Object.entries(THINK_FOR_EFFORT))
      expect(parseChatCompletionRequest(body({ reasoning_effort: effort })).request.think).toBe(think);
    expect(parseChatCompletionRequest(body({ reasoning: { effort: 'high' } })).request.think).toBe('high');
  });

  it('sends no think when the client says nothing (Ollama decides: thinking models think)', () => {
    expect('think' in parseChatCompletionRequest(body()).request).toBe(false);
    expect('think' in parseChatCompletionRequest(body({ reasoning_effort: null })).request).toBe(false);
  });

  it('an explicit Ollama think wins over reasoning_effort', () => {
    expect(parseChatCompletionRequest(body({ think: false, reasoning_effort: 'high' })).request.think).toBe(
      false,
    );
    expect(parseChatCompletionRequest(body({ think: 'max' })).request.think).toBe('max');
  });

  it('rejects an unknown effort or think value', () => {
    expect(parseError(body({ reasoning_effort: 'ultra' })).param).toBe('reasoning_effort');
    expect(parseError(body({ think: 'extreme' })).param).toBe('think');
  });

  it('num_ctx goes into options (over options.num_ctx); options and keep_alive pass through', () => {
    const { request } = parseChatCompletionRequest(
      body({ num_ctx: 4096, options: { num_ctx: 2048, top_k: 20 }, keep_alive: '1h' }),
    );
    expect(request.options).toEqual({ num_ctx: 4096, top_k: 20 });
    expect(request.keepAlive).toBe('1h');
  });
});

describe('logprobs', () => {
  it('maps logprobs and top_logprobs', () => {
    expect(parseChatCompletionRequest(body({ logprobs: true, top_logprobs: 3 })).request).toMatchObject({
      logprobs: true,
      topLogprobs: 3,
    });
    const plain = parseChatCompletionRequest(body({ logprobs: true })).request;
    expect(plain.logprobs).toBe(true);
    expect('topLogprobs' in plain).toBe(false);
    expect('logprobs' in parseChatCompletionRequest(body({ logprobs: false })).request).toBe(false);
  });

  it('rejects top_logprobs outside 0–20, or without logprobs: true', () => {
    expect(parseError(body({ logprobs: true, top_logprobs: 21 })).param).toBe('top_logprobs');
    expect(parseError(body({ logprobs: true, top_logprobs: -1 })).param).toBe('top_logprobs');
    const error = parseError(body({ top_logprobs: 2 }));
    expect(error.param).toBe('top_logprobs');
    expect(error.message).toMatch(/'logprobs' must be true/);
  });
});

describe('accepted, ignored and unsupported fields', () => {
  it('accepts (and ignores) user, metadata, store, service_tier, parallel_tool_calls, logit_bias, modalities text', () => {
    const { request } = parseChatCompletionRequest(
      body({
        user: 'u-1',
        metadata: { team: 'a' },
        store: false,
        service_tier: 'auto',
        parallel_tool_calls: false,
        logit_bias: { '50256': -100 },
        modalities: ['text'],
        seed: 7,
        max_completion_tokens: 64,
        stream_options: { include_usage: true, include_obfuscation: false },
        verbosity: 'low',
      }),
    );
    expect(request.options).toEqual({ seed: 7, num_predict: 64 });
  });

  it.each([
    ['audio', { audio: { voice: 'alloy', format: 'mp3' } }],
    ['modalities', { modalities: ['text', 'audio'] }],
    ['prediction', { prediction: { type: 'content', content: 'x' } }],
    ['web_search_options', { web_search_options: {} }],
  ])('%s → 400 unsupported_parameter', (param, extra) => {
    const error = parseError(body(extra));
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.code).toBe('unsupported_parameter');
    expect(error.message).toMatch(/^Unsupported parameter: /);
  });

  it('type-checks the accepted fields', () => {
    expect(parseError(body({ store: 'yes' })).param).toBe('store');
    expect(parseError(body({ logit_bias: { a: 'x' } })).param).toBe('logit_bias.a');
  });
});

describe('http(s) image URLs', () => {
  const withImage = (url: string) =>
    body({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            { type: 'image_url', image_url: { url } },
          ],
        },
      ],
    });

  it('are a 400 when fetching is off', () => {
    const error = parseError(withImage('https://example.com/cat.png'));
    expect(error.code).toBe('unsupported_image_url');
    expect(error.param).toBe('messages[0].content[2].image_url');
  });

  it('are listed with a placeholder slot when fetching is on', () => {
    const parsed = parseChatCompletionRequest(withImage('https://example.com/cat.png'), {
      allowImageUrls: true,
    });
    const message = parsed.request.messages[0]!;
    expect(message.images).toEqual(['AAAA', '']);
    expect(parsed.remoteImages).toEqual([
      { url: 'https://example.com/cat.png', param: 'messages[0].content[2].image_url', message, slot: 1 },
    ]);
  });

  it('other schemes stay invalid either way', () => {
    expect(parseError(withImage('file:///etc/passwd'), { allowImageUrls: true }).message).toMatch(
      /Invalid image/,
    );
  });
});
