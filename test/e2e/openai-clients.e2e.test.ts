// The official `openai` Node SDK used the way an application uses it, through nginx: chat (plain, streamed, tools
// round trip, structured output with zod), embeddings (the SDK's default base64 and float), models, legacy
// completions, the Responses API (once /v1/responses is mounted), errors before a stream, and an empty
// OpenAI-Organization header (n8n sends one). At the end, the ledger: one usage row per request, with the client's counts.
import {
  conversationKey,
  embeddingVector,
  embedTokenCount,
  promptTokenCount,
  replyText,
  toolArguments,
} from '@ollama-gateway/ollama-sim';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Exchange, expectLedger, recordingFetch, type Seen } from '../support/ledger.js';
import { type CreatedKey, type Stack, startStack } from '../support/stack.js';

const MODEL = 'llama3.2:latest';
const EMBED_MODEL = 'all-minilm:latest';

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['city', 'unit'],
    },
  },
} as const satisfies OpenAI.Chat.Completions.ChatCompletionTool;
const weatherArgs = toolArguments(weatherTool as unknown as Parameters<typeof toolArguments>[0]);

let stack: Stack;
let customer: CreatedKey;
let client: OpenAI;
let responsesMounted = false;
const exchanges: Exchange[] = [];
const seen: Seen[] = [];

const sdk = (apiKey: string, extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}) =>
  new OpenAI({
    apiKey,
    baseURL: `${stack.apiUrl}/v1`,
    maxRetries: 0,
    timeout: 15_000,
    fetch: recordingFetch(exchanges),
    ...extra,
  });

const last = () => exchanges[exchanges.length - 1]!;

/** Records what the client saw for the request that just ran (its id checked against the one the SDK exposes). */
function saw(
  entry: Omit<Seen, 'requestId' | 'keyId' | 'dialect'>,
  ...exposed: [id: string | null | undefined] | []
): void {
  const exchange = last();
  // When the client exposes the request id, it must be there and be nginx's x-request-id.
  if (exposed.length > 0) expect(exposed[0], `${entry.what}: SDK request id`).toBe(exchange.requestId);
  seen.push({ ...entry, requestId: exchange.requestId!, keyId: customer.keyId, dialect: 'openai' });
}

const tokens = (usage: { prompt_tokens: number; completion_tokens?: number } | undefined | null) => ({
  prompt: usage!.prompt_tokens,
  completion: usage!.completion_tokens ?? 0,
});

