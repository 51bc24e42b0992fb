import type { UsageEvent } from '@ollama-gateway/contracts';
import {
  completeModel,
  conversationKey,
  DEFAULT_MODELS,
  embeddingVector,
  embedTokenCount,
  generateMessages,
  generatePromptTokenCount,
  replyText,
  replyTokens,
} from '@ollama-gateway/ollama-sim';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/app-harness.js';
import { haveOpenAISpec, openAISchemaValidator, type SchemaValidator } from '../testing/openapi.js';

// No default model has the `insert` capability that suffix needs; a namespaced one also exercises `/` in model ids.
const CODER = 'acme/coder:1.5b';

let gw: TestGateway;
let client: OpenAI;
const schemas: Record<string, SchemaValidator> = {};

/** What the simulator answers to a generate prompt (first `count` tokens of its deterministic reply). */
const reply = (prompt: string, count = 12) => replyText(conversationKey(generateMessages(prompt)), count);
const replyPrefix = (prompt: string, count: number) =>
  replyTokens(conversationKey(generateMessages(prompt)), 12)
    .slice(0, count)
    .join('');

/** Asserts a non-stream body against the OpenAI OpenAPI schema, when the spec is available. */
function expectSchema(name: string, body: unknown) {
  const validate = schemas[name];
  if (!validate) return;
  const valid = validate(body);
  expect(validate.errors ?? [], JSON.stringify(body).slice(0, 500)).toEqual([]);
  expect(valid).toBe(true);
}

async function usageOf(response: Response): Promise<UsageEvent> {
  const requestId = response.headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  return gw.usageEvent(requestId!);
}

