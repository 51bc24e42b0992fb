import OpenAI, {
  APIError,
  AuthenticationError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
} from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CloudStub, startCloudStub } from './stub.server.js';

let stub: CloudStub;
let client: OpenAI;

beforeAll(async () => {
  stub = await startCloudStub({ models: ['gpt-4o-mini', 'gpt-4o'] });
  client = new OpenAI({ apiKey: stub.config.openaiKey, baseURL: `${stub.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await stub?.close();
});
beforeEach(() => stub.reset());

const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city'],
    },
  },
};

describe('cloud stub: OpenAI chat completions through the official SDK', () => {
  it('answers deterministically with usage, and records the key it was sent', async () => {
    const ask = () =>
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Hello there' }],
      });
    const [first, second] = [await ask(), await ask()];
    expect(first.object).toBe('chat.completion');
    expect(first.model).toBe('gpt-4o-mini');
    expect(first.choices[0]?.message).toMatchObject({ role: 'assistant', refusal: null });
    expect(first.choices[0]?.finish_reason).toBe('stop');
    expect(first.choices[0]?.message.content).toBe(second.choices[0]?.message.content);
    expect(first.choices[0]?.message.content?.split(' ')).toHaveLength(8);
    // prompt: 2 words + 4; completion: 8 words
    expect(first.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 8, total_tokens: 14 });
    expect(stub.requests()[0]?.headers.authorization).toBe(`Bearer ${stub.config.openaiKey}`);
    expect(stub.stats().requests).toBe(2);
  });

  it('streams role, content pieces, the finish chunk and, with include_usage, the usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta).toMatchObject({ role: 'assistant', content: '' });
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    const whole = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Stream please' }],
    });
    expect(text).toBe(whole.choices[0]?.message.content);
    const finish = chunks.at(-2);
    expect(finish?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(finish?.usage).toBeNull();
    const usage = chunks.at(-1);
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 8 });
    // Every chunk of one stream shares id, created and model.
    expect(new Set(chunks.map((chunk) => `${chunk.id}/${chunk.created}/${chunk.model}`)).size).toBe(1);
  });

  it('sends no usage chunk and no usage field without include_usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
  });

  it('streams a tool call in fragments that the SDK assembles', async () => {
    const runner = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Paris? [[stub:tool]]' }],
      tools: [weather],
    });
    const completion = await runner.finalChatCompletion();
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(call?.id).toMatch(/^call_/);
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'stub', unit: 'celsius' });
  });

  it('honours max_completion_tokens (finish_reason length) and stop', async () => {
    const cut = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Long one' }],
      max_completion_tokens: 3,
    });
    expect(cut.choices[0]?.finish_reason).toBe('length');
    expect(cut.usage?.completion_tokens).toBe(3);
    const whole = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Stop test' }],
    });
    const second = whole.choices[0]?.message.content?.split(' ')[1] ?? '';
    const stopped = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Stop test' }],
      stop: [` ${second}`],
    });
    expect(stopped.choices[0]?.message.content).toBe(whole.choices[0]?.message.content?.split(' ')[0]);
    expect(stopped.choices[0]?.finish_reason).toBe('stop');
  });

  it('refuses a wrong or missing key with 401 in OpenAI shape', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-wrong-key-123456', baseURL: `${stub.url}/v1`, maxRetries: 0 });
    const error = await wrong.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as APIError).code).toBe('invalid_api_key');
    expect((error as APIError).type).toBe('invalid_request_error');
    expect((error as APIError).message).not.toContain('sk-wrong-key-123456');
    expect(stub.stats().unauthorized).toBe(1);
  });

  it('answers an unknown model with 404 model_not_found', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-nope', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as APIError).code).toBe('model_not_found');
  });

  it('injects faults: 500 and 429 before the first byte, an error event mid-stream', async () => {
    stub.setFaults({ mode: 'error-500', count: 1 });
    const failed = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(failed).toBeInstanceOf(InternalServerError);
    expect((failed as APIError).type).toBe('server_error');
    const limited = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi [[stub:error-429]]' }] })
      .catch((caught: unknown) => caught);
    expect(limited).toBeInstanceOf(RateLimitError);
    const ok = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(ok.choices[0]?.finish_reason).toBe('stop');

    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi [[stub:error-midstream]]' }],
      stream: true,
    });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect(seen.length).toBe(3);
    expect(stub.stats()).toMatchObject({ requests: 4, faultsInjected: 3 });
  });

  it('counts retries the SDK makes on 5xx', async () => {
    stub.setFaults({ mode: 'error-503', count: 2 });
    const retrying = new OpenAI({ apiKey: stub.config.openaiKey, baseURL: `${stub.url}/v1`, maxRetries: 2 });
    const answer = await retrying.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
      { timeout: 10_000 },
    );
    expect(answer.choices[0]?.finish_reason).toBe('stop');
    expect(stub.stats().requests).toBe(3);
  });
});