async function apiError(call: () => Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await call();
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

beforeAll(async () => {
  stack = await startStack({ label: 'openaiclients' });
  customer = await stack.createKey();
  client = sdk(customer.key);
  // Is /v1/responses mounted yet? An empty body is a 400 when it is, and a 404 unknown_url when it is not.
  const probe = await recordingFetch(exchanges)(`${stack.apiUrl}/v1/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${customer.key}`, 'content-type': 'application/json' },
    body: '{}',
  });
  const body = (await probe.json()) as { error?: { code?: string } };
  responsesMounted = !(probe.status === 404 && body.error?.code === 'unknown_url');
  seen.push({
    what: 'responses probe',
    requestId: last().requestId!,
    status: probe.status,
    keyId: customer.keyId,
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('chat completions', () => {
  it('answers a plain chat with the simulator reply and usage', async () => {
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'Say hello to the gateway.' },
    ];
    const { data, request_id } = await client.chat.completions
      .create({ model: MODEL, messages })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(
      replyText(conversationKey(messages), stack.sim.config.replyTokens),
    );
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({
      prompt_tokens: promptTokenCount(messages),
      completion_tokens: stack.sim.config.replyTokens,
    });
    saw({ what: 'chat', status: 200, stream: false, usage: tokens(data.usage) }, request_id);
  });

  it('streams a chat with include_usage', async () => {
    const messages = [{ role: 'user' as const, content: 'Stream a short poem about tokens.' }];
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(replyText(conversationKey(messages), stack.sim.config.replyTokens));
    expect(usage?.prompt_tokens).toBe(promptTokenCount(messages));
    saw({ what: 'chat stream', status: 200, stream: true, usage: tokens(usage) });
  });

  it('runs a tool round trip: tool call, tool result, final answer', async () => {
    const user = { role: 'user' as const, content: 'What is the weather in Paris? Use get_weather.' };
    const first = await client.chat.completions.create({
      model: MODEL,
      messages: [user],
      tools: [weatherTool],
    });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.id).toMatch(/\S/);
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual(weatherArgs);
    saw({ what: 'tool call', status: 200, stream: false, usage: tokens(first.usage) }, first._request_id);

    const result = '{"temperature":21,"unit":"celsius"}';
    const final = await client.chat.completions.create({
      model: MODEL,
      messages: [user, choice.message, { role: 'tool', tool_call_id: call.id, content: result }],
      tools: [weatherTool],
    });
    // What Ollama receives: the user turn, the assistant turn with the tool call (no text), the tool's result.
    const upstream = [user, { role: 'assistant', content: '' }, { role: 'tool', content: result }];
    expect(final.choices[0]?.finish_reason).toBe('stop');
    expect(final.choices[0]?.message.content).toBe(
      replyText(conversationKey(upstream), stack.sim.config.replyTokens),
    );
    expect(final.usage?.prompt_tokens).toBe(promptTokenCount(upstream));
    saw({ what: 'tool result', status: 200, stream: false, usage: tokens(final.usage) }, final._request_id);
  });

  it('streams a tool call the SDK stream helper assembles', async () => {
    const stream = client.chat.completions.stream({
      model: MODEL,
      messages: [{ role: 'user', content: 'Weather in Oslo? [[sim:tool]]' }],
      tools: [weatherTool],
      stream_options: { include_usage: true },
    });
    const completion = await stream.finalChatCompletion();
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    if (call?.type === 'function') expect(JSON.parse(call.function.arguments)).toEqual(weatherArgs);
    expect(completion.usage?.completion_tokens).toBe(1);
    saw({ what: 'tool call stream', status: 200, stream: true, usage: tokens(completion.usage) });
  });

  it('parses structured output with a zod schema (chat.completions.parse)', async () => {
    const Weather = z.object({
      city: z.string(),
      temperature: z.number(),
      unit: z.enum(['celsius', 'fahrenheit']),
    });
    const completion = await client.chat.completions.parse({
      model: MODEL,
      messages: [{ role: 'user', content: 'Report the weather in Rome as JSON.' }],
      response_format: zodResponseFormat(Weather, 'weather'),
    });
    const sent = last().body as { response_format?: { type?: string; json_schema?: { strict?: boolean } } };
    expect(sent.response_format?.type).toBe('json_schema');
    const parsed = completion.choices[0]?.message.parsed;
    expect(Weather.safeParse(parsed).success).toBe(true);
    expect(parsed?.unit).toBe('celsius');
    saw(
      { what: 'parse', status: 200, stream: false, usage: tokens(completion.usage) },
      completion._request_id,
    );
  });

  it('answers an unknown model before a stream with a real 404 (not a 200 stream)', async () => {
    const error = await apiError(() =>
      client.chat.completions.create({
        model: 'no-such-model:7b',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.code).toBe('model_not_found');
    expect(last().status).toBe(404);
    saw({ what: 'stream unknown model', status: 404 }, error.requestID);
  });

  it('answers an invalid stream request with a real 400', async () => {
    const error = await apiError(() =>
      client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'hi' }],
        temperature: 7,
        stream: true,
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('temperature');
    saw({ what: 'stream bad request', status: 400 }, error.requestID);
  });

  it('answers an upstream failure before a stream with a real 502 (InternalServerError)', async () => {
    const error = await apiError(() =>
      client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'hi [[sim:error-500]]' }],
        stream: true,
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(502);
    expect(error.type).toBe('server_error');
    saw({ what: 'stream upstream 500', status: 502 }, error.requestID);
  });

  it('ends a stream that fails midway with an error the SDK throws', async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'hi [[sim:error-midstream]]' }],
      stream: true,
    });
    let text = '';
    const error = await apiError(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    });
    expect(text.split(' ')).toHaveLength(stack.sim.config.faultAfterTokens);
    expect(error.message).toMatch(/simulated error-midstream/);
    expect(last().status).toBe(200);
    // The ledger keeps the tokens produced before the failure, under the upstream error's status. (Ollama reports the
    // prompt count only in its final chunk, which never came: the prompt side is not checked.)
    seen.push({
      what: 'midstream error',
      requestId: last().requestId!,
      status: 502,
      httpStatus: 200,
      stream: true,
      keyId: customer.keyId,
      dialect: 'openai',
      usage: { completion: stack.sim.config.faultAfterTokens },
    });
  });

  it('accepts an empty OpenAI-Organization header (n8n sends one)', async () => {
    const n8nLike = sdk(customer.key, { defaultHeaders: { 'OpenAI-Organization': '' } });
    const messages = [{ role: 'user' as const, content: 'Hello from a workflow.' }];
    const data = await n8nLike.chat.completions.create({ model: MODEL, messages });
    expect(last().headers['openai-organization']).toBe('');
    expect(data.choices[0]?.message.content).toBe(
      replyText(conversationKey(messages), stack.sim.config.replyTokens),
    );
    saw(
      { what: 'empty organization', status: 200, stream: false, usage: tokens(data.usage) },
      data._request_id,
    );
  });
});

