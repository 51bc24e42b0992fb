import { readFileSync } from 'node:fs';
import { AppError, upstreamError } from '@ollama-gateway/runtime';
import OpenAI, { APIError } from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatEvent, ChatResult } from '../../canonical/chat.types.js';
import { readNdjson } from '../../clients/ollama/ollama.client.js';
import { chunkToEvents } from '../../clients/ollama/ollama.mapping.js';
import { haveOpenAISpec, openAISchemaValidator, type SchemaValidator } from '../../testing/openapi.js';
import { randomSplit } from '../../testing/random-split.js';
import { parseResponsesRequest } from './responses.js';
import { toResponse } from './responses.output.js';
import { ResponsesStreamRenderer } from './responses.stream.js';
import type { ResponseMeta } from './responses.types.js';

// Recorded Ollama /api/chat streams (shared with the other dialects' stream tests).
const fixture = (name: string) =>
  readFileSync(
    new URL(
      name === 'thinking.ndjson'
        ? `../../clients/ollama/__fixtures__/${name}`
        : `../anthropic/__fixtures__/${name}`,
      import.meta.url,
    ),
  );

const meta = (model: string, extra: Record<string, unknown> = {}): ResponseMeta => ({
  requestId: 'req1',
  model,
  createdAt: 1_790_000_000,
  echo: parseResponsesRequest({ model, input: 'Hi', ...extra }).echo,
});

/** Fixture → NDJSON reader → chunkToEvents → renderer, as the route and relaySse do it (an error event ends it). */
async function render(name: string, seed: number, model = 'qwen3:0.6b') {
  const renderer = new ResponsesStreamRenderer(meta(model), () => ({ promptTokens: 0, completionTokens: 3 }));
  let out = renderer.start();
  const events: ChatEvent[] = [];
  const state = { sawToolCall: false };
  for await (const line of readNdjson(randomSplit(fixture(name), seed)))
    for (const event of chunkToEvents(line, state)) {
      events.push(event);
      if (event.type === 'error')
        return { sse: out + renderer.error(upstreamError(event.message)), events, renderer };
      out += renderer.render(event);
    }
  return { sse: out, events, renderer };
}

interface Frame {
  event: string;
  data: Record<string, unknown>;
}

let streamEvent: SchemaValidator | undefined;
let responseSchema: SchemaValidator | undefined;
beforeAll(async () => {
  if (!haveOpenAISpec) return;
  streamEvent = await openAISchemaValidator('ResponseStreamEvent');
  responseSchema = await openAISchemaValidator('Response');
});

/**
 * Every frame must be exactly `event: <type>\ndata: <json>\n\n`, the event name equal to data.type, sequence
 * numbers 0, 1, 2, …, and each data a valid `ResponseStreamEvent` of the spec.
 */
function frames(text: string): Frame[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((raw, index) => {
      const match = /^event: ([a-z_.]+)\ndata: ([^\n]+)$/.exec(raw);
      expect(match, raw).not.toBeNull();
      const data = JSON.parse(match![2]!) as Record<string, unknown>;
      expect(data.type).toBe(match![1]);
      expect(data.sequence_number).toBe(index);
      if (streamEvent) {
        const valid = streamEvent(data);
        expect(valid, `${raw}\n${JSON.stringify(streamEvent.errors?.slice(0, 3))}`).toBe(true);
      }
      const { sequence_number: _, ...rest } = data;
      return { event: match![1]!, data: rest };
    });
}

/** The frame list compressed to what a reader checks by eye: type plus the interesting field. */
function summary(list: Frame[]): string[] {
  return list.map(({ event, data }) => {
    const item = data.item as { type: string; id: string; status: string } | undefined;
    const part = data.part as { type: string; text: string } | undefined;
    const response = data.response as { status: string } | undefined;
    if (item) return `${event} ${data.output_index} ${item.type} ${item.id} ${item.status}`;
    if (part) return `${event} ${data.output_index} ${part.type} ${JSON.stringify(part.text)}`;
    if (response) return `${event} ${response.status}`;
    if ('delta' in data) return `${event} ${data.output_index} ${JSON.stringify(data.delta)}`;
    if ('text' in data) return `${event} ${data.output_index} ${JSON.stringify(data.text)}`;
    if ('arguments' in data) return `${event} ${data.output_index} ${data.name} ${data.arguments}`;
    return `${event} ${JSON.stringify(data)}`;
  });
}

