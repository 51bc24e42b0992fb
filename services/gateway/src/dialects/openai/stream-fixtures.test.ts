import { readFileSync } from 'node:fs';
import { upstreamError } from '@ollama-gateway/runtime';
import OpenAI from 'openai';
import { Stream } from 'openai/core/streaming';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNdjson } from '../../clients/ollama/ollama.client.js';
import { chunkToEvents } from '../../clients/ollama/ollama.mapping.js';
import { haveOpenAISpec, openAISchemaValidator, type SchemaValidator } from '../../testing/openapi.js';
import { randomSplit } from '../../testing/random-split.js';
import { OpenAIChatStreamRenderer } from './stream.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));

const ID = 'chatcmpl-fixture';
const CREATED = 1763911000;

/** Fixture → NDJSON reader → chunkToEvents → renderer, as the route and relaySse do it. */
async function render(
  name: string,
  seed: number,
  options: { model: string; includeUsage?: boolean; logprobs?: boolean },
): Promise<string> {
  const renderer = new OpenAIChatStreamRenderer(
    ID,
    options.model,
    CREATED,
    options.includeUsage ?? true,
    options.logprobs ?? false,
  );
  let out = renderer.start();
  const state = { sawToolCall: false };
  for await (const line of readNdjson(randomSplit(fixture(name), seed)))
    for (const event of chunkToEvents(line, state)) {
      if (event.type === 'error') return out + renderer.error(upstreamError(event.message));
      out += renderer.render(event);
    }
  return out;
}

/** `data:` payloads of an SSE text; every frame must be exactly `data: …\n\n`, the last `[DONE]`. */
function chunksOf(text: string): Record<string, unknown>[] {
  expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  return text
    .slice(0, -'data: [DONE]\n\n'.length - 2)
    .split('\n\n')
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      return JSON.parse(frame.slice('data: '.length)) as Record<string, unknown>;
    });
}

const chunk = (
  model: string,
  delta: Record<string, unknown>,
  finish: string | null = null,
  logprobs: unknown = null,
) => ({
  id: ID,
  object: 'chat.completion.chunk',
  created: CREATED,
  model,
  system_fingerprint: 'fp_ollama',
  choices: [{ index: 0, delta, logprobs, finish_reason: finish }],
  usage: null,
});
const usageChunk = (model: string, prompt: number, completion: number) => ({
  id: ID,
  object: 'chat.completion.chunk',
  created: CREATED,
  model,
  system_fingerprint: 'fp_ollama',
  choices: [],
  usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
});
const start = (model: string) => chunk(model, { role: 'assistant', content: '' });

const weatherCall = {
  index: 0,
  id: 'call_ipd7cu9k',
  type: 'function',
  function: { name: 'get_weather', arguments: '{"city":"light","unit":"celsius"}' },
};
const timeCall = {
  index: 1,
  id: 'call_5vo6k8d7',
  type: 'function',
  function: { name: 'get_time', arguments: '{"city":"voyage"}' },
};

const lp = (token: string, logprob: number, top: [string, number][]) => {
  const bytes = (t: string) => [...new TextEncoder().encode(t)];
  return {
    content: [
      {
        token,
        logprob,
        bytes: bytes(token),
        top_logprobs: top.map(([t, l]) => ({ token: t, logprob: l, bytes: bytes(t) })),
      },
    ],
    refusal: null,
  };
};

const THINKING = [' light', ' ocean', ' valley', ' velvet', ' planet', ' needle', ' falcon.'];

const EXPECTED: Record<string, { model: string; logprobs?: boolean; chunks: unknown[] }> = {
  'parallel-tools.ndjson': {
    model: 'llama3.2',
    chunks: [
      start('llama3.2'),
      chunk('llama3.2', { tool_calls: [weatherCall] }),
      chunk('llama3.2', { tool_calls: [timeCall] }),
      chunk('llama3.2', {}, 'tool_calls'),
      usageChunk('llama3.2', 13, 1),
    ],
  },
  // Each call in its own line, both with Ollama's function.index 0: the gateway's running index still counts 0, 1.
  'parallel-tools-split.ndjson': {
    model: 'llama3.2',
    chunks: [
      start('llama3.2'),
      chunk('llama3.2', { tool_calls: [weatherCall] }),
      chunk('llama3.2', { tool_calls: [timeCall] }),
      chunk('llama3.2', {}, 'tool_calls'),
      usageChunk('llama3.2', 13, 2),
    ],
  },
  'thinking-text.ndjson': {
    model: 'qwen3:0.6b',
    chunks: [
      start('qwen3:0.6b'),
      ...['Copper', ...THINKING].map((text) => chunk('qwen3:0.6b', { reasoning_content: text })),
      ...['Planet', ' island', ' number', ' jungle.'].map((text) => chunk('qwen3:0.6b', { content: text })),
      chunk('qwen3:0.6b', {}, 'stop'),
      usageChunk('qwen3:0.6b', 10, 12),
    ],
  },
  'logprobs.ndjson': {
    model: 'llama3.2',
    logprobs: true,
    chunks: [
      start('llama3.2'),
      chunk(
        'llama3.2',
        { content: 'Quick' },
        null,
        lp('Quick', -0.307, [
          ['Quick', -0.307],
          ['The', -1.057],
        ]),
      ),
      chunk(
        'llama3.2',
        { content: ' winter' },
        null,
        lp(' winter', -0.108, [
          [' winter', -0.108],
          [' shadow', -0.858],
        ]),
      ),
      chunk(
        'llama3.2',
        { content: ' café.' },
        null,
        lp(' café.', -0.734, [
          [' café.', -0.734],
          [' copper', -1.484],
        ]),
      ),
      chunk('llama3.2', {}, 'stop'),
      usageChunk('llama3.2', 7, 3),
    ],
  },
};

