import Anthropic, { APIError, AuthenticationError, BadRequestError, NotFoundError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/app-harness.js';

let gw: TestGateway;
let client: Anthropic;

beforeAll(async () => {
  gw = await startTestGateway({ label: 'gateway-messages' });
  client = new Anthropic({ apiKey: gw.key, baseURL: gw.url, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
});

const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: {
    type: 'object' as const,
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city'],
  },
};

/** The usage event of a request, checked against what the client saw. */
async function expectUsage(
  requestId: string | null | undefined,
  usage: { input_tokens: number; output_tokens: number },
  fields: Record<string, unknown> = {},
) {
  expect(requestId).toMatch(/^[0-9a-f]{32}$/);
  const event = await gw.usageEvent(requestId!);
  expect(event).toMatchObject({
    dialect: 'anthropic',
    endpoint: '/v1/messages',
    status: 200,
    errorCode: null,
    apiKeyId: gw.keyId,
    provider: 'ollama',
    promptTokens: usage.input_tokens,
    completionTokens: usage.output_tokens,
    ...fields,
  });
  return event;
}

describe('POST /v1/messages with the official Anthropic SDK', () => {
  it('messages.create: a text answer with exact usage, echoed model, msg_ id and request-id', async () => {
    const { data, response, request_id } = await client.messages
      .create({
        model: 'llama3.2',
        max_tokens: 200,
        system: [{ type: 'text', text: 'You are terse.' }],
        messages: [{ role: 'user', content: 'Say hello to the world' }],
        metadata: { user_id: 'user-42' },
      })
      .withResponse();
    expect(data).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'llama3.2',
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    expect(data.id).toBe(`msg_${response.headers.get('x-request-id')}`);
    expect(request_id).toBe(response.headers.get('x-request-id'));
    expect(data.content).toHaveLength(1);
    expect(data.content[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/\.$/) });
    // The simulator counts words + 4 per message: (3 + 4) + (5 + 4) prompt tokens, 12 reply tokens.
    expect(data.usage).toMatchObject({ input_tokens: 16, output_tokens: 12 });
    await expectUsage(request_id, data.usage, { stream: false, model: 'llama3.2' });
  });

  it('accepts x-api-key with anthropic-version and anthropic-beta headers (plain HTTP, as curl would)', async () => {
    const response = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': gw.key,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'prompt-caching-2024-07-31,token-efficient-tools-2025-02-19',
      },
      body: JSON.stringify({ model: 'llama3.2', max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Anthropic.Message;
    expect(body.stop_reason).toBe('max_tokens');
    expect(body.usage).toMatchObject({ input_tokens: 5, output_tokens: 5 });
    expect(response.headers.get('request-id')).toBe(response.headers.get('x-request-id'));
    await expectUsage(response.headers.get('request-id'), body.usage);
  });

  it('messages.stream with thinking: thinking then text blocks, exact usage in the final message', async () => {
    const stream = client.messages.stream({
      model: 'qwen3:0.6b',
      max_tokens: 1000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'Why is the sky blue?' }],
    });
    const texts: string[] = [];
    stream.on('text', (delta) => texts.push(delta));
    const message = await stream.finalMessage();
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    expect(message.content[0]).toMatchObject({ type: 'thinking', signature: '' });
    expect((message.content[0] as Anthropic.ThinkingBlock).thinking.split(' ')).toHaveLength(8);
    expect((message.content[1] as Anthropic.TextBlock).text).toBe(texts.join(''));
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 9, output_tokens: 20 });
    await expectUsage(stream.request_id, message.usage, { stream: true, model: 'qwen3:0.6b' });
  });

  it('messages.stream with tool use: the final message has the tool_use block with its input parsed', async () => {
    const stream = client.messages.stream({
      model: 'llama3.2',
      max_tokens: 300,
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather in Paris? [[sim:tool]]' }],
    });
    const partials: string[] = [];
    stream.on('inputJson', (partial) => partials.push(partial));
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toHaveLength(1);
    const block = message.content[0] as Anthropic.ToolUseBlock;
    expect(block).toMatchObject({
      type: 'tool_use',
      name: 'get_weather',
      id: expect.stringMatching(/^call_/),
    });
    expect(block.input).toEqual({ city: expect.any(String), unit: 'celsius' });
    expect(JSON.parse(partials.join(''))).toEqual(block.input);
    expect(message.usage.output_tokens).toBe(1);
    await expectUsage(stream.request_id, message.usage, { stream: true });
  });

  it('a tool round trip: tool_use in history and tool_result (with is_error) in the next turn', async () => {
    const first = await client.messages.create({
      model: 'llama3.2',
      max_tokens: 300,
      tools: [weatherTool],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [{ role: 'user', content: 'Weather in Paris? [[sim:tool]]' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((block) => block.type === 'tool_use')!;
    const second = await client.messages.create({
      model: 'llama3.2',
      max_tokens: 300,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Paris? [[sim:tool]]' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: call.id, content: 'station offline', is_error: true },
          ],
        },
      ],
    });
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content[0]).toMatchObject({ type: 'text' });
    await expectUsage(second._request_id, second.usage);
  });

  it('thinking on a model without the capability is served without thinking (not a 400)', async () => {
    const message = await client.messages.create({
      model: 'llama3.2',
      max_tokens: 100,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Think about it' }] }],
    });
    expect(message.content.map((block) => block.type)).toEqual(['text']);
    await expectUsage(message._request_id, message.usage);
  });

  it('a base64 image reaches a vision model', async () => {
    const message = await client.messages.create({
      model: 'llava',
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'image',
              source: {
                type: 'base64',
                media_type: 'image/png',
                data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==',
              },
            },
            { type: 'text', text: 'Describe it' },
          ],
        },
      ],
    });
    expect(message.stop_reason).toBe('end_turn');
    await expectUsage(message._request_id, message.usage);
  });

  it('an upstream error mid-stream → the SDK throws an APIError of type api_error; recorded as 502 with tokens so far', async () => {
    const stream = client.messages.stream({
      model: 'llama3.2',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hello [[sim:error-midstream]]' }],
    });
    const texts: string[] = [];
    stream.on('text', (delta) => texts.push(delta));
    const error = await stream.finalMessage().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).type).toBe('api_error');
    expect(texts).toHaveLength(3);
    const requestId = (await stream.withResponse()).response.headers.get('x-request-id');
    const event = await gw.usageEvent(requestId!);
    expect(event).toMatchObject({ dialect: 'anthropic', status: 502, stream: true, completionTokens: 3 });
  });
});