const usage = (input: number, output: number) => ({
  input_tokens: input,
  input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
  output_tokens: output,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: input + output,
});

const SEEDS = Array.from({ length: 20 }, (_, i) => i * 7919 + 1);

describe('ResponsesStreamRenderer over recorded Ollama streams at random chunk boundaries', () => {
  it.skipIf(!haveOpenAISpec)('the spec validators are not vacuous', () => {
    expect(streamEvent!({ type: 'response.output_text.delta', delta: 'x', sequence_number: 1 })).toBe(false);
    expect(streamEvent!({ type: 'response.failed', sequence_number: 1, response: { id: 'x' } })).toBe(false);
    expect(responseSchema!({ id: 'resp_1', object: 'response' })).toBe(false);
  });

  it.each(SEEDS)('thinking then text (seed %i)', async (seed) => {
    const list = frames((await render('thinking-text.ndjson', seed)).sse);
    expect(summary(list)).toEqual([
      'response.created in_progress',
      'response.in_progress in_progress',
      'response.output_item.added 0 reasoning rs_req1_0 in_progress',
      'response.content_part.added 0 reasoning_text ""',
      'response.reasoning_text.delta 0 "Silver"',
      'response.reasoning_text.delta 0 " answer"',
      'response.reasoning_text.delta 0 " island"',
      'response.reasoning_text.delta 0 " letter."',
      'response.reasoning_text.done 0 "Silver answer island letter."',
      'response.content_part.done 0 reasoning_text "Silver answer island letter."',
      'response.output_item.done 0 reasoning rs_req1_0 completed',
      'response.output_item.added 1 message msg_req1_1 in_progress',
      'response.content_part.added 1 output_text ""',
      'response.output_text.delta 1 "Island"',
      'response.output_text.delta 1 " valley"',
      'response.output_text.delta 1 " orange"',
      'response.output_text.delta 1 " island"',
      'response.output_text.delta 1 " answer"',
      'response.output_text.delta 1 " bridge."',
      'response.output_text.done 1 "Island valley orange island answer bridge."',
      'response.content_part.done 1 output_text "Island valley orange island answer bridge."',
      'response.output_item.done 1 message msg_req1_1 completed',
      'response.completed completed',
    ]);
    // Exact wire shapes of a few frames.
    expect(list[2]!.data).toEqual({
      type: 'response.output_item.added',
      output_index: 0,
      item: { id: 'rs_req1_0', type: 'reasoning', status: 'in_progress', summary: [], content: [] },
    });
    expect(list[13]!.data).toEqual({
      type: 'response.output_text.delta',
      item_id: 'msg_req1_1',
      output_index: 1,
      content_index: 0,
      delta: 'Island',
      logprobs: [],
    });
    const completed = list.at(-1)!.data.response as Record<string, unknown>;
    expect(completed).toMatchObject({
      id: 'resp_req1',
      status: 'completed',
      completed_at: expect.any(Number),
      usage: usage(11, 10),
      output: [
        { type: 'reasoning', content: [{ type: 'reasoning_text', text: 'Silver answer island letter.' }] },
        {
          type: 'message',
          status: 'completed',
          content: [{ text: 'Island valley orange island answer bridge.' }],
        },
      ],
    });
  });

  it.each(SEEDS)('thinking, text, two tool calls, trailing text (seed %i)', async (seed) => {
    const list = frames((await render('mixed.ndjson', seed)).sse);
    expect(summary(list)).toEqual([
      'response.created in_progress',
      'response.in_progress in_progress',
      'response.output_item.added 0 reasoning rs_req1_0 in_progress',
      'response.content_part.added 0 reasoning_text ""',
      'response.reasoning_text.delta 0 "The user wants"',
      'response.reasoning_text.delta 0 " the weather."',
      'response.reasoning_text.done 0 "The user wants the weather."',
      'response.content_part.done 0 reasoning_text "The user wants the weather."',
      'response.output_item.done 0 reasoning rs_req1_0 completed',
      'response.output_item.added 1 message msg_req1_1 in_progress',
      'response.content_part.added 1 output_text ""',
      'response.output_text.delta 1 "Let me check"',
      'response.output_text.delta 1 " Zürich 🌧️ \\"now\\"."',
      'response.output_text.done 1 "Let me check Zürich 🌧️ \\"now\\"."',
      'response.content_part.done 1 output_text "Let me check Zürich 🌧️ \\"now\\"."',
      'response.output_item.done 1 message msg_req1_1 completed',
      'response.output_item.added 2 function_call fc_req1_2 in_progress',
      'response.function_call_arguments.delta 2 "{\\"city\\":\\"Zürich\\",\\"days\\":3}"',
      'response.function_call_arguments.done 2 get_weather {"city":"Zürich","days":3}',
      'response.output_item.done 2 function_call fc_req1_2 completed',
      'response.output_item.added 3 function_call fc_req1_3 in_progress',
      'response.function_call_arguments.delta 3 "{}"',
      'response.function_call_arguments.done 3 get_time {}',
      'response.output_item.done 3 function_call fc_req1_3 completed',
      'response.output_item.added 4 message msg_req1_4 in_progress',
      'response.content_part.added 4 output_text ""',
      'response.output_text.delta 4 " Done."',
      'response.output_text.done 4 " Done."',
      'response.content_part.done 4 output_text " Done."',
      'response.output_item.done 4 message msg_req1_4 completed',
      'response.completed completed',
    ]);
    expect(list[16]!.data.item).toEqual({
      id: 'fc_req1_2',
      type: 'function_call',
      status: 'in_progress',
      call_id: 'call_58idfc2i',
      name: 'get_weather',
      arguments: '',
    });
    expect((list.at(-1)!.data.response as { usage: unknown }).usage).toEqual(usage(42, 9));
  });

  it.each(SEEDS)('a tool call alone: no message item (seed %i)', async (seed) => {
    const list = frames((await render('tool-use.ndjson', seed, 'llama3.2')).sse);
    expect(summary(list)).toEqual([
      'response.created in_progress',
      'response.in_progress in_progress',
      'response.output_item.added 0 function_call fc_req1_0 in_progress',
      'response.function_call_arguments.delta 0 "{\\"city\\":\\"light\\",\\"unit\\":\\"celsius\\"}"',
      'response.function_call_arguments.done 0 get_weather {"city":"light","unit":"celsius"}',
      'response.output_item.done 0 function_call fc_req1_0 completed',
      'response.completed completed',
    ]);
    expect((list.at(-1)!.data.response as { usage: unknown }).usage).toEqual(usage(8, 1));
  });

  it.each(SEEDS)('num_predict reached → message incomplete, response.incomplete (seed %i)', async (seed) => {
    const list = frames((await render('max-tokens.ndjson', seed, 'llama3.2')).sse);
    expect(summary(list).slice(2)).toEqual([
      'response.output_item.added 0 message msg_req1_0 in_progress',
      'response.content_part.added 0 output_text ""',
      'response.output_text.delta 0 "Steady"',
      'response.output_text.delta 0 " pepper"',
      'response.output_text.delta 0 " candle"',
      'response.output_text.done 0 "Steady pepper candle"',
      'response.content_part.done 0 output_text "Steady pepper candle"',
      'response.output_item.done 0 message msg_req1_0 incomplete',
      'response.incomplete incomplete',
    ]);
    expect(list.at(-1)!.data.response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      completed_at: null,
      usage: usage(8, 3),
    });
  });

  it.each(SEEDS)('thinking cut by num_predict after the text began (seed %i)', async (seed) => {
    const list = frames((await render('thinking.ndjson', seed)).sse);
    expect(
      summary(list).filter((line) => line.includes('output_item.done') || line.startsWith('response.i')),
    ).toEqual([
      'response.in_progress in_progress',
      'response.output_item.done 0 reasoning rs_req1_0 completed',
      'response.output_item.done 1 message msg_req1_1 incomplete',
      'response.incomplete incomplete',
    ]);
  });

  it.each(SEEDS)(
    'an upstream error mid-stream → error, response.failed, nothing after (seed %i)',
    async (seed) => {
      const list = frames((await render('error-midstream.ndjson', seed, 'llama3.2')).sse);
      const message = 'an error was encountered while running the model: simulated error-midstream';
      expect(summary(list).slice(2, -2)).toEqual([
        'response.output_item.added 0 message msg_req1_0 in_progress',
        'response.content_part.added 0 output_text ""',
        'response.output_text.delta 0 "Summer"',
        'response.output_text.delta 0 " glacier"',
        'response.output_text.delta 0 " window"',
      ]);
      expect(list.at(-2)!.data).toEqual({
        type: 'error',
        code: 'server_error',
        message,
        param: null,
        error: { message, type: 'server_error', param: null, code: null },
      });
      expect(list.at(-1)!.data.type).toBe('response.failed');
      expect(list.at(-1)!.data.response).toMatchObject({
        status: 'failed',
        error: { code: 'server_error', message },
        completed_at: null,
        output: [{ type: 'message', status: 'incomplete', content: [{ text: 'Summer glacier window' }] }],
        usage: usage(0, 3),
      });
    },
  );
});

