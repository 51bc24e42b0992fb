import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { AppError, upstreamError } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../canonical/chat.types.js';
import { readNdjson } from '../../clients/ollama/ollama.client.js';
import { chunkToEvents } from '../../clients/ollama/ollama.mapping.js';
import { newRequestContext } from '../../services/request-context.js';
import { relaySse } from '../../streaming/sse-relay.js';
import { randomSplit } from '../../testing/random-split.js';
import { AnthropicStreamRenderer, PING_FRAME } from './stream.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));

/** Fixture → NDJSON reader → chunkToEvents → renderer, as the route and relaySse do it (an error event ends it). */
async function render(name: string, seed: number, model = 'qwen3:0.6b'): Promise<string> {
  const renderer = new AnthropicStreamRenderer('msg_test', model);
  let out = renderer.start();
  const state = { sawToolCall: false };
  for await (const line of readNdjson(randomSplit(fixture(name), seed)))
    for (const event of chunkToEvents(line, state)) {
      if (event.type === 'error') return out + renderer.error(upstreamError(event.message));
      out += renderer.render(event);
    }
  return out;
}

interface Frame {
  event: string;
  data: Record<string, unknown>;
}

/** Every frame must be exactly `event: <type>\ndata: <json>\n\n`, with the event name equal to data.type. */
function frames(text: string): Frame[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((raw) => {
      const match = /^event: ([a-z_]+)\ndata: ([^\n]+)$/.exec(raw);
      expect(match, raw).not.toBeNull();
      const data = JSON.parse(match![2]!) as Record<string, unknown>;
      expect(data.type).toBe(match![1]);
      return { event: match![1]!, data };
    });
}

const zeroCache = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
const messageStart = (model: string): Frame => ({
  event: 'message_start',
  data: {
    type: 'message_start',
    message: {
      id: 'msg_test',
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0, ...zeroCache },
    },
  },
});
const ping: Frame = { event: 'ping', data: { type: 'ping' } };
const blockStart = (index: number, content_block: unknown): Frame => ({
  event: 'content_block_start',
  data: { type: 'content_block_start', index, content_block },
});
const delta = (index: number, d: Record<string, unknown>): Frame => ({
  event: 'content_block_delta',
  data: { type: 'content_block_delta', index, delta: d },
});
const text = (index: number, t: string) => delta(index, { type: 'text_delta', text: t });
const thinking = (index: number, t: string) => delta(index, { type: 'thinking_delta', thinking: t });
const blockStop = (index: number): Frame => ({
  event: 'content_block_stop',
  data: { type: 'content_block_stop', index },
});
const textBlock = { type: 'text', text: '', citations: null };
const thinkingBlock = { type: 'thinking', thinking: '', signature: '' };
const finish = (stop_reason: string, input_tokens: number, output_tokens: number): Frame[] => [
  {
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason, stop_sequence: null },
      usage: { input_tokens, output_tokens, ...zeroCache },
    },
  },
  { event: 'message_stop', data: { type: 'message_stop' } },
];

const SEEDS = Array.from({ length: 20 }, (_, i) => i * 7919 + 1);

/** The official SDK as the consumer: `messages.stream()` over a fetch that answers with `sse`. */
function sdkStream(sse: string) {
  const client = new Anthropic({
    apiKey: 'test',
    baseURL: 'http://gateway.invalid',
    maxRetries: 0,
    fetch: async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            const bytes = new TextEncoder().encode(sse);
            for (let i = 0; i < bytes.length; i += 11) controller.enqueue(bytes.slice(i, i + 11));
            controller.close();
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      ),
  });
  return client.messages.stream({
    model: 'qwen3:0.6b',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'hi' }],
  });
}

