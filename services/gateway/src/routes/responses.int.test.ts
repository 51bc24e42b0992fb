import { conversationKey, promptTokenCount, replyText, thinkingTokens } from '@ollama-gateway/ollama-sim';
import OpenAI, { APIError, BadRequestError, NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/app-harness.js';
import { haveOpenAISpec, openAISchemaValidator, type SchemaValidator } from '../testing/openapi.js';

let gw: TestGateway;
let client: OpenAI;
const schemas: Record<string, SchemaValidator> = {};

beforeAll(async () => {
  gw = await startTestGateway({ label: 'gateway_responses' });
  client = new OpenAI({ apiKey: gw.key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  if (haveOpenAISpec)
    for (const name of ['Response', 'ResponseStreamEvent']) schemas[name] = await openAISchemaValidator(name);
});
afterAll(async () => {
  await gw?.close();
});

/** Asserts a body against the OpenAI OpenAPI schema, when the spec is available. */
function expectSchema(name: string, body: unknown) {
  const validate = schemas[name];
  if (!validate) return;
  const valid = validate(body);
  expect(
    valid,
    `${JSON.stringify(body).slice(0, 400)}\n${JSON.stringify(validate.errors?.slice(0, 3))}`,
  ).toBe(true);
}

type Message = { role: string; content: string };
const reply = (messages: Message[], count = 12) => replyText(conversationKey(messages), count);

/** The request id behind a response id (`resp_<request id>`), and that request's usage event, checked. */
async function expectUsage(
  response: { id: string; usage?: { input_tokens: number; output_tokens: number } | null },
  fields: Record<string, unknown> = {},
) {
  expect(response.id).toMatch(/^resp_[0-9a-f]{32}$/);
  const event = await gw.usageEvent(response.id.slice('resp_'.length));
  expect(event).toMatchObject({
    dialect: 'openai',
    endpoint: '/v1/responses',
    status: 200,
    errorCode: null,
    apiKeyId: gw.keyId,
    provider: 'ollama',
    promptTokens: response.usage!.input_tokens,
    completionTokens: response.usage!.output_tokens,
    ...fields,
  });
  return event;
}

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city', 'unit'],
    additionalProperties: false,
  },
  strict: true,
};

describe('POST /v1/responses with the official openai SDK', () => {
  it('responses.create: output_text, exact usage, resp_ id, every required field, one usage event', async () => {
    const input = 'Say hello to the world';
    const { data, request_id } = await client.responses
      .create({ model: 'llama3.2', input, metadata: { run: 'a' }, user: 'user-1', store: true })
      .withResponse();
    const messages = [{ role: 'user', content: input }];
    expect(data.output_text).toBe(reply(messages));
    expect(data).toMatchObject({
      id: `resp_${request_id}`,
      object: 'response',
      status: 'completed',
      model: 'llama3.2',
      store: false,
      metadata: { run: 'a' },
      error: null,
      incomplete_details: null,
      output: [{ type: 'message', role: 'assistant', status: 'completed' }],
      usage: {
        input_tokens: promptTokenCount(messages),
        output_tokens: 12,
        total_tokens: promptTokenCount(messages) + 12,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens_details: { reasoning_tokens: 0 },
      },
    });
    const { output_text: _, ...body } = data;
    expectSchema('Response', body);
    await expectUsage(data, { stream: false, model: 'llama3.2' });
  });

  it('instructions become the system message first', async () => {
    const response = await client.responses.create({
      model: 'llama3.2',
      instructions: 'You are a terse assistant.',
      input: [{ role: 'user', content: 'Name a colour' }],
    });
    const messages = [
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: 'Name a colour' },
    ];
    expect(response.output_text).toBe(reply(messages));
    expect(response.instructions).toBe('You are a terse assistant.');
    expect(response.usage?.input_tokens).toBe(promptTokenCount(messages));
    await expectUsage(response);
  });

  it('responses.stream with reasoning: every event valid, reasoning then message, finalResponse with exact usage', async () => {
    const input = 'Why is the sky blue?';
    const stream = client.responses.stream({ model: 'qwen3:0.6b', input, reasoning: { effort: 'low' } });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    const deltas: string[] = [];
    stream.on('event', (event) => events.push(event));
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();

    const messages = [{ role: 'user', content: input }];
    const key = conversationKey(messages);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    for (const event of events) expectSchema('ResponseStreamEvent', event);
    expect(events.map((event) => event.type).filter((type) => !type.endsWith('.delta'))).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.reasoning_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(final.output[0]).toMatchObject({
      type: 'reasoning',
      content: [{ type: 'reasoning_text', text: thinkingTokens(key, 8).join('') }],
    });
    expect(final.output_text).toBe(reply(messages));
    expect(deltas.join('')).toBe(final.output_text);
    expect(final.reasoning).toMatchObject({ effort: 'low' });
    expect(final.usage).toMatchObject({ input_tokens: promptTokenCount(messages), output_tokens: 8 + 12 });
    await expectUsage(final, { stream: true, model: 'qwen3:0.6b' });
  });

  it('stream: true on responses.create yields the raw events; reasoning effort none turns thinking off', async () => {
    const stream = await client.responses.create({
      model: 'qwen3:0.6b',
      input: 'Quick answer',
      reasoning: { effort: 'none' },
      stream: true,
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const last = events.at(-1)!;
    expect(last.type).toBe('response.completed');
    if (last.type !== 'response.completed') return;
    expect(last.response.output.map((item) => item.type)).toEqual(['message']);
    expect(last.response.usage?.output_tokens).toBe(12);
    await expectUsage(last.response, { stream: true });
  });

  it('a function-call round trip: function_call item, then function_call_output → text', async () => {
    const question = 'What is the weather in Paris? [[sim:tool]]';
    const first = await client.responses.create({
      model: 'llama3.2',
      input: [{ role: 'user', content: question }],
      tools: [weatherTool],
    });
    expect(first.output).toHaveLength(1);
    const call = first.output[0]!;
    expect(call).toMatchObject({
      type: 'function_call',
      status: 'completed',
      name: 'get_weather',
      call_id: expect.stringMatching(/^call_/),
    });
    if (call.type !== 'function_call') return;
    expect(JSON.parse(call.arguments)).toEqual({ city: expect.any(String), unit: 'celsius' });
    expect(first.tools).toEqual([{ ...weatherTool }]);
    expect(first.output_text).toBe('');
    const { output_text: _, ...body } = first;
    expectSchema('Response', body);
    await expectUsage(first, { completionTokens: 1 });

    const second = await client.responses.create({
      model: 'llama3.2',
      input: [
        { role: 'user', content: question },
        // The first answer's items sent back as they came (as n8n's agent does), then the tool's output.
        call,
        { type: 'function_call_output', call_id: call.call_id, output: '{"temperature":21}' },
      ],
      tools: [weatherTool],
    });
    expect(second.output.map((item) => item.type)).toEqual(['message']);
    const transcript = [
      { role: 'user', content: question },
      { role: 'assistant', content: '' },
      { role: 'tool', content: '{"temperature":21}' },
    ];
    expect(second.output_text).toBe(reply(transcript));
    expect(second.usage?.input_tokens).toBe(promptTokenCount(transcript));
    await expectUsage(second);
  });

  it('text.format json_schema gives JSON matching the schema', async () => {
    const response = await client.responses.create({
      model: 'llama3.2',
      input: 'Describe a city',
      text: {
        format: {
          type: 'json_schema',
          name: 'city',
          strict: true,
          schema: {
            type: 'object',
            properties: { name: { type: 'string' }, population: { type: 'integer' } },
            required: ['name', 'population'],
            additionalProperties: false,
          },
        },
      },
    });
    const value = JSON.parse(response.output_text) as Record<string, unknown>;
    expect(value).toEqual({ name: expect.any(String), population: expect.any(Number) });
    expect(response.text?.format).toMatchObject({ type: 'json_schema', name: 'city' });
    await expectUsage(response);
  });

  it('max_output_tokens reached → status incomplete with incomplete_details', async () => {
    const response = await client.responses.create({
      model: 'llama3.2',
      input: 'Tell me everything [[sim:tokens=40]]',
      max_output_tokens: 16,
    });
    expect(response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      usage: { output_tokens: 16 },
    });
    await expectUsage(response);
  });

  it('previous_response_id → BadRequestError (nothing is stored), recorded as a 400', async () => {
    const error = await client.responses
      .create({ model: 'llama3.2', input: 'Continue', previous_response_id: 'resp_123' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    const badRequest = error as BadRequestError;
    expect(badRequest.param).toBe('previous_response_id');
    expect(badRequest.message).toMatch(/does not store responses/);
    const event = await gw.usageEvent(badRequest.requestID!);
    expect(event).toMatchObject({
      endpoint: '/v1/responses',
      status: 400,
      promptTokens: 0,
      completionTokens: 0,
    });
  });

  it('an unknown model → NotFoundError in the OpenAI error shape', async () => {
    await expect(client.responses.create({ model: 'nope:1b', input: 'Hi' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('a mid-stream upstream error → the SDK throws an APIError; recorded as 502 with the tokens so far', async () => {
    const stream = client.responses.stream({ model: 'llama3.2', input: 'Hi [[sim:error-midstream]]' });
    let responseId = '';
    stream.on('response.created', (event) => {
      responseId = event.response.id;
    });
    await expect(stream.finalResponse()).rejects.toSatisfy(
      (error) => error instanceof APIError && /simulated error-midstream/.test(error.message),
    );
    const event = await gw.usageEvent(responseId.slice('resp_'.length));
    expect(event).toMatchObject({
      endpoint: '/v1/responses',
      status: 502,
      stream: true,
      completionTokens: 3,
    });
  });
});

describe('POST /v1/responses with the headers n8n and the SDK send', () => {
  it('accepts an empty OpenAI-Organization header and x-stainless-* headers', async () => {
    const response = await fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gw.key}`,
        'content-type': 'application/json',
        accept: 'application/json',
        'OpenAI-Organization': '',
        'OpenAI-Project': '',
        'x-stainless-lang': 'js',
        'x-stainless-package-version': '6.49.0',
        'x-stainless-os': 'Linux',
        'x-stainless-arch': 'x64',
        'x-stainless-runtime': 'node',
        'x-stainless-runtime-version': 'v20.20.2',
        'x-stainless-retry-count': '0',
        'x-stainless-timeout': '600',
        'user-agent': 'OpenAI/JS 6.49.0',
      },
      body: JSON.stringify({ model: 'llama3.2', input: 'Hi' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      id: string;
      usage: { input_tokens: number; output_tokens: number };
    };
    expect(body.usage).toMatchObject({ input_tokens: 5, output_tokens: 12 });
    await expectUsage(body);

    // The SDK itself with an empty organization (n8n leaves the field blank).
    const n8nLike = new OpenAI({ apiKey: gw.key, baseURL: `${gw.url}/v1`, organization: '', maxRetries: 0 });
    const viaSdk = await n8nLike.responses.create({ model: 'llama3.2', input: 'Hi' });
    expect(viaSdk.status).toBe('completed');
  });
});
