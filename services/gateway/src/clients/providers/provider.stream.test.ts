import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../canonical/chat.types.js';
import { randomSplit } from '../../testing/random-split.js';
import { anthropicEvents } from './anthropic/anthropic.client.js';
import { openAIEvents } from './openai/openai.client.js';
import { readSse } from './provider.http.js';
import { NO_TIMINGS } from './provider.mapping.js';
import { ProviderError } from './provider.types.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));

/** Replays a recorded stream cut at random places and collects the canonical events (createdAt normalised). */
async function replay(
  events: (name: string, body: AsyncIterable<Uint8Array>) => AsyncIterable<ChatEvent>,
  name: string,
  seed: number,
): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const event of events('test-provider', randomSplit(fixture(name), seed)))
    out.push(event.type === 'end' ? { ...event, createdAt: 'T' } : event);
  return out;
}

const end = (
  finishReason: 'stop' | 'length' | 'tool_calls',
  promptTokens: number,
  completionTokens: number,
) =>
  ({
    type: 'end',
    finishReason,
    usage: { promptTokens, completionTokens },
    timings: NO_TIMINGS,
    createdAt: 'T',
  }) as const;

const SEEDS = Array.from({ length: 25 }, (_, i) => i + 1);

describe('readSse', () => {
  it('reads fields, joins data lines, skips comments, takes any line ending, drops an unfinished event', async () => {
    const text =
      ': comment\n\nevent: a\ndata: one\ndata:two\n\nid: 7\r\ndata: {"x": 1}\r\n\r\nretry: 5\rdata: last';
    const frames = [];
    for await (const frame of readSse(randomSplit(new TextEncoder().encode(text), 3))) frames.push(frame);
    expect(frames).toEqual([{ event: 'a', data: 'one\ntwo' }, { data: '{"x": 1}' }]);
  });
});

describe('OpenAI-compatible stream replay (random chunk boundaries)', () => {
  it.each(SEEDS)('text with multi-byte UTF-8 and the include_usage chunk, seed %i', async (seed) => {
    expect(await replay(openAIEvents, 'openai-text.sse', seed)).toEqual([
      { type: 'text', text: 'Bonjour' },
      { type: 'text', text: ', café' },
      { type: 'text', text: ' déjà vu' },
      { type: 'text', text: ' 🌍🚀' },
      { type: 'text', text: ' 日本語' },
      { type: 'text', text: ' — “fin” 👋🏽' },
      end('stop', 19, 11),
    ]);
  });

  it.each(SEEDS)('parallel tool calls in fragments, joined per index, seed %i', async (seed) => {
    expect(await replay(openAIEvents, 'openai-tools.sse', seed)).toEqual([
      { type: 'tool_call', call: { id: 'call_Wl3Q1', name: 'get_weather', arguments: '{"city": "Paris"}' } },
      {
        type: 'tool_call',
        call: { id: 'call_Xk9Z2', name: 'get_time', arguments: '{"tz": "Europe/Paris"}' },
      },
      end('tool_calls', 82, 41),
    ]);
  });

  it.each(SEEDS)(
    'OpenRouter: comments, reasoning deltas, CRLF and usage on the finish chunk, seed %i',
    async (seed) => {
      expect(await replay(openAIEvents, 'openrouter-reasoning.sse', seed)).toEqual([
        { type: 'thinking', text: 'Think' },
        { type: 'thinking', text: 'ing hard.' },
        { type: 'text', text: 'Forty' },
        { type: 'text', text: '-two.' },
        end('stop', 14, 9),
      ]);
    },
  );

  it.each(SEEDS.slice(0, 5))('an error frame mid-stream becomes an error event, seed %i', async (seed) => {
    expect(await replay(openAIEvents, 'openai-error-midstream.sse', seed)).toEqual([
      { type: 'text', text: 'Partial' },
      { type: 'text', text: ' answer' },
      { type: 'error', message: 'The server had an error while processing your request. Sorry about that!' },
    ]);
  });

  it('a stream cut before its finish reason fails (retryable), not a silent end', async () => {
    const cut = fixture('openai-text.sse').subarray(0, 700);
    const seen: ChatEvent[] = [];
    const error = await (async () => {
      for await (const event of openAIEvents('p', randomSplit(cut, 1))) seen.push(event);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).code).toBe('provider_incomplete');
    expect(seen.every((event) => event.type === 'text')).toBe(true);
  });

  it('a malformed frame fails with provider_bad_response', async () => {
    const bytes = new TextEncoder().encode(
      'data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: {oops\n\n',
    );
    const error = await (async () => {
      for await (const _ of openAIEvents('p', randomSplit(bytes, 2))) void _;
    })().catch((caught: unknown) => caught);
    expect((error as ProviderError).code).toBe('provider_bad_response');
  });
});

describe('Anthropic stream replay (random chunk boundaries)', () => {
  it.each(SEEDS)('text then tool_use blocks, input joined from input_json_delta, seed %i', async (seed) => {
    expect(await replay(anthropicEvents, 'anthropic-tool-use.sse', seed)).toEqual([
      { type: 'text', text: "I'll check" },
      { type: 'text', text: ' the weather in Paris ☀️.' },
      {
        type: 'tool_call',
        call: {
          id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn',
          name: 'get_weather',
          arguments: '{"location": "Paris", "unit": "celsius"}',
        },
      },
      { type: 'tool_call', call: { id: 'toolu_01Empty', name: 'get_time', arguments: '{}' } },
      end('tool_calls', 377, 65),
    ]);
  });

  it.each(SEEDS)(
    'thinking (signature dropped), text, max_tokens, cumulative usage, seed %i',
    async (seed) => {
      expect(await replay(anthropicEvents, 'anthropic-thinking.sse', seed)).toEqual([
        { type: 'thinking', text: 'Let me think' },
        { type: 'thinking', text: ' about «this» 🤔.' },
        { type: 'text', text: 'Forty-two, naïvely.' },
        end('length', 42, 17),
      ]);
    },
  );

  it.each(SEEDS.slice(0, 5))('an error event mid-stream becomes an error event, seed %i', async (seed) => {
    expect(await replay(anthropicEvents, 'anthropic-error-midstream.sse', seed)).toEqual([
      { type: 'text', text: 'Partial' },
      { type: 'error', message: 'Overloaded' },
    ]);
  });
});