describe('POST /v1/messages/count_tokens', () => {
  it('returns the prompt tokens Ollama counts, the same number messages.create then reports', async () => {
    const params = {
      model: 'llama3.2',
      system: 'You are terse.',
      tools: [weatherTool],
      messages: [{ role: 'user' as const, content: 'How many tokens is this prompt?' }],
    };
    const { data, response } = await client.messages.countTokens(params).withResponse();
    // (3 + 4) for the system prompt + (6 + 4) for the message, as the simulator counts.
    expect(data).toMatchObject({ input_tokens: 17 });
    const message = await client.messages.create({ ...params, max_tokens: 50 });
    expect(message.usage.input_tokens).toBe(data.input_tokens);
    const event = await gw.usageEvent(response.headers.get('x-request-id')!);
    expect(event).toMatchObject({
      dialect: 'anthropic',
      endpoint: '/v1/messages/count_tokens',
      status: 200,
      promptTokens: 17,
      completionTokens: 1,
    });
  });
});

describe('errors in the Anthropic shape', () => {
  it('a bad key → AuthenticationError (401 authentication_error)', async () => {
    const bad = new Anthropic({ apiKey: 'sk-og-not-a-real-key', baseURL: gw.url, maxRetries: 0 });
    const error = await bad.messages
      .create({ model: 'llama3.2', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as APIError).status).toBe(401);
    expect((error as APIError).error).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    });
  });

  it('an unknown model → NotFoundError (404 not_found_error), recorded with the model', async () => {
    const { response } = await client.messages
      .create({ model: 'nope:latest', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse()
      .catch((caught: unknown) => {
        expect(caught).toBeInstanceOf(NotFoundError);
        expect((caught as APIError).error).toEqual({
          type: 'error',
          error: { type: 'not_found_error', message: 'model: nope:latest' },
        });
        return { response: { headers: (caught as APIError).headers! } };
      });
    const event = await gw.usageEvent(response.headers.get('x-request-id')!);
    expect(event).toMatchObject({
      dialect: 'anthropic',
      status: 404,
      model: 'nope:latest',
      errorCode: 'model_not_found',
    });
  });

  it('an unknown model on a stream → NotFoundError before any event (a real HTTP 404)', async () => {
    const stream = client.messages.stream({
      model: 'nope:latest',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    await expect(stream.finalMessage()).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a model the key may not use → NotFoundError too', async () => {
    const { key } = await gw.createKey({ allowedModels: ['qwen3:0.6b'] });
    const limited = new Anthropic({ apiKey: key, baseURL: gw.url, maxRetries: 0 });
    await expect(
      limited.messages.create({
        model: 'llama3.2',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('no max_tokens → BadRequestError (400 invalid_request_error: max_tokens: Field required)', async () => {
    const error = await client.messages
      .create({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] } as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as APIError).error).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
    });
  });

  it('tool_choice any without tools → BadRequestError', async () => {
    await expect(
      client.messages.create({
        model: 'llama3.2',
        max_tokens: 10,
        tool_choice: { type: 'any' },
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    ).rejects.toBeInstanceOf(BadRequestError);
  });
});