describe('AnthropicStreamRenderer over recorded Ollama streams at random chunk boundaries', () => {
  it.each(SEEDS)('thinking then text (seed %i)', async (seed) => {
    expect(frames(await render('thinking-text.ndjson', seed))).toEqual([
      messageStart('qwen3:0.6b'),
      ping,
      blockStart(0, thinkingBlock),
      thinking(0, 'Silver'),
      thinking(0, ' answer'),
      thinking(0, ' island'),
      thinking(0, ' letter.'),
      blockStop(0),
      blockStart(1, textBlock),
      text(1, 'Island'),
      text(1, ' valley'),
      text(1, ' orange'),
      text(1, ' island'),
      text(1, ' answer'),
      text(1, ' bridge.'),
      blockStop(1),
      ...finish('end_turn', 11, 10),
    ]);
  });

  it.each(SEEDS)('thinking, text, two tool calls, trailing text on the done line (seed %i)', async (seed) => {
    expect(frames(await render('mixed.ndjson', seed))).toEqual([
      messageStart('qwen3:0.6b'),
      ping,
      blockStart(0, thinkingBlock),
      thinking(0, 'The user wants'),
      thinking(0, ' the weather.'),
      blockStop(0),
      blockStart(1, textBlock),
      text(1, 'Let me check'),
      text(1, ' Zürich 🌧️ "now".'),
      blockStop(1),
      blockStart(2, { type: 'tool_use', id: 'call_58idfc2i', name: 'get_weather', input: {} }),
      delta(2, { type: 'input_json_delta', partial_json: '{"city":"Zürich","days":3}' }),
      blockStop(2),
      // Ollama sent no id for this one: the gateway made one up.
      blockStart(3, { type: 'tool_use', id: expect.stringMatching(/^call_/), name: 'get_time', input: {} }),
      delta(3, { type: 'input_json_delta', partial_json: '{}' }),
      blockStop(3),
      blockStart(4, textBlock),
      text(4, ' Done.'),
      blockStop(4),
      ...finish('tool_use', 42, 9),
    ]);
  });

  it.each(SEEDS)('a tool call alone (seed %i)', async (seed) => {
    expect(frames(await render('tool-use.ndjson', seed, 'llama3.2'))).toEqual([
      messageStart('llama3.2'),
      ping,
      blockStart(0, { type: 'tool_use', id: 'call_uc9vcu4a', name: 'get_weather', input: {} }),
      delta(0, { type: 'input_json_delta', partial_json: '{"city":"light","unit":"celsius"}' }),
      blockStop(0),
      ...finish('tool_use', 8, 1),
    ]);
  });

  it.each(SEEDS)('num_predict reached → max_tokens (seed %i)', async (seed) => {
    expect(frames(await render('max-tokens.ndjson', seed, 'llama3.2'))).toEqual([
      messageStart('llama3.2'),
      ping,
      blockStart(0, textBlock),
      text(0, 'Steady'),
      text(0, ' pepper'),
      text(0, ' candle'),
      blockStop(0),
      ...finish('max_tokens', 8, 3),
    ]);
  });

  it.each(SEEDS)('an upstream error mid-stream → event: error, nothing after (seed %i)', async (seed) => {
    expect(frames(await render('error-midstream.ndjson', seed, 'llama3.2'))).toEqual([
      messageStart('llama3.2'),
      ping,
      blockStart(0, textBlock),
      text(0, 'Summer'),
      text(0, ' glacier'),
      text(0, ' window'),
      {
        event: 'error',
        data: {
          type: 'error',
          error: {
            type: 'api_error',
            message: 'an error was encountered while running the model: simulated error-midstream',
          },
        },
      },
    ]);
  });
});