/** The official SDK as the consumer: `responses.stream()` over a fetch that answers with `sse`. */
function sdkStream(sse: string) {
  const client = new OpenAI({
    apiKey: 'test',
    baseURL: 'http://gateway.invalid/v1',
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
  return client.responses.stream({ model: 'qwen3:0.6b', input: 'hi' });
}

/** The whole answer the events of a stream add up to, as chat.complete would return it. */
function resultOf(events: ChatEvent[]): ChatResult {
  const end = events.find((event) => event.type === 'end')!;
  if (end.type !== 'end') throw new Error('no end event');
  return {
    model: 'm',
    content: events.map((event) => (event.type === 'text' ? event.text : '')).join(''),
    thinking: events.map((event) => (event.type === 'thinking' ? event.text : '')).join(''),
    toolCalls: events.flatMap((event) => (event.type === 'tool_call' ? [event.call] : [])),
    finishReason: end.finishReason,
    usage: end.usage,
    timings: end.timings,
    createdAt: end.createdAt,
  };
}

describe('ResponsesStreamRenderer frames through the official SDK (ResponseStream)', () => {
  it.each([
    ['thinking-text.ndjson', 'qwen3:0.6b'],
    ['tool-use.ndjson', 'llama3.2'],
    ['max-tokens.ndjson', 'llama3.2'],
    ['thinking.ndjson', 'qwen3:0.6b'],
  ])('%s: finalResponse() equals the non-stream response for the same answer', async (name, model) => {
    const { sse, events, renderer } = await render(name, 3, model);
    const stream = sdkStream(sse);
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    const whole = toResponse(meta(model), resultOf(events));
    // The SDK's own additions: output_text, output_parsed, and `parsed` / `parsed_arguments` on parts and calls.
    const { output_text, output_parsed, ...rest } = JSON.parse(JSON.stringify(final), (key, value) =>
      key === 'parsed' || key === 'parsed_arguments' ? undefined : value,
    ) as Record<string, unknown>;
    expect(output_parsed).toBeNull();
    expect(rest).toEqual(JSON.parse(JSON.stringify(whole)));
    expect(renderer.response).toEqual(whole);
    expect(output_text).toBe(deltas.join(''));
    if (responseSchema) expect(responseSchema(final)).toBe(true);
  });

  it('assembles the mixed stream: reasoning, message, two function calls, message', async () => {
    const final = await sdkStream((await render('mixed.ndjson', 5)).sse).finalResponse();
    expect(final.output.map((item) => item.type)).toEqual([
      'reasoning',
      'message',
      'function_call',
      'function_call',
      'message',
    ]);
    expect(final.output_text).toBe('Let me check Zürich 🌧️ "now". Done.');
    expect(final.output[2]).toMatchObject({
      call_id: 'call_58idfc2i',
      arguments: '{"city":"Zürich","days":3}',
    });
    expect(final.usage).toEqual(usage(42, 9));
  });

  it('throws an APIError on the error event (mid-stream upstream failure, and a busy upstream)', async () => {
    await expect(
      sdkStream((await render('error-midstream.ndjson', 5, 'llama3.2')).sse).finalResponse(),
    ).rejects.toSatisfy(
      (error) => error instanceof APIError && error.message.includes('simulated error-midstream'),
    );
    const renderer = new ResponsesStreamRenderer(meta('m'));
    const busy =
      renderer.start() + renderer.error(new AppError(503, 'upstream', 'The model server is busy.'));
    const list = frames(busy);
    expect(list.at(-1)!.data.response).toMatchObject({ status: 'failed', error: { code: 'server_error' } });
    expect(list.at(-1)!.data.response).not.toHaveProperty('usage');
    await expect(sdkStream(busy).finalResponse()).rejects.toBeInstanceOf(APIError);
  });
});
