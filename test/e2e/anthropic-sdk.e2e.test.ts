// The official `@anthropic-ai/sdk` through nginx: messages.create, messages.stream (text, and tool use assembled by
// finalMessage, then the tool result), count_tokens, and the errors the SDK maps to its classes (a bad key answered
// by nginx's auth_request path in Anthropic's shape, an unknown model, and errors before a stream).
// At the end, the ledger: one usage row per request, with the counts the client saw.
import Anthropic from '@anthropic-ai/sdk';
import { conversationKey, promptTokenCount, replyText, toolArguments } from '@ollama-gateway/ollama-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, expectLedger, recordingFetch, type Seen } from '../support/ledger.js';
import { type CreatedKey, type Stack, startStack } from '../support/stack.js';

const MODEL = 'llama3.2:latest';

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: {
    type: 'object' as const,
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city', 'unit'],
  },
} satisfies Anthropic.Tool;
const weatherArgs = toolArguments({
  type: 'function',
  function: { name: weatherTool.name, parameters: weatherTool.input_schema },
});

let stack: Stack;
let customer: CreatedKey;
let client: Anthropic;
const exchanges: Exchange[] = [];
const seen: Seen[] = [];

const sdk = (apiKey: string, extra: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}) =>
  new Anthropic({
    apiKey,
    baseURL: stack.apiUrl,
    maxRetries: 0,
    timeout: 15_000,
    fetch: recordingFetch(exchanges),
    ...extra,
  });

const last = () => exchanges[exchanges.length - 1]!;

/** Records the request that just ran; the SDK's request id (the `request-id` header) must be nginx's x-request-id. */
function saw(
  entry: Omit<Seen, 'requestId' | 'dialect'>,
  ...exposed: [id: string | null | undefined] | []
): void {
  const exchange = last();
  // When the client exposes the request id, it must be there and be nginx's x-request-id.
  if (exposed.length > 0) expect(exposed[0], `${entry.what}: SDK request id`).toBe(exchange.requestId);
  seen.push({ keyId: customer.keyId, ...entry, requestId: exchange.requestId!, dialect: 'anthropic' });
}

const tokens = (usage: Anthropic.Usage) => ({ prompt: usage.input_tokens, completion: usage.output_tokens });

async function apiError(call: () => Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  try {
    await call();
  } catch (error) {
    if (error instanceof Anthropic.APIError) return error;
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

beforeAll(async () => {
  stack = await startStack({ label: 'anthropicsdk' });
  customer = await stack.createKey();
  client = sdk(customer.key);
});

afterAll(async () => {
  await stack?.stop();
});

describe('messages', () => {
  it('answers messages.create with the simulator reply and usage', async () => {
    const messages = [{ role: 'user' as const, content: 'Say hello to the gateway.' }];
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 256,
      system: 'You are terse.',
      messages,
    });
    const upstream = [{ role: 'system', content: 'You are terse.' }, ...messages];
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.content).toEqual([
      expect.objectContaining({
        type: 'text',
        text: replyText(conversationKey(upstream), stack.sim.config.replyTokens),
      }),
    ]);
    expect(message.usage).toMatchObject({
      input_tokens: promptTokenCount(upstream),
      output_tokens: stack.sim.config.replyTokens,
    });
    saw({ what: 'create', status: 200, stream: false, usage: tokens(message.usage) }, message._request_id);
  });

  it('streams text with messages.stream', async () => {
    const messages = [{ role: 'user' as const, content: 'Stream a short poem about tokens.' }];
    const stream = client.messages.stream({ model: MODEL, max_tokens: 256, messages });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const message = await stream.finalMessage();
    const expected = replyText(conversationKey(messages), stack.sim.config.replyTokens);
    expect(text).toBe(expected);
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: expected })]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({
      input_tokens: promptTokenCount(messages),
      output_tokens: stack.sim.config.replyTokens,
    });
    saw({ what: 'stream', status: 200, stream: true, usage: tokens(message.usage) }, stream.request_id);
  });

  it('streams a tool use (finalMessage), then answers the tool result', async () => {
    const user = { role: 'user' as const, content: 'What is the weather in Paris? Use get_weather.' };
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 256,
      messages: [user],
      tools: [weatherTool],
    });
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    const toolUse = message.content.find(
      (block): block is Anthropic.ToolUseBlock => block.type === 'tool_use',
    );
    expect(toolUse?.name).toBe('get_weather');
    expect(toolUse?.id).toMatch(/\S/);
    expect(toolUse?.input).toEqual(weatherArgs);
    expect(message.usage.output_tokens).toBe(1);
    saw(
      { what: 'stream tool use', status: 200, stream: true, usage: tokens(message.usage) },
      stream.request_id,
    );

    const result = '{"temperature":21,"unit":"celsius"}';
    const final = await client.messages.create({
      model: MODEL,
      max_tokens: 256,
      tools: [weatherTool],
      messages: [
        user,
        { role: 'assistant', content: message.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse!.id, content: result }] },
      ],
    });
    expect(final.stop_reason).toBe('end_turn');
    expect(final.content[0]?.type).toBe('text');
    const text = final.content[0]?.type === 'text' ? final.content[0].text : '';
    expect(text.split(' ')).toHaveLength(stack.sim.config.replyTokens);
    saw({ what: 'tool result', status: 200, stream: false, usage: tokens(final.usage) }, final._request_id);
  });

  it('counts tokens the way /v1/messages then reports them', async () => {
    const messages = [{ role: 'user' as const, content: 'How many tokens is this prompt?' }];
    const counted = await client.messages.countTokens({ model: MODEL, messages });
    expect(counted.input_tokens).toBe(promptTokenCount(messages));
    saw({ what: 'count_tokens', status: 200, stream: false, usage: { prompt: counted.input_tokens } });
  });
});

