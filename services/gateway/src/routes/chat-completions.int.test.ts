import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  conversationKey,
  promptTokenCount,
  replyText,
  replyTokens,
  thinkingTokens,
  tokenLogprobs,
  toolArguments,
} from '@ollama-gateway/ollama-sim';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpImageClient, type HttpImageClient } from '../clients/http-image.client.js';
import { createImageFetcher, type ImageFetcher } from '../services/image-fetcher.service.js';
import { startTestGateway, type TestGateway } from '../testing/app-harness.js';
import { haveOpenAISpec, openAISchemaValidator, type SchemaValidator } from '../testing/openapi.js';

type SimMessage = { role: string; content: string };

let gw: TestGateway;
let client: OpenAI;
let validateCompletion: SchemaValidator | undefined;
let validateChunk: SchemaValidator | undefined;
let imageServer: Server;
let imageBase: string;
const permissive = createHttpImageClient({ maxBytes: 1024 * 1024, timeoutMs: 2000, allowPrivate: true });
const strict = createHttpImageClient({ maxBytes: 1024 * 1024, timeoutMs: 2000, allowPrivate: false });
let imageClient: HttpImageClient = permissive;
/** Delegates to whichever client the test selected (permissive for the local PNG server, strict to see the refusal). */
const imageFetcher: ImageFetcher = {
  resolve: (images, signal) => createImageFetcher({ client: imageClient }).resolve(images, signal),
};

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** What the simulator answers to these messages, and the prompt tokens it counts. */
const sim = (messages: SimMessage[], count = 12) => ({
  key: conversationKey(messages),
  text: replyText(conversationKey(messages), count),
  promptTokens: promptTokenCount(messages),
});

function expectValid(validate: SchemaValidator | undefined, body: unknown) {
  if (!validate) return;
  const valid = validate(body);
  expect(validate.errors ?? [], JSON.stringify(body).slice(0, 600)).toEqual([]);
  expect(valid).toBe(true);
}

const requestIdOf = (id: string) => id.slice('chatcmpl-'.length);

