import { AppError, tooManyRequests, upstreamError } from '@ollama-gateway/runtime';
import { APIError } from 'openai';
import { Stream } from 'openai/core/streaming';
import { describe, expect, it } from 'vitest';
import type { ChatEvent, UpstreamTimings } from '../../canonical/chat.types.js';
import { OpenAIChatStreamRenderer } from './stream.js';

const timings: UpstreamTimings = {
  loadDurationNs: null,
  promptEvalDurationNs: null,
  evalDurationNs: null,
  totalDurationNs: null,
};
const end = (finishReason: 'stop' | 'length' | 'tool_calls', promptTokens = 9, completionTokens = 12) =>
  ({
    type: 'end',
    finishReason,
    usage: { promptTokens, completionTokens },
    timings,
    createdAt: '2025-07-07T20:22:19.184789Z',
  }) satisfies ChatEvent;

/** Renders a whole stream: start, each event. */
function renderAll(includeUsage: boolean, events: ChatEvent[]): string {
  const renderer = new OpenAIChatStreamRenderer('chatcmpl-abc123', 'llama3.2', 1694268190, includeUsage);
  return renderer.start() + events.map((event) => renderer.render(event)).join('');
}

/** Splits SSE text into its `data:` payloads; every frame must be exactly `data: …\n\n`. */
function frames(text: string): string[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      expect(frame.includes('\n')).toBe(false);
      return frame.slice('data: '.length);
    });
}

interface Chunk {
  id: string;
  object: string;
  created: number;
  model: string;
  system_fingerprint: string;
  choices: { index: number; delta: Record<string, unknown>; logprobs: null; finish_reason: string | null }[];
  usage?: unknown;
}

function chunks(text: string): { chunks: Chunk[]; done: boolean } {
  const data = frames(text);
  const done = data.at(-1) === '[DONE]';
  return { chunks: (done ? data.slice(0, -1) : data).map((d) => JSON.parse(d) as Chunk), done };
}

const sseResponse = (text: string) =>
  new Response(
    new ReadableStream({
      start(controller) {
        // Deliver in small pieces so the SDK's own line splitting is exercised too.
        const bytes = new TextEncoder().encode(text);
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
        controller.close();
      },
    }),
    { headers: { 'content-type': 'text/event-stream' } },
  );

async function sdkItems(text: string): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of Stream.fromSSEResponse<unknown>(sseResponse(text), new AbortController()))
    items.push(item);
  return items;
}