describe('AnthropicStreamRenderer frames through the official SDK (MessageStream)', () => {
  it('assembles thinking, text and tool_use blocks with parsed input, the stop reason and exact usage', async () => {
    const stream = sdkStream(await render('mixed.ndjson', 3));
    const texts: string[] = [];
    const thoughts: string[] = [];
    stream.on('text', (delta) => texts.push(delta));
    stream.on('thinking', (delta) => thoughts.push(delta));
    const message = await stream.finalMessage();
    expect(message).toEqual({
      id: 'msg_test',
      type: 'message',
      role: 'assistant',
      model: 'qwen3:0.6b',
      content: [
        { type: 'thinking', thinking: 'The user wants the weather.', signature: '' },
        { type: 'text', text: 'Let me check Zürich 🌧️ "now".', citations: null },
        { type: 'tool_use', id: 'call_58idfc2i', name: 'get_weather', input: { city: 'Zürich', days: 3 } },
        { type: 'tool_use', id: expect.stringMatching(/^call_/), name: 'get_time', input: {} },
        { type: 'text', text: ' Done.', citations: null },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 42, output_tokens: 9, ...zeroCache },
      parsed_output: null, // the SDK's own addition
    });
    expect(texts.join('')).toBe('Let me check Zürich 🌧️ "now". Done.');
    expect(thoughts.join('')).toBe('The user wants the weather.');
  });

  it('ignores pings anywhere, even before message_start (keep-alives while the model loads)', async () => {
    const renderer = new AnthropicStreamRenderer('msg_test', 'm');
    const sse =
      renderer.keepAlive() +
      renderer.keepAlive() +
      renderer.start() +
      renderer.render({ type: 'text', text: 'Hi' }) +
      renderer.keepAlive() +
      renderer.render(end('stop', 3, 1));
    const message = await sdkStream(sse).finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'Hi', citations: null }]);
    expect(message.usage).toMatchObject({ input_tokens: 3, output_tokens: 1 });
    expect(message.stop_reason).toBe('end_turn');
  });

  it('throws an APIError of the error type on event: error (api_error mid-stream, overloaded_error when busy)', async () => {
    await expect(sdkStream(await render('error-midstream.ndjson', 5)).finalMessage()).rejects.toSatisfy(
      (error) =>
        error instanceof APIError &&
        error.type === 'api_error' &&
        error.message.includes('simulated error-midstream'),
    );
    const renderer = new AnthropicStreamRenderer('msg_test', 'm');
    const busy =
      renderer.start() + renderer.error(new AppError(503, 'upstream', 'The model server is busy.'));
    await expect(sdkStream(busy).finalMessage()).rejects.toSatisfy(
      (error) => error instanceof APIError && error.type === 'overloaded_error',
    );
  });
});

describe('relaySse with the Anthropic renderer', () => {
  it('sends `event: ping` (not SSE comments) while waiting for the upstream, then the stream', async () => {
    const events: ChatEvent[] = [{ type: 'text', text: 'Hello' }, end('stop', 5, 1)];
    const server = createServer((_req, res) => {
      void relaySse(res, {
        open: async () => {
          await new Promise((resolve) => setTimeout(resolve, 200));
          return (async function* () {
            yield* events;
          })();
        },
        renderer: new AnthropicStreamRenderer('msg_test', 'm'),
        context: newRequestContext({
          requestId: 'r',
          dialect: 'anthropic',
          endpoint: '/v1/messages',
          clientIp: null,
          userAgent: null,
          startedAt: 0,
        }),
        keepAliveMs: 40,
        signal: new AbortController().signal,
      });
    }).listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const body = await response.text();
      expect(body.startsWith(PING_FRAME)).toBe(true);
      expect(body).not.toMatch(/^: ping/m);
      const list = frames(body);
      const firstReal = list.findIndex((f) => f.event !== 'ping');
      expect(firstReal).toBeGreaterThan(0);
      expect(list.slice(firstReal).map((f) => f.event)).toEqual([
        'message_start',
        'ping',
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
    } finally {
      server.close();
    }
  });
});

function end(finishReason: 'stop' | 'length' | 'tool_calls', promptTokens: number, completionTokens: number) {
  return {
    type: 'end',
    finishReason,
    usage: { promptTokens, completionTokens },
    timings: {
      loadDurationNs: null,
      promptEvalDurationNs: null,
      evalDurationNs: null,
      totalDurationNs: null,
    },
    createdAt: '2026-11-23T15:20:01Z',
  } satisfies ChatEvent;
}