async function expectUsage(
  id: string,
  expected: {
    model: string;
    stream: boolean;
    promptTokens: number;
    completionTokens: number;
    status?: number;
  },
) {
  expect(await gw.usageEvent(requestIdOf(id))).toMatchObject({
    endpoint: '/v1/chat/completions',
    dialect: 'openai',
    provider: 'ollama',
    apiKeyId: gw.keyId,
    status: expected.status ?? 200,
    errorCode: null,
    model: expected.model,
    stream: expected.stream,
    promptTokens: expected.promptTokens,
    completionTokens: expected.completionTokens,
  });
}

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city'],
    },
  },
};
const timeTool = {
  type: 'function' as const,
  function: {
    name: 'get_time',
    description: 'Local time in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};
const argsOf = (tool: typeof weatherTool | typeof timeTool) => JSON.stringify(toolArguments(tool));

beforeAll(async () => {
  imageServer = createServer((req, res) => {
    if (req.url === '/cat.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(PNG);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  imageServer.listen(0, '127.0.0.1');
  await once(imageServer, 'listening');
  imageBase = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}`;
  gw = await startTestGateway({ label: 'chat_completions', imageFetcher });
  client = new OpenAI({ apiKey: gw.key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  if (haveOpenAISpec) {
    validateCompletion = await openAISchemaValidator('CreateChatCompletionResponse');
    validateChunk = await openAISchemaValidator('CreateChatCompletionStreamResponse');
  }
});

afterAll(async () => {
  await gw?.close();
  await permissive.close();
  await strict.close();
  imageServer?.closeAllConnections();
  imageServer?.close();
});

describe('tools', () => {
  it('round trip: tool call (finish tool_calls) → tool result → answer, exact usage each time', async () => {
    const user = { role: 'user' as const, content: 'What is the weather in Paris? [[sim:tool]]' };
    const first = await client.chat.completions.create({
      model: 'llama3.2',
      messages: [user],
      tools: [weatherTool, timeTool],
      tool_choice: 'auto',
      parallel_tool_calls: true,
    });
    expectValid(validateCompletion, first);
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0]!;
    expect(call).toMatchObject({
      type: 'function',
      function: { name: 'get_weather', arguments: argsOf(weatherTool) },
    });
    expect(call.id).toMatch(/^call_[a-z0-9]{8}$/);
    const asked = sim([user]);
    expect(first.usage).toEqual({
      prompt_tokens: asked.promptTokens,
      completion_tokens: 1,
      total_tokens: asked.promptTokens + 1,
    });
    await expectUsage(first.id, {
      model: 'llama3.2',
      stream: false,
      promptTokens: asked.promptTokens,
      completionTokens: 1,
    });

    const result = { role: 'tool' as const, tool_call_id: call.id, content: '{"temperature":21}' };
    const second = await client.chat.completions.create({
      model: 'llama3.2',
      messages: [user, choice.message, result],
      tools: [weatherTool, timeTool],
    });
    expectValid(validateCompletion, second);
    const answer = sim([user, { role: 'assistant', content: '' }, { role: 'tool', content: result.content }]);
    expect(second.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { role: 'assistant', content: answer.text },
    });
    await expectUsage(second.id, {
      model: 'llama3.2',
      stream: false,
      promptTokens: answer.promptTokens,
      completionTokens: 12,
    });
  });

  it('chat.completions.stream with two parallel tool calls: stable index and id, finalChatCompletion()', async () => {
    const user = { role: 'user' as const, content: 'Weather and time? use get_weather and get_time' };
    const stream = client.chat.completions.stream({
      model: 'llama3.2',
      messages: [user],
      tools: [weatherTool, timeTool],
      stream_options: { include_usage: true },
    });
    const chunks: unknown[] = [];
    stream.on('chunk', (chunk) => chunks.push(chunk));
    const final = await stream.finalChatCompletion();
    for (const chunk of chunks) expectValid(validateChunk, chunk);
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    const calls = final.choices[0]!.message.tool_calls!;
    expect(calls.map((c) => [c.type, c.function.name, c.function.arguments])).toEqual([
      ['function', 'get_weather', argsOf(weatherTool)],
      ['function', 'get_time', argsOf(timeTool)],
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
    const deltas = chunks.flatMap(
      (chunk) =>
        (chunk as OpenAI.ChatCompletionChunk).choices[0]?.delta.tool_calls?.map((d) => [d.index, d.id]) ?? [],
    );
    expect(deltas).toEqual([
      [0, calls[0]!.id],
      [1, calls[1]!.id],
    ]);
    expect((chunks[0] as OpenAI.ChatCompletionChunk).choices[0]!.delta.role).toBe('assistant');
    const { promptTokens } = sim([user]);
    expect(final.usage).toEqual({
      prompt_tokens: promptTokens,
      completion_tokens: 1,
      total_tokens: promptTokens + 1,
    });
    await expectUsage(final.id, { model: 'llama3.2', stream: true, promptTokens, completionTokens: 1 });
  });

  it('runTools runs the tool and sends its result back until the model answers', async () => {
    const user = { role: 'user' as const, content: 'Time in Oslo? [[sim:tool]]' };
    const seen: unknown[] = [];
    const runner = client.chat.completions.runTools({
      model: 'llama3.2',
      messages: [user],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_time',
            description: timeTool.function.description,
            parameters: timeTool.function.parameters,
            parse: JSON.parse,
            function: (args: unknown) => {
              seen.push(args);
              return '12:00';
            },
          },
        },
      ],
    });
    const content = await runner.finalContent();
    expect(seen).toEqual([toolArguments(timeTool)]);
    expect(content).toBe(
      sim([user, { role: 'assistant', content: '' }, { role: 'tool', content: '12:00' }]).text,
    );
    const completions = runner.allChatCompletions();
    expect(completions.map((c) => c.choices[0]!.finish_reason)).toEqual(['tool_calls', 'stop']);
    for (const completion of completions) expectValid(validateCompletion, completion);
  });

  it('a named tool_choice sends only that tool, with an instruction to call it', async () => {
    const user = { role: 'user' as const, content: 'Anything [[sim:tool]]' };
    const completion = await client.chat.completions.create({
      model: 'llama3.2',
      messages: [user],
      tools: [weatherTool, timeTool],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    expectValid(validateCompletion, completion);
    expect(
      completion.choices[0]!.message.tool_calls!.map((c) => c.type === 'function' && c.function.name),
    ).toEqual(['get_time']);
    const { promptTokens } = sim([
      { role: 'system', content: 'Respond by calling the tool "get_time".' },
      user,
    ]);
    expect(completion.usage!.prompt_tokens).toBe(promptTokens);
    await expectUsage(completion.id, { model: 'llama3.2', stream: false, promptTokens, completionTokens: 1 });
  });

  it('required or a named tool without tools, or an unknown name, is a 400', async () => {
    for (const [body, param] of [
      [{ tool_choice: 'required' }, 'tool_choice'],
      [
        { tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'nope' } } },
        'tool_choice.function.name',
      ],
      [{ functions: [{ name: 'f', parameters: {} }] }, 'functions'],
      [{ audio: { voice: 'alloy', format: 'mp3' }, modalities: ['text', 'audio'] }, 'audio'],
    ] as const) {
      const error = await client.chat.completions
        .create({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], ...(body as object) })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(param);
    }
  });
});

describe('structured output, reasoning, logprobs, images', () => {
  it('chat.completions.parse with a zod schema', async () => {
    const Weather = z.object({ city: z.string(), temperature: z.number().int(), sunny: z.boolean() });
    const user = { role: 'user' as const, content: 'Weather report as JSON' };
    const completion = await client.chat.completions.parse({
      model: 'llama3.2',
      messages: [user],
      response_format: zodResponseFormat(Weather, 'weather'),
    });
    const parsed = completion.choices[0]!.message.parsed;
    expect(Weather.parse(parsed)).toEqual(parsed);
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual(parsed);
    const { promptTokens } = sim([user]);
    await expectUsage(completion.id, {
      model: 'llama3.2',
      stream: false,
      promptTokens,
      completionTokens: completion.usage!.completion_tokens,
    });
  });

  it('reasoning_effort on qwen3 returns reasoning_content (non-stream and stream); none turns thinking off', async () => {
    const user = { role: 'user' as const, content: 'Why is the sky blue?' };
    const { key, text, promptTokens } = sim([user]);
    const thinking = thinkingTokens(key, 8).join('');
    const completion = await client.chat.completions.create({
      model: 'qwen3:0.6b',
      messages: [user],
      reasoning_effort: 'low',
    });
    expectValid(validateCompletion, completion);
    expect(completion.choices[0]!.message).toMatchObject({ content: text, reasoning_content: thinking });
    await expectUsage(completion.id, {
      model: 'qwen3:0.6b',
      stream: false,
      promptTokens,
      completionTokens: 20,
    });

    const stream = await client.chat.completions.create({
      model: 'qwen3:0.6b',
      messages: [user],
      reasoning_effort: 'high',
      stream: true,
    });
    let reasoning = '';
    let content = '';
    let id = '';
    for await (const chunk of stream) {
      expectValid(validateChunk, chunk);
      id = chunk.id;
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      reasoning += delta?.reasoning_content ?? '';
      content += delta?.content ?? '';
    }
    expect([reasoning, content]).toEqual([thinking, text]);
    await expectUsage(id, { model: 'qwen3:0.6b', stream: true, promptTokens, completionTokens: 20 });

    const off = await client.chat.completions.create({
      model: 'qwen3:0.6b',
      messages: [user],
      reasoning_effort: 'none',
    });
    expect(off.choices[0]!.message).not.toHaveProperty('reasoning_content');
    expect(off.usage!.completion_tokens).toBe(12);
    // Said nothing: Ollama's default for a thinking model (it thinks).
    const unsaid = await client.chat.completions.create({ model: 'qwen3:0.6b', messages: [user] });
    expect(unsaid.usage!.completion_tokens).toBe(20);
  });

  it('logprobs and top_logprobs, non-stream and stream', async () => {
    const user = { role: 'user' as const, content: 'Say something [[sim:tokens=4]]' };
    const { key, promptTokens } = sim([user], 4);
    const expected = tokenLogprobs(key, replyTokens(key, 4), 3).map((entry) => ({
      token: entry.token,
      logprob: entry.logprob,
      bytes: entry.bytes,
      top_logprobs: entry.top_logprobs,
    }));
    const completion = await client.chat.completions.create({
      model: 'llama3.2',
      messages: [user],
      logprobs: true,
      top_logprobs: 3,
    });
    expectValid(validateCompletion, completion);
    expect(completion.choices[0]!.logprobs).toEqual({ content: expected, refusal: null });
    await expectUsage(completion.id, { model: 'llama3.2', stream: false, promptTokens, completionTokens: 4 });

    const final = await client.chat.completions
      .stream({ model: 'llama3.2', messages: [user], logprobs: true, top_logprobs: 3 })
      .on('chunk', (chunk) => expectValid(validateChunk, chunk))
      .finalChatCompletion();
    expect(final.choices[0]!.logprobs?.content).toEqual(expected);
    await expectUsage(final.id, { model: 'llama3.2', stream: true, promptTokens, completionTokens: 4 });

    const plain = await client.chat.completions.create({ model: 'llama3.2', messages: [user] });
    expect(plain.choices[0]!.logprobs).toBeNull();
  });

  it('an image data URI reaches llava', async () => {
    const content = 'What is in this picture?';
    const completion = await client.chat.completions.create({
      model: 'llava',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: content },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } },
          ],
        },
      ],
    });
    expectValid(validateCompletion, completion);
    const { text, promptTokens } = sim([{ role: 'user', content }]);
    expect(completion.choices[0]!.message.content).toBe(text);
    await expectUsage(completion.id, { model: 'llava', stream: false, promptTokens, completionTokens: 12 });
  });

  it('an http image URL is fetched when enabled, and a loopback one is refused by the SSRF guard', async () => {
    const content = 'Describe it';
    const body = (url: string) => ({
      model: 'llava',
      messages: [
        {
          role: 'user' as const,
          content: [
            { type: 'text' as const, text: content },
            { type: 'image_url' as const, image_url: { url } },
          ],
        },
      ],
    });
    imageClient = permissive;
    const completion = await client.chat.completions.create(body(`${imageBase}/cat.png`));
    const { text, promptTokens } = sim([{ role: 'user', content }]);
    expect(completion.choices[0]!.message.content).toBe(text);
    await expectUsage(completion.id, { model: 'llava', stream: false, promptTokens, completionTokens: 12 });

    imageClient = strict;
    try {
      const error = await client.chat.completions
        .create(body(`${imageBase}/cat.png`))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({
        code: 'invalid_image_url',
        param: 'messages[0].content[1].image_url',
      });
      expect((error as Error).message).toMatch(/non-public address \(127\.0\.0\.1\)/);
    } finally {
      imageClient = permissive;
    }
  });
});