describe('errors', () => {
  it('rejects a bad key with AuthenticationError in Anthropic shape (nginx auth_request path)', async () => {
    const error = await apiError(() =>
      sdk('sk-og-this-key-does-not-exist-000000000000').messages.create({
        model: MODEL,
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    // nginx answers this one itself: the SDK still gets the request id, and it is nginx's x-request-id.
    expect(error.requestID).toBe(last().requestId);
    saw({ what: 'bad key', status: 401, keyId: undefined });
  });

  it('rejects a missing key with AuthenticationError in Anthropic shape', async () => {
    const error = await apiError(() =>
      sdk('unused', { defaultHeaders: { 'x-api-key': null } }).messages.create({
        model: MODEL,
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(last().headers['x-api-key']).toBeUndefined();
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    saw({ what: 'no key', status: 401, keyId: undefined });
  });

  it('answers an unknown model with NotFoundError', async () => {
    const error = await apiError(() =>
      client.messages.create({
        model: 'no-such-model:7b',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    expect(error.requestID).toBe(last().requestId);
    saw({ what: 'unknown model', status: 404 }, error.requestID);
  });

  it('answers an unknown model before a stream with a real 404 (messages.stream and stream:true)', async () => {
    const stream = client.messages.stream({
      model: 'no-such-model:7b',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const streamError = await apiError(() => stream.finalMessage());
    expect(streamError).toBeInstanceOf(Anthropic.NotFoundError);
    expect(last().status).toBe(404);
    saw({ what: 'stream unknown model', status: 404 }, streamError.requestID);

    const createError = await apiError(() =>
      client.messages.create({
        model: 'no-such-model:7b',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      }),
    );
    expect(createError).toBeInstanceOf(Anthropic.NotFoundError);
    saw({ what: 'create stream unknown model', status: 404 }, createError.requestID);
  });

  it('answers an upstream failure before a stream with a real 502 api_error', async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi [[sim:error-500]]' }],
    });
    const error = await apiError(() => stream.finalMessage());
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect(error.status).toBe(502);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    saw({ what: 'stream upstream 500', status: 502 }, error.requestID);
  });

  it('ends a stream that fails midway with an error event the SDK throws', async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi [[sim:error-midstream]]' }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const error = await apiError(() => stream.finalMessage());
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect(error.message).toMatch(/simulated error-midstream/);
    expect(text.split(' ')).toHaveLength(stack.sim.config.faultAfterTokens);
    expect(last().status).toBe(200);
    saw({
      what: 'midstream error',
      status: 502,
      httpStatus: 200,
      stream: true,
      usage: { completion: stack.sim.config.faultAfterTokens },
    });
  });

  it('answers an invalid stream request with a real 400 invalid_request_error', async () => {
    const error = await apiError(() =>
      client.messages.create({
        model: MODEL,
        max_tokens: 0,
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(error.message).toMatch(/max_tokens/);
    saw({ what: 'stream bad request', status: 400 }, error.requestID);
  });
});

describe('ledger', () => {
  it('records exactly one usage row per request, with the counts the client saw', async () => {
    await expectLedger(stack, exchanges, seen);
    expect(seen.length).toBe(exchanges.length);
  });
});