describe('embeddings', () => {
  const f32 = (vector: number[]) => Array.from(Float32Array.from(vector));
  const input = 'The quick brown fox.';

  it("decodes the SDK's default base64 to the same vector as encoding_format float", async () => {
    const b64 = await client.embeddings.create({ model: EMBED_MODEL, input });
    expect((last().body as { encoding_format?: string }).encoding_format).toBe('base64');
    saw({ what: 'embed base64', status: 200, stream: false, usage: tokens(b64.usage) }, b64._request_id);
    const float = await client.embeddings.create({ model: EMBED_MODEL, input, encoding_format: 'float' });
    saw({ what: 'embed float', status: 200, stream: false, usage: tokens(float.usage) }, float._request_id);

    // base64 carries float32 values; the float list carries their shortest decimal form: equal as float32.
    const expected = embeddingVector(EMBED_MODEL, input, 384);
    expect(b64.data[0]?.embedding).toHaveLength(384);
    expect(b64.data[0]?.embedding).toEqual(f32(float.data[0]!.embedding));
    expect(float.data[0]?.embedding).toEqual(expected);
    expect(b64.usage).toEqual({
      prompt_tokens: embedTokenCount(input),
      total_tokens: embedTokenCount(input),
    });
  });

  it('truncates to the requested dimensions', async () => {
    const inputs = [input, 'A second sentence to embed.'];
    const data = await client.embeddings.create({ model: EMBED_MODEL, input: inputs, dimensions: 64 });
    expect(data.data.map((d) => d.index)).toEqual([0, 1]);
    expect(data.data[0]?.embedding).toHaveLength(64);
    expect(data.data[1]?.embedding).toEqual(f32(embeddingVector(EMBED_MODEL, inputs[1]!, 64)));
    expect(data.usage.prompt_tokens).toBe(embedTokenCount(inputs[0]!) + embedTokenCount(inputs[1]!));
    saw(
      { what: 'embed dimensions', status: 200, stream: false, usage: tokens(data.usage) },
      data._request_id,
    );
  });
});