const SEEDS = Array.from({ length: 12 }, (_, i) => i * 7919 + 3);
let validateChunk: SchemaValidator | undefined;

beforeAll(async () => {
  if (haveOpenAISpec) validateChunk = await openAISchemaValidator('CreateChatCompletionStreamResponse');
});

describe('OpenAI chat stream over recorded Ollama streams at random chunk boundaries', () => {
  for (const [name, expected] of Object.entries(EXPECTED))
    it.each(SEEDS)(
      `${name} renders the exact chunks (seed %i), each valid against the spec`,
      async (seed) => {
        const list = chunksOf(
          await render(name, seed, { model: expected.model, logprobs: expected.logprobs ?? false }),
        );
        expect(list).toEqual(expected.chunks);
        if (validateChunk)
          for (const item of list) {
            const valid = validateChunk(item);
            expect(validateChunk.errors ?? [], JSON.stringify(item)).toEqual([]);
            expect(valid).toBe(true);
          }
      },
    );

  it('without logprobs asked, content chunks carry logprobs: null even when Ollama sent some', async () => {
    const list = chunksOf(await render('logprobs.ndjson', 1, { model: 'llama3.2', includeUsage: false }));
    expect(list.map((item) => (item.choices as { logprobs: unknown }[])[0]!.logprobs)).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(list.every((item) => !('usage' in item))).toBe(true);
  });
});

/** The official SDK as the consumer: `chat.completions.stream()` over a fetch that answers with `sse`. */
function sdkClient(sse: string): OpenAI {
  return new OpenAI({
    apiKey: 'test',
    baseURL: 'http://gateway.invalid/v1',
    maxRetries: 0,
    fetch: async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            const bytes = new TextEncoder().encode(sse);
            for (let i = 0; i < bytes.length; i += 13) controller.enqueue(bytes.slice(i, i + 13));
            controller.close();
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      ),
  });
}

describe('the openai SDK accepts the streams', () => {
  it('ChatCompletionStream accumulates two parallel tool calls into finalChatCompletion()', async () => {
    const sse = await render('parallel-tools.ndjson', 5, { model: 'llama3.2' });
    const stream = sdkClient(sse).chat.completions.stream({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'weather and time' }],
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } },
      ],
      stream_options: { include_usage: true },
    });
    const done: { name: string; index: number; arguments: string }[] = [];
    stream.on('tool_calls.function.arguments.done', (event) => done.push(event));
    const final = await stream.finalChatCompletion();
    expect(done.map((event) => [event.index, event.name])).toEqual([
      [0, 'get_weather'],
      [1, 'get_time'],
    ]);
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(final.choices[0]!.message.tool_calls).toEqual([
      { id: weatherCall.id, type: 'function', function: weatherCall.function },
      { id: timeCall.id, type: 'function', function: timeCall.function },
    ]);
    expect(final.usage).toEqual({ prompt_tokens: 13, completion_tokens: 1, total_tokens: 14 });
  });

  it('ChatCompletionStream collects content and logprobs', async () => {
    const sse = await render('logprobs.ndjson', 9, { model: 'llama3.2', logprobs: true });
    const final = await sdkClient(sse)
      .chat.completions.stream({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'hi' }],
        logprobs: true,
        top_logprobs: 2,
      })
      .finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('Quick winter café.');
    expect(final.choices[0]!.logprobs?.content?.map((entry) => entry.token)).toEqual([
      'Quick',
      ' winter',
      ' café.',
    ]);
  });

  it('the raw SSE parser yields every chunk of the thinking stream', async () => {
    const sse = await render('thinking-text.ndjson', 2, { model: 'qwen3:0.6b' });
    const items: unknown[] = [];
    const response = await sdkClient(sse).chat.completions.create({
      model: 'qwen3:0.6b',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    for await (const item of response) items.push(item);
    expect(items).toEqual(EXPECTED['thinking-text.ndjson']!.chunks);
    expect(Stream).toBeDefined();
  });
});
