import { type CloudStub, startCloudStub } from '@ollama-gateway/cloud-stub';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatEvent, ChatRequest } from '../../canonical/chat.types.js';
import { isAbort } from '../ollama/ollama.client.js';
import { createAnthropicClient } from './anthropic/anthropic.client.js';
import { createOpenAICompatibleClient } from './openai/openai.client.js';
import { NO_TIMINGS } from './provider.mapping.js';
import { type ProviderClient, ProviderError } from './provider.types.js';

let stub: CloudStub;
let openai: ProviderClient;
let anthropic: ProviderClient;

beforeAll(async () => {
  stub = await startCloudStub();
  openai = createOpenAICompatibleClient({
    name: 'stub-openai',
    type: 'openai',
    baseUrl: `${stub.url}/v1`,
    apiKey: stub.config.openaiKey,
    headers: { 'x-title': 'gateway-test' },
    timeoutMs: 2000,
  });
  anthropic = createAnthropicClient({
    name: 'stub-anthropic',
    baseUrl: stub.url,
    apiKey: stub.config.anthropicKey,
    timeoutMs: 2000,
    defaultMaxTokens: 512,
  });
});
afterAll(async () => {
  await openai?.close();
  await anthropic?.close();
  await stub?.close();
});
beforeEach(() => stub.reset());

const request = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'llama3.2',
  messages: [
    { role: 'system', content: 'Be brief' },
    { role: 'user', content },
  ],
  stream: false,
  options: {},
  ...extra,
});

const never = new AbortController().signal;

async function collect(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const weather = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe.each([
  ['openai', () => openai, '/v1/chat/completions'],
  ['anthropic', () => anthropic, '/v1/messages'],
] as const)('%s provider client against the cloud stub', (kind, client, path) => {
  it('maps a whole answer: content, usage from the provider, no timings, the requested model echoed', async () => {
    const result = await client().complete(request('Hello there'), 'stub-model', never);
    expect(result.model).toBe('llama3.2');
    expect(result.content.split(' ')).toHaveLength(8);
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({ promptTokens: 12, completionTokens: 8 });
    expect(result.timings).toEqual(NO_TIMINGS);
    const sent = stub.requests()[0]!;
    expect(sent.path).toBe(path);
    expect(sent.model).toBe('stub-model');
  });

  it('streams the same answer as events with the usage in the end event', async () => {
    const whole = await client().complete(request('Stream me'), 'stub-model', never);
    const events = await collect(
      await client().stream(request('Stream me', { stream: true }), 'stub-model', never),
    );
    const text = events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
    expect(text).toBe(whole.content);
    expect(events.at(-1)).toMatchObject({ type: 'end', finishReason: 'stop', usage: whole.usage });
  });

  it('maps a tool call both ways (request tools, answer tool_call with JSON arguments)', async () => {
    const result = await client().complete(
      request('Weather? [[stub:tool]]', { tools: [weather] }),
      'stub-model',
      never,
    );
    expect(result.finishReason).toBe('tool_calls');
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]).toMatchObject({ name: 'get_weather', arguments: '{"city":"stub"}' });
    const events = await collect(
      await client().stream(
        request('Weather? [[stub:tool]]', { tools: [weather], stream: true }),
        'm',
        never,
      ),
    );
    expect(events.filter((event) => event.type === 'tool_call')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'end', finishReason: 'tool_calls' });
  });

  it('sends max tokens and stop, and reports length', async () => {
    const result = await client().complete(
      request('Long', { options: { num_predict: 3, stop: ['zzz'], temperature: 1.5 } }),
      'm',
      never,
    );
    expect(result.finishReason).toBe('length');
    expect(result.usage.completionTokens).toBe(3);
  });

  it('fails with a non-retryable ProviderError on a wrong key, without the key in the message', async () => {
    stub.setConfig({ openaiKey: 'another-key', anthropicKey: 'another-key' });
    try {
      const error = await client()
        .complete(request('Hi'), 'm', never)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ providerStatus: 401, retryable: false });
      expect((error as Error).message).not.toContain('sk-stub-openai');
      expect((error as Error).message).not.toContain('sk-ant-stub');
    } finally {
      stub.setConfig({ openaiKey: 'sk-stub-openai', anthropicKey: 'sk-ant-stub' });
    }
  });

  it('fails with a retryable ProviderError on 5xx and 429', async () => {
    for (const marker of ['[[stub:error-500]]', '[[stub:error-429]]', '[[stub:error-529]]']) {
      const error = await client()
        .complete(request(`Hi ${marker}`), 'm', never)
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ retryable: true });
    }
  });

  it('times out on a provider that never answers, and aborts when the caller does', async () => {
    // A client of its own with a short timeout (the stub hangs until the client goes away).
    const impatient =
      kind === 'openai'
        ? createOpenAICompatibleClient({
            name: 'p',
            type: 'openai',
            baseUrl: `${stub.url}/v1`,
            apiKey: stub.config.openaiKey,
            timeoutMs: 500,
          })
        : createAnthropicClient({
            name: 'p',
            baseUrl: stub.url,
            apiKey: stub.config.anthropicKey,
            timeoutMs: 500,
            defaultMaxTokens: 10,
          });
    const error = await impatient
      .complete(request('Hi [[stub:hang]]'), 'm', never)
      .catch((caught: unknown) => caught);
    await impatient.close();
    expect(error).toMatchObject({ code: 'provider_timeout', retryable: true });

    const controller = new AbortController();
    const pending = client()
      .stream(request('Hi [[stub:hang]]', { stream: true }), 'm', controller.signal)
      .catch((caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    const aborted = await pending;
    // The stub answers the stream's headers at once, so the abort hits the body: events() then fails or ends.
    if (!isAbort(aborted))
      await expect(collect(aborted as AsyncIterable<ChatEvent>)).rejects.toSatisfy((e: unknown) =>
        isAbort(e),
      );
    await expect.poll(() => stub.stats().cancellations).toBeGreaterThanOrEqual(2);
  });
});