beforeAll(async () => {
  gw = await startTestGateway({
    label: 'openai_endpoints',
    sim: {
      models: [...DEFAULT_MODELS, completeModel({ name: CODER, capabilities: ['completion', 'insert'] })],
    },
  });
  client = new OpenAI({ apiKey: gw.key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  if (haveOpenAISpec)
    for (const name of ['CreateCompletionResponse', 'CreateEmbeddingResponse', 'Model'])
      schemas[name] = await openAISchemaValidator(name);
});

afterAll(async () => {
  await gw?.close();
});

describe('POST /v1/completions with the openai SDK', () => {
  it('answers a prompt with the reply, finish_reason stop and exact usage, recorded once', async () => {
    const prompt = 'Write a haiku about gateways';
    const { data, response } = await client.completions.create({ model: 'llama3.2', prompt }).withResponse();
    const promptTokens = generatePromptTokenCount(prompt);
    expect(data).toMatchObject({
      object: 'text_completion',
      model: 'llama3.2',
      choices: [{ text: reply(prompt), index: 0, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: 12, total_tokens: promptTokens + 12 },
    });
    expect(data.id).toBe(`cmpl-${response.headers.get('x-request-id')}`);
    expectSchema('CreateCompletionResponse', data);
    expect(await usageOf(response)).toMatchObject({
      endpoint: '/v1/completions',
      dialect: 'openai',
      model: 'llama3.2',
      provider: 'ollama',
      status: 200,
      stream: false,
      promptTokens,
      completionTokens: 12,
      apiKeyId: gw.keyId,
    });
  });

  it('caps the answer at 16 tokens when max_tokens is absent (the spec default) and honours max_tokens', async () => {
    const prompt = 'Tell me everything [[sim:tokens=40]]';
    const capped = await client.completions.create({ model: 'llama3.2', prompt });
    expect(capped.choices[0]).toMatchObject({ finish_reason: 'length' });
    expect(capped.usage?.completion_tokens).toBe(16);

    const { data, response } = await client.completions
      .create({
        model: 'llama3.2',
        prompt: 'Count to ten',
        max_tokens: 5,
        temperature: 0,
        seed: 1,
        stop: null,
      })
      .withResponse();
    expect(data.choices[0]).toMatchObject({ text: replyPrefix('Count to ten', 5), finish_reason: 'length' });
    expect(data.usage?.completion_tokens).toBe(5);
    expect(await usageOf(response)).toMatchObject({ completionTokens: 5, status: 200 });
  });

  it('streams text_completion chunks, the finish chunk, the usage chunk (choices []) and [DONE]', async () => {
    const prompt = 'Stream me a story';
    const { data: stream, response } = await client.completions
      .create({ model: 'llama3.2', prompt, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const id = `cmpl-${response.headers.get('x-request-id')}`;
    expect(chunks.every((chunk) => chunk.id === id && chunk.object === 'text_completion')).toBe(true);
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.text)).join('')).toBe(
      reply(prompt),
    );
    const [finish, usage] = chunks.slice(-2);
    expect(finish!.choices).toEqual([{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }]);
    const promptTokens = generatePromptTokenCount(prompt);
    expect(usage!.choices).toEqual([]);
    expect(usage!.usage).toEqual({
      prompt_tokens: promptTokens,
      completion_tokens: 12,
      total_tokens: promptTokens + 12,
    });
    expect(await usageOf(response)).toMatchObject({
      stream: true,
      status: 200,
      promptTokens,
      completionTokens: 12,
    });
  });

  it('streams without a usage chunk unless asked', async () => {
    const stream = await client.completions.create({ model: 'llama3.2', prompt: 'Quick', stream: true });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.every((chunk) => chunk.usage === undefined)).toBe(true);
  });

  it('fills in the middle with suffix on a model that supports insert', async () => {
    const prompt = 'def add(a, b):';
    const suffix = '    return result';
    const { data, response } = await client.completions
      .create({ model: CODER, prompt, suffix })
      .withResponse();
    const promptTokens = generatePromptTokenCount(prompt, undefined, suffix);
    expect(data.choices[0]!.text).toBe(reply(prompt));
    expect(data.usage).toMatchObject({ prompt_tokens: promptTokens, completion_tokens: 12 });
    expect(await usageOf(response)).toMatchObject({ model: CODER, promptTokens, completionTokens: 12 });
  });

  it("passes Ollama's refusal of suffix on a model without insert through as a 400", async () => {
    const error = await client.completions
      .create({ model: 'llama3.2', prompt: 'a', suffix: 'b' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/does not support insert/);
  });

  it('answers an array prompt with one choice per prompt and the summed usage', async () => {
    const prompts = ['First question', 'Second, longer question here'];
    const { data, response } = await client.completions
      .create({ model: 'llama3.2', prompt: prompts })
      .withResponse();
    expect(data.choices).toEqual([
      { text: reply(prompts[0]!), index: 0, logprobs: null, finish_reason: 'stop' },
      { text: reply(prompts[1]!), index: 1, logprobs: null, finish_reason: 'stop' },
    ]);
    const promptTokens = prompts.reduce((sum, prompt) => sum + generatePromptTokenCount(prompt), 0);
    expect(data.usage).toEqual({
      prompt_tokens: promptTokens,
      completion_tokens: 24,
      total_tokens: promptTokens + 24,
    });
    expectSchema('CreateCompletionResponse', data);
    expect(await usageOf(response)).toMatchObject({ promptTokens, completionTokens: 24, status: 200 });
  });

  it('echoes the prompt before the completion, plain and streamed', async () => {
    const prompt = 'Echo this:';
    const plain = await client.completions.create({ model: 'llama3.2', prompt, echo: true });
    expect(plain.choices[0]!.text).toBe(`${prompt}${reply(prompt)}`);
    const stream = await client.completions.create({ model: 'llama3.2', prompt, echo: true, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(`${prompt}${reply(prompt)}`);
  });

  it('rejects token-id prompts and n > 1 with 400 naming the param, recorded with no tokens', async () => {
    const tokens = await client.completions
      .create({ model: 'llama3.2', prompt: [1212, 318, 257] })
      .withResponse()
      .catch((e: unknown) => e);
    expect(tokens).toBeInstanceOf(OpenAI.BadRequestError);
    expect(tokens).toMatchObject({ status: 400, param: 'prompt', type: 'invalid_request_error' });
    const requestId = (tokens as InstanceType<typeof OpenAI.BadRequestError>).requestID!;
    expect(await gw.usageEvent(requestId)).toMatchObject({
      status: 400,
      promptTokens: 0,
      completionTokens: 0,
    });
    const many = await client.completions.create({ model: 'llama3.2', prompt: 'x', n: 2 }).catch((e) => e);
    expect(many).toMatchObject({ status: 400, param: 'n' });
  });

  it('turns an upstream failure mid-stream into an error event the SDK throws, recorded as 502 with tokens so far', async () => {
    const { data: stream, response } = await client.completions
      .create({ model: 'llama3.2', prompt: 'fail [[sim:error-midstream]]', stream: true })
      .withResponse();
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(text).toBe(replyPrefix('fail [[sim:error-midstream]]', 3));
    expect(await usageOf(response)).toMatchObject({ status: 502, stream: true, completionTokens: 3 });
  });

  it('records a client that leaves mid-stream as 499 and cancels the upstream', async () => {
    const controller = new AbortController();
    const { data: stream, response } = await client.completions
      .create(
        { model: 'llama3.2', prompt: 'long [[sim:slow]] [[sim:tokens=200]]', stream: true, max_tokens: 200 },
        { signal: controller.signal },
      )
      .withResponse();
    const before = gw.sim.stats().cancellations.length;
    let chunks = 0;
    await (async () => {
      for await (const _chunk of stream) if (++chunks === 2) controller.abort();
    })().catch(() => {});
    const usage = await usageOf(response);
    expect(usage).toMatchObject({ status: 499, stream: true });
    expect(usage.completionTokens).toBeGreaterThanOrEqual(2);
    expect(usage.completionTokens).toBeLessThan(200);
    const deadline = Date.now() + 1000;
    while (gw.sim.stats().cancellations.length === before && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(gw.sim.stats().cancellations.at(-1)).toMatchObject({ path: '/api/generate' });
  });

  it('answers 404 model_not_found for an unknown model and 502 when Ollama fails', async () => {
    const missing = await client.completions.create({ model: 'nope:1b', prompt: 'x' }).catch((e) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing).toMatchObject({ code: 'model_not_found' });
    const failed = await client.completions
      .create({ model: 'llama3.2', prompt: 'boom [[sim:error-500]]' })
      .catch((e) => e);
    expect(failed).toBeInstanceOf(OpenAI.InternalServerError);
    expect(failed).toMatchObject({ status: 502 });
  });
});

describe('POST /v1/embeddings with the openai SDK', () => {
  const texts = ['the quick brown fox', 'jumps over the lazy dog'];
  const expected = (text: string, dims = 0) =>
    embeddingVector('all-minilm:latest', text, 384, dims).map((value) => Math.fround(value));

  it('decodes the SDK default (base64) to the same vectors as encoding_format float', async () => {
    const { data: base64, response } = await client.embeddings
      .create({ model: 'all-minilm', input: texts })
      .withResponse();
    const float = await client.embeddings.create({
      model: 'all-minilm',
      input: texts,
      encoding_format: 'float',
    });
    // The float form is JSON's shortest text for each float32; base64 carries the float32 bits: equal as float32.
    expect(base64.data.map((item) => item.embedding)).toEqual(
      float.data.map((item) => item.embedding.map((value) => Math.fround(value))),
    );
    expect(base64.data.map((item) => item.index)).toEqual([0, 1]);
    expect(base64.data[0]!.embedding).toHaveLength(384);
    expect(base64.data[0]!.embedding).toEqual(expected(texts[0]!));
    expect(base64.data[0]!.embedding.some((value) => value !== 0)).toBe(true);
    const promptTokens = texts.reduce((sum, text) => sum + embedTokenCount(text), 0);
    expect(base64.usage).toEqual({ prompt_tokens: promptTokens, total_tokens: promptTokens });
    expect(base64.model).toBe('all-minilm');
    expectSchema('CreateEmbeddingResponse', float);
    expect(await usageOf(response)).toMatchObject({
      endpoint: '/v1/embeddings',
      model: 'all-minilm',
      status: 200,
      stream: false,
      promptTokens,
      completionTokens: 0,
    });
  });

  it('sends base64 strings on the wire when asked for base64', async () => {
    const response = await fetch(`${gw.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'all-minilm', input: 'hello', encoding_format: 'base64' }),
    });
    const body = (await response.json()) as { data: { embedding: unknown }[] };
    expect(typeof body.data[0]!.embedding).toBe('string');
    expect(Buffer.from(body.data[0]!.embedding as string, 'base64')).toHaveLength(384 * 4);
  });

  it("embeds an empty string as one vector (as Ollama's OpenAI layer does)", async () => {
    const result = await client.embeddings.create({ model: 'all-minilm', input: '' });
    expect(result.data).toHaveLength(1);
    expect(result.data[0]!.embedding).toEqual(expected(''));
    expect(result.usage.prompt_tokens).toBe(embedTokenCount(''));
  });

  it('truncates to dimensions', async () => {
    const result = await client.embeddings.create({ model: 'all-minilm', input: 'short', dimensions: 8 });
    expect(result.data[0]!.embedding).toEqual(expected('short', 8));
    const norm = Math.hypot(...result.data[0]!.embedding);
    expect(norm).toBeCloseTo(1, 5);
  });

  it("rejects an unknown encoding_format with OpenAI's message", async () => {
    const error = await client.embeddings
      .create({ model: 'all-minilm', input: 'x', encoding_format: 'int8' as 'float' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({
      param: 'encoding_format',
      error: {
        message: "Invalid value for 'encoding_format' = int8. Supported values: ['float', 'base64'].",
      },
    });
  });
});

describe('GET /v1/models/{model}', () => {
  it('retrieves one model from /api/show', async () => {
    const { data, response } = await client.models.retrieve('llama3.2').withResponse();
    expect(data).toEqual({
      id: 'llama3.2',
      object: 'model',
      created: Math.floor(Date.parse('2025-09-18T10:21:44.617Z') / 1000),
      owned_by: 'library',
    });
    expectSchema('Model', data);
    expect(await usageOf(response)).toMatchObject({
      endpoint: '/v1/models/llama3.2',
      model: 'llama3.2',
      status: 200,
      promptTokens: 0,
      completionTokens: 0,
    });
  });

  it('takes namespaced ids, encoded by the SDK or raw in the path', async () => {
    expect(await client.models.retrieve(CODER)).toMatchObject({ id: CODER, owned_by: 'acme' });
    const raw = await fetch(`${gw.url}/v1/models/${CODER}`, {
      headers: { authorization: `Bearer ${gw.key}` },
    });
    expect(await raw.json()).toMatchObject({ id: CODER, owned_by: 'acme' });
  });

  it('answers 404 model_not_found for an unknown model', async () => {
    const error = await client.models.retrieve('no-such-model:7b').catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({
      status: 404,
      code: 'model_not_found',
      type: 'invalid_request_error',
      error: { message: 'The model `no-such-model:7b` does not exist or you do not have access to it.' },
    });
  });
});

describe('a key restricted to llama3*', () => {
  let restricted: OpenAI;
  beforeAll(async () => {
    const { key } = await gw.createKey({ allowedModels: ['llama3*'] });
    restricted = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  });

  it('lists only the allowed models and retrieves them', async () => {
    const list = await restricted.models.list();
    expect(list.data.map((model) => model.id)).toEqual(['llama3.2:latest']);
    expect(await restricted.models.retrieve('llama3.2:latest')).toMatchObject({ id: 'llama3.2:latest' });
  });

  it('cannot retrieve or use another model: 404 as if it did not exist, with no upstream call', async () => {
    const before = gw.sim.stats().requests;
    const retrieve = await restricted.models.retrieve('qwen3:0.6b').catch((e) => e);
    expect(retrieve).toBeInstanceOf(OpenAI.NotFoundError);
    expect(retrieve).toMatchObject({ code: 'model_not_found' });
    const complete = await restricted.completions
      .create({ model: 'qwen3:0.6b', prompt: 'x' })
      .catch((e) => e);
    expect(complete).toBeInstanceOf(OpenAI.NotFoundError);
    const embed = await restricted.embeddings.create({ model: 'all-minilm', input: 'x' }).catch((e) => e);
    expect(embed).toBeInstanceOf(OpenAI.NotFoundError);
    expect(gw.sim.stats().requests).toBe(before);
    expect(
      await gw.usageEvent((complete as InstanceType<typeof OpenAI.NotFoundError>).requestID!),
    ).toMatchObject({ status: 404, model: 'qwen3:0.6b', promptTokens: 0, completionTokens: 0 });
  });

  it('can use an allowed model', async () => {
    const completion = await restricted.completions.create({ model: 'llama3.2', prompt: 'Hello there' });
    expect(completion.choices[0]!.text).toBe(reply('Hello there'));
  });
});