describe('OpenAIChatStreamRenderer', () => {
  it('renders a text stream exactly (no include_usage: no usage key anywhere)', () => {
    const text = renderAll(false, [
      { type: 'text', text: 'Hello' },
      { type: 'text', text: ' wörld 🌍 "quoted"\n' },
      end('stop'),
    ]);
    const { chunks: list, done } = chunks(text);
    expect(done).toBe(true);
    const envelope = {
      id: 'chatcmpl-abc123',
      object: 'chat.completion.chunk',
      created: 1694268190,
      model: 'llama3.2',
      system_fingerprint: 'fp_ollama',
    };
    const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({
      ...envelope,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
    expect(list).toEqual([
      choice({ role: 'assistant', content: '' }),
      choice({ content: 'Hello' }),
      choice({ content: ' wörld 🌍 "quoted"\n' }),
      choice({}, 'stop'),
    ]);
    for (const chunk of list) expect('usage' in chunk).toBe(false);
  });

  it('with include_usage: usage null on every choice chunk, then a usage chunk with choices [] before [DONE]', () => {
    const text = renderAll(true, [{ type: 'text', text: 'Hi' }, end('length', 19, 3)]);
    const data = frames(text);
    expect(data.at(-1)).toBe('[DONE]');
    const list = data.slice(0, -1).map((d) => JSON.parse(d) as Chunk);
    expect(list).toHaveLength(4);
    for (const chunk of list.slice(0, -1)) {
      expect(chunk.usage).toBeNull();
      expect(chunk.choices).toHaveLength(1);
    }
    expect(list[2]!.choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'length' });
    const last = list.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 19, completion_tokens: 3, total_tokens: 22 });
    // id, object, created, model identical across every chunk
    for (const chunk of list) {
      expect([chunk.id, chunk.object, chunk.created, chunk.model]).toEqual([
        'chatcmpl-abc123',
        'chat.completion.chunk',
        1694268190,
        'llama3.2',
      ]);
    }
  });

  it('renders reasoning as reasoning_content deltas', () => {
    const { chunks: list } = chunks(
      renderAll(false, [
        { type: 'thinking', text: 'Let me think' },
        { type: 'text', text: 'Answer' },
        end('stop'),
      ]),
    );
    expect(list.map((c) => c.choices[0]!.delta)).toEqual([
      { role: 'assistant', content: '' },
      { reasoning_content: 'Let me think' },
      { content: 'Answer' },
      {},
    ]);
  });

  it('renders tool calls whole, with a running index across events and type "function"', () => {
    const { chunks: list } = chunks(
      renderAll(false, [
        { type: 'tool_call', call: { id: 'call_a', name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
        { type: 'tool_call', call: { id: 'call_b', name: 'get_time', arguments: '{}' } },
        { type: 'tool_call', call: { id: 'call_c', name: 'get_news', arguments: '{"topic":"é"}' } },
        end('tool_calls'),
      ]),
    );
    const calls = list.slice(1, 4).map((c) => c.choices[0]!.delta);
    expect(calls).toEqual([
      {
        tool_calls: [
          {
            index: 0,
            id: 'call_a',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' },
          },
        ],
      },
      {
        tool_calls: [
          { index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      {
        tool_calls: [
          {
            index: 2,
            id: 'call_c',
            type: 'function',
            function: { name: 'get_news', arguments: '{"topic":"é"}' },
          },
        ],
      },
    ]);
    for (const delta of calls) {
      const args = (delta.tool_calls as { function: { arguments: unknown } }[])[0]!.function.arguments;
      expect(typeof args).toBe('string');
      JSON.parse(args as string);
    }
    expect(list.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('renders an error event and an AppError as OpenAI error frames (no [DONE])', () => {
    const renderer = new OpenAIChatStreamRenderer('chatcmpl-x', 'm', 1, true);
    renderer.start();
    expect(JSON.parse(frames(renderer.render({ type: 'error', message: 'model crashed' }))[0]!)).toEqual({
      error: { message: 'model crashed', type: 'server_error', param: null, code: null },
    });
    const fromAppError = JSON.parse(
      frames(renderer.error(upstreamError('lost', { code: 'upstream_connection_lost' })))[0]!,
    );
    expect(fromAppError).toEqual({
      error: { message: 'lost', type: 'server_error', param: null, code: null },
    });
    expect(JSON.parse(frames(renderer.error(tooManyRequests('slow down', { code: 'tokens' })))[0]!)).toEqual({
      error: { message: 'slow down', type: 'tokens', param: null, code: 'rate_limit_exceeded' },
    });
  });

  it('tracks whether it started and exposes its id', () => {
    const renderer = new OpenAIChatStreamRenderer('chatcmpl-y', 'm', 1, false);
    expect(renderer.hasStarted).toBe(false);
    renderer.start();
    expect(renderer.hasStarted).toBe(true);
    expect(renderer.streamId).toBe('chatcmpl-y');
  });

  it('escapes model names and ids safely in the pre-serialised envelope', () => {
    const renderer = new OpenAIChatStreamRenderer('chatcmpl-"x"', 'we"ird\\model', 5, false);
    const chunk = JSON.parse(frames(renderer.start())[0]!) as Chunk;
    expect(chunk.id).toBe('chatcmpl-"x"');
    expect(chunk.model).toBe('we"ird\\model');
  });
});

describe('OpenAIChatStreamRenderer frames through the openai SDK SSE parser', () => {
  it('yields every chunk, including the usage chunk, and stops at [DONE]', async () => {
    const text = renderAll(true, [
      { type: 'thinking', text: 'hmm' },
      { type: 'text', text: 'Héllo 👋' },
      { type: 'tool_call', call: { id: 'call_a', name: 'f', arguments: '{"a":1}' } },
      end('tool_calls', 5, 7),
    ]);
    const items = await sdkItems(text);
    expect(items).toEqual(chunks(text).chunks);
    expect(items).toHaveLength(6);
    expect(items.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 12 } });
  });

  it('throws an APIError carrying the error object on an error frame', async () => {
    const renderer = new OpenAIChatStreamRenderer('chatcmpl-z', 'm', 1, false);
    const text =
      renderer.start() +
      renderer.render({ type: 'text', text: 'partial' }) +
      renderer.error(new AppError(502, 'upstream', 'The model server failed mid-response.'));
    const seen: unknown[] = [];
    let caught: unknown;
    try {
      for await (const item of Stream.fromSSEResponse<unknown>(sseResponse(text), new AbortController()))
        seen.push(item);
    } catch (error) {
      caught = error;
    }
    expect(seen).toHaveLength(2);
    expect(caught).toBeInstanceOf(APIError);
    expect((caught as APIError).message).toContain('The model server failed mid-response.');
    expect((caught as APIError).type).toBe('server_error');
  });
});
