import Anthropic, {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
} from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CloudStub, startCloudStub } from './stub.server.js';

let stub: CloudStub;
let client: Anthropic;

beforeAll(async () => {
  stub = await startCloudStub({ models: ['claude-haiku-4-5', 'claude-sonnet-4-5'] });
  client = new Anthropic({ apiKey: stub.config.anthropicKey, baseURL: stub.url, maxRetries: 0 });
});
afterAll(async () => {
  await stub?.close();
});
beforeEach(() => stub.reset());

const weather = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: {
    type: 'object' as const,
    properties: { city: { type: 'string' }, days: { type: 'integer' } },
    required: ['city'],
  },
};

/** The raw SSE of a streamed call, to check the exact event sequence. */
async function rawStream(body: Record<string, unknown>): Promise<string[]> {
  const response = await fetch(`${stub.url}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': stub.config.anthropicKey,
      'anthropic-version': '2023-06-01',
    },
    body: JSON.stringify({ ...body, stream: true }),
  });
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  expect(response.headers.get('request-id')).toMatch(/^req_/);
  const text = await response.text();
  return [...text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]!);
}

describe('cloud stub: Anthropic messages through the official SDK', () => {
  it('answers deterministically with usage, checking x-api-key and anthropic-version', async () => {
    const ask = () =>
      client.messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 100,
        system: 'Be brief',
        messages: [{ role: 'user', content: 'Hello there' }],
      });
    const [first, second] = [await ask(), await ask()];
    expect(first).toMatchObject({
      type: 'message',
      role: 'assistant',
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    expect(first.content).toEqual(second.content);
    expect(first.content[0]?.type).toBe('text');
    // system: 2 words + 4, user: 2 words + 4
    expect(first.usage).toMatchObject({ input_tokens: 12, output_tokens: 8 });
    // This SDK sends the key as a Bearer token (the stub takes x-api-key too) and its own API version.
    const headers = stub.requests()[0]?.headers ?? {};
    expect(headers['x-api-key'] ?? headers.authorization?.replace('Bearer ', '')).toBe(
      stub.config.anthropicKey,
    );
    expect(headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('streams the exact event sequence, and the SDK assembles the same message', async () => {
    const events = await rawStream({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Stream please' }],
    });
    expect(events).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...Array(8).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const streamed = await client.messages
      .stream({
        model: 'claude-haiku-4-5',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Stream please' }],
      })
      .finalMessage();
    const whole = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Stream please' }],
    });
    expect(streamed.content).toEqual(whole.content);
    expect(streamed.usage).toMatchObject({ input_tokens: 6, output_tokens: 8 });
    expect(streamed.stop_reason).toBe('end_turn');
  });

  it('streams thinking (with its signature) and a tool_use block whose input arrives in pieces', async () => {
    const events = await rawStream({
      model: 'claude-sonnet-4-5',
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      tools: [weather],
      messages: [{ role: 'user', content: 'Weather? [[stub:tool]]' }],
    });
    expect(events.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    const message = await client.messages
      .stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 4000,
        thinking: { type: 'enabled', budget_tokens: 2048 },
        tools: [weather],
        messages: [{ role: 'user', content: 'Weather? [[stub:tool]]' }],
      })
      .finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'tool_use']);
    const [thinking, toolUse] = message.content;
    if (thinking?.type !== 'thinking' || toolUse?.type !== 'tool_use') throw new Error('unexpected blocks');
    expect(thinking.signature).toMatch(/^sig_/);
    expect(toolUse.input).toEqual({ city: 'stub', days: 42 });
    expect(toolUse.id).toMatch(/^toolu_/);
  });

  it('says max_tokens and stop_sequence as the real API does', async () => {
    const cut = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 2,
      messages: [{ role: 'user', content: 'Long' }],
    });
    expect(cut.stop_reason).toBe('max_tokens');
    expect(cut.usage.output_tokens).toBe(2);
    const whole = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Stops' }],
    });
    const text = whole.content[0]?.type === 'text' ? whole.content[0].text : '';
    const second = ` ${text.split(' ')[1]}`;
    const stopped = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      stop_sequences: [second],
      messages: [{ role: 'user', content: 'Stops' }],
    });
    expect(stopped).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: second });
  });

  it('refuses a wrong key (401), a missing max_tokens or a temperature above 1 (400), an unknown model (404)', async () => {
    const wrong = new Anthropic({ apiKey: 'sk-ant-wrong', baseURL: stub.url, maxRetries: 0 });
    const denied = await wrong.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(denied).toBeInstanceOf(AuthenticationError);
    expect((denied as APIError).error).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    });

    // This SDK's types no longer list `temperature`; the API (and the gateway's clients) still send it.
    const hot = await client.messages
      .create({
        model: 'claude-haiku-4-5',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'Hi' }],
        ...({ temperature: 1.5 } as object),
      })
      .catch((caught: unknown) => caught);
    expect(hot).toBeInstanceOf(BadRequestError);

    const raw = (headers: Record<string, string>, body: unknown) =>
      fetch(`${stub.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': stub.config.anthropicKey, ...headers },
        body: JSON.stringify(body),
      }).then(async (response) => ({ status: response.status, body: await response.json() }));
    const noMax = await raw(
      { 'anthropic-version': '2023-06-01' },
      { model: 'claude-haiku-4-5', messages: [] },
    );
    expect(noMax).toMatchObject({
      status: 400,
      body: {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
      },
    });
    const noVersion = await raw({}, { model: 'claude-haiku-4-5', max_tokens: 5, messages: [] });
    expect(noVersion.body).toMatchObject({ error: { message: 'anthropic-version: header is required' } });

    const missing = await client.messages
      .create({ model: 'claude-nope', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as APIError).message).toContain('model: claude-nope');
  });

  it('injects faults: 500 before the first byte, 529 overloaded, an error event mid-stream', async () => {
    const failed = await client.messages
      .create({
        model: 'claude-haiku-4-5',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'x [[stub:error-500]]' }],
      })
      .catch((caught: unknown) => caught);
    expect(failed).toBeInstanceOf(InternalServerError);
    expect((failed as APIError).error).toMatchObject({ error: { type: 'api_error' } });
    stub.setFaults({ mode: 'error-529', count: 1 });
    const overloaded = await client.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect((overloaded as APIError).status).toBe(529);

    const stream = client.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hi [[stub:error-midstream]]' }],
    });
    const error = await stream.finalMessage().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(stub.stats()).toMatchObject({ requests: 3, faultsInjected: 3 });
  });
});