describe('request mapping as the providers receive it', () => {
  it('OpenAI: stream_options.include_usage, max_completion_tokens, images as data URLs, tool history, Bearer key', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUg';
    await collect(
      await openai.stream(
        {
          model: 'llama3.2',
          stream: true,
          options: {
            num_predict: 50,
            temperature: 0.2,
            top_p: 0.9,
            seed: 7,
            stop: ['a', 'b', 'c', 'd', 'e'],
          },
          format: 'json',
          tools: [weather],
          messages: [
            { role: 'system', content: 'sys' },
            { role: 'user', content: 'look', images: [png] },
            {
              role: 'assistant',
              content: '',
              toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"P"}' }],
            },
            { role: 'tool', content: '21C', toolCallId: 'call_1', toolName: 'get_weather' },
          ],
        },
        'gpt-4o-mini',
        never,
      ),
    );
    const sent = stub.requests()[0]!;
    expect(sent.headers.authorization).toBe('Bearer sk-stub-openai');
    expect(sent.body).toEqual({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      seed: 7,
      stop: ['a', 'b', 'c', 'd'],
      response_format: { type: 'json_object' },
      tools: [weather],
      messages: [
        { role: 'system', content: 'sys' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"P"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '21C' },
      ],
    });
  });

  it('Anthropic: system, merged tool results, tool_use history, capped temperature, x-api-key and version', async () => {
    await anthropic.complete(
      {
        model: 'llama3.2',
        stream: false,
        options: { temperature: 1.7, top_k: 40, stop: ['END'] },
        tools: [weather],
        messages: [
          { role: 'system', content: 'one' },
          { role: 'system', content: 'two' },
          { role: 'user', content: 'weather in P and Q?' },
          {
            role: 'assistant',
            content: 'Checking.',
            thinking: 'dropped',
            toolCalls: [
              { id: 'toolu_1', name: 'get_weather', arguments: '{"city":"P"}' },
              { id: 'toolu_2', name: 'get_weather', arguments: '{"city":"Q"}' },
            ],
          },
          { role: 'tool', content: '21C', toolCallId: 'toolu_1' },
          { role: 'tool', content: '9C', toolCallId: 'toolu_2' },
          { role: 'user', content: 'thanks' },
        ],
      },
      'claude-haiku-4-5',
      never,
    );
    const sent = stub.requests()[0]!;
    expect(sent.headers).toMatchObject({ 'x-api-key': 'sk-ant-stub', 'anthropic-version': '2023-06-01' });
    expect(sent.body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 512,
      stream: false,
      system: 'one\n\ntwo',
      temperature: 1,
      top_k: 40,
      stop_sequences: ['END'],
      tools: [{ name: 'get_weather', input_schema: weather.function.parameters }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'weather in P and Q?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'P' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Q' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '21C' },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: '9C' },
            { type: 'text', text: 'thanks' },
          ],
        },
      ],
    });
  });
});