describe('models and legacy completions', () => {
  it('lists and retrieves models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids.sort()).toEqual(['all-minilm:latest', 'llama3.2:latest', 'llava:latest', 'qwen3:0.6b']);
    saw({ what: 'models.list', status: 200 });

    const model = await client.models.retrieve(MODEL);
    expect(model).toMatchObject({ id: MODEL, object: 'model', owned_by: 'library' });
    saw({ what: 'models.retrieve', status: 200 }, model._request_id);

    const error = await apiError(() => client.models.retrieve('no-such-model:7b'));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    saw({ what: 'models.retrieve missing', status: 404 }, error.requestID);
  });

  it('answers completions.create from /api/generate', async () => {
    const prompt = 'Once upon a time';
    const data = await client.completions.create({ model: MODEL, prompt });
    expect(data.object).toBe('text_completion');
    expect(data.choices[0]?.text).toBe(
      replyText(conversationKey([{ role: 'user', content: prompt }]), stack.sim.config.replyTokens),
    );
    expect(data.usage).toMatchObject({
      prompt_tokens: promptTokenCount([{ content: prompt }]),
      completion_tokens: stack.sim.config.replyTokens,
    });
    saw({ what: 'completions', status: 200, stream: false, usage: tokens(data.usage) }, data._request_id);
  });
});

describe('responses (once /v1/responses is mounted)', () => {
  // `it.skipIf` is decided when the file is collected, before the stack exists: these skip at run time instead,
  // on the probe made in beforeAll, so they run as soon as the route is built into dist/.
  it('answers responses.create', async (ctx) => {
    ctx.skip(!responsesMounted, '/v1/responses is not mounted yet');
    const input = 'Say hello through the Responses API.';
    const { data, request_id } = await client.responses.create({ model: MODEL, input }).withResponse();
    expect(data.object).toBe('response');
    expect(data.status).toBe('completed');
    expect(data.output_text).toBe(
      replyText(conversationKey([{ role: 'user', content: input }]), stack.sim.config.replyTokens),
    );
    expect(data.usage).toMatchObject({
      input_tokens: promptTokenCount([{ content: input }]),
      output_tokens: stack.sim.config.replyTokens,
    });
    saw(
      {
        what: 'responses',
        status: 200,
        stream: false,
        usage: { prompt: data.usage!.input_tokens, completion: data.usage!.output_tokens },
      },
      request_id,
    );
  });

  it('streams a function call, then answers with its output', async (ctx) => {
    ctx.skip(!responsesMounted, '/v1/responses is not mounted yet');
    const tools: OpenAI.Responses.Tool[] = [
      {
        type: 'function',
        name: 'get_weather',
        description: weatherTool.function.description,
        parameters: weatherTool.function.parameters,
        strict: false,
      },
    ];
    const input: OpenAI.Responses.ResponseInputItem[] = [
      { role: 'user', content: 'What is the weather in Paris? Use get_weather.' },
    ];
    const stream = await client.responses.create({ model: MODEL, input, tools, stream: true });
    const types: string[] = [];
    let completed: OpenAI.Responses.Response | undefined;
    let argumentsDone: string | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.function_call_arguments.done') argumentsDone = event.arguments;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_item.added');
    expect(types[types.length - 1]).toBe('response.completed');
    expect(JSON.parse(argumentsDone ?? 'null')).toEqual(weatherArgs);
    const call = completed?.output.find(
      (item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === 'function_call',
    );
    expect(call?.name).toBe('get_weather');
    expect(call?.call_id).toMatch(/\S/);
    expect(JSON.parse(call?.arguments ?? 'null')).toEqual(weatherArgs);
    saw({
      what: 'responses stream function call',
      status: 200,
      stream: true,
      usage: { prompt: completed!.usage!.input_tokens, completion: completed!.usage!.output_tokens },
    });

    const { data: followUp, request_id: followUpId } = await client.responses
      .create({
        model: MODEL,
        tools,
        input: [
          ...input,
          call!,
          { type: 'function_call_output', call_id: call!.call_id, output: '{"temperature":21}' },
        ],
      })
      .withResponse();
    expect(followUp.status).toBe('completed');
    expect(followUp.output_text).toMatch(/\S/);
    saw(
      {
        what: 'responses function output',
        status: 200,
        stream: false,
        usage: { prompt: followUp.usage!.input_tokens, completion: followUp.usage!.output_tokens },
      },
      followUpId,
    );
  });
});

describe('ledger', () => {
  it('records exactly one usage row per request, with the counts the client saw', async () => {
    await expectLedger(stack, exchanges, seen);
    expect(seen.length).toBe(exchanges.length);
  });
});
