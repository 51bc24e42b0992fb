// Frameworks on top of the OpenAI dialect, through nginx: LangChain's ChatOpenAI (what n8n's OpenAI chat model node
// uses: configuration.baseURL, bindTools, an agent's tool loop, streaming) and the Vercel AI SDK with the
// OpenAI-compatible provider (streamText with and without include_usage, generateText, an error before a stream).
// At the end, the ledger: one usage row per request, with the counts the client saw.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { type AIMessageChunk, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { DynamicStructuredTool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { conversationKey, promptTokenCount, replyText, toolArguments } from '@ollama-gateway/ollama-sim';
import { APICallError, generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Exchange, expectLedger, recordingFetch, type Seen } from '../support/ledger.js';
import { type CreatedKey, type Stack, startStack } from '../support/stack.js';

const MODEL = 'llama3.2:latest';

let stack: Stack;
let customer: CreatedKey;
const exchanges: Exchange[] = [];
const seen: Seen[] = [];

const last = () => exchanges[exchanges.length - 1]!;

function saw(
  entry: Omit<Seen, 'requestId' | 'dialect' | 'keyId' | 'endpoint'>,
  ...exposed: [id: string | null | undefined] | []
): void {
  const exchange = last();
  // When the client exposes the request id, it must be there and be nginx's x-request-id.
  if (exposed.length > 0) expect(exposed[0], `${entry.what}: request id`).toBe(exchange.requestId);
  seen.push({
    ...entry,
    requestId: exchange.requestId!,
    keyId: customer.keyId,
    dialect: 'openai',
    endpoint: '/v1/chat/completions',
  });
}

const reply = (messages: { role: string; content: string }[]) =>
  replyText(conversationKey(messages), stack.sim.config.replyTokens);

beforeAll(async () => {
  stack = await startStack({ label: 'frameworks' });
  customer = await stack.createKey();
});

afterAll(async () => {
  await stack?.stop();
});

describe('LangChain ChatOpenAI (the n8n path)', () => {
  const chat = () =>
    new ChatOpenAI({
      model: MODEL,
      apiKey: customer.key,
      maxRetries: 0,
      timeout: 15_000,
      // As n8n's credential does when its "Organization ID" is left blank: the header goes out empty.
      configuration: { baseURL: `${stack.apiUrl}/v1`, organization: '', fetch: recordingFetch(exchanges) },
    });

  const weatherSchema = z.object({ city: z.string(), unit: z.enum(['celsius', 'fahrenheit']) });
  const getWeather = new DynamicStructuredTool({
    name: 'get_weather',
    description: 'Current weather for a city',
    schema: weatherSchema,
    func: async ({ city }: z.infer<typeof weatherSchema>) => `It is 21 degrees in ${city}.`,
  });

  it('answers a plain invoke with usage_metadata', async () => {
    const message = await chat().invoke('Say hello to the gateway.');
    const upstream = [{ role: 'user', content: 'Say hello to the gateway.' }];
    expect(message.content).toBe(reply(upstream));
    expect(message.usage_metadata).toMatchObject({
      input_tokens: promptTokenCount(upstream),
      output_tokens: stack.sim.config.replyTokens,
    });
    saw({
      what: 'langchain invoke',
      status: 200,
      stream: false,
      usage: {
        prompt: message.usage_metadata!.input_tokens,
        completion: message.usage_metadata!.output_tokens,
      },
    });
  });

  it('returns tool_calls on the AIMessage with bindTools, then answers the ToolMessage', async () => {
    const model = chat().bindTools([getWeather]);
    const human = new HumanMessage('What is the weather in Paris? Use get_weather.');
    const ai = await model.invoke([human]);
    const sent = last().body as { tools?: { function?: { name?: string; parameters?: object } }[] };
    expect(sent.tools?.[0]?.function?.name).toBe('get_weather');
    expect(last().headers['openai-organization']).toBe('');
    expect(ai.tool_calls).toHaveLength(1);
    const call = ai.tool_calls![0]!;
    expect(call).toMatchObject({ name: 'get_weather', type: 'tool_call' });
    expect(call.id).toMatch(/\S/);
    expect(call.args).toEqual(
      toolArguments({
        type: 'function',
        function: { name: 'get_weather', parameters: sent.tools![0]!.function!.parameters! },
      } as Parameters<typeof toolArguments>[0]),
    );
    saw({
      what: 'langchain tool call',
      status: 200,
      stream: false,
      usage: { prompt: ai.usage_metadata!.input_tokens, completion: ai.usage_metadata!.output_tokens },
    });

    const toolMessage = (await getWeather.invoke(call)) as ToolMessage;
    expect(toolMessage).toBeInstanceOf(ToolMessage);
    const final = await model.invoke([human, ai, toolMessage]);
    expect(final.tool_calls ?? []).toEqual([]);
    expect(final.content).toBe(
      reply([
        { role: 'user', content: String(human.content) },
        { role: 'assistant', content: '' },
        { role: 'tool', content: String(toolMessage.content) },
      ]),
    );
    saw({
      what: 'langchain tool result',
      status: 200,
      stream: false,
      usage: { prompt: final.usage_metadata!.input_tokens, completion: final.usage_metadata!.output_tokens },
    });
  });

  it('streams with usage (streamUsage asks for include_usage)', async () => {
    let merged: AIMessageChunk | undefined;
    for await (const chunk of await chat().stream('Stream a short poem about tokens.'))
      merged = merged ? merged.concat(chunk) : chunk;
    const sent = last().body as { stream?: boolean; stream_options?: { include_usage?: boolean } };
    expect(sent.stream).toBe(true);
    expect(sent.stream_options?.include_usage).toBe(true);
    const upstream = [{ role: 'user', content: 'Stream a short poem about tokens.' }];
    expect(merged?.content).toBe(reply(upstream));
    expect(merged?.usage_metadata).toMatchObject({
      input_tokens: promptTokenCount(upstream),
      output_tokens: stack.sim.config.replyTokens,
    });
    saw({
      what: 'langchain stream',
      status: 200,
      stream: true,
      usage: {
        prompt: merged!.usage_metadata!.input_tokens,
        completion: merged!.usage_metadata!.output_tokens,
      },
    });
  });
});

describe('Vercel AI SDK with @ai-sdk/openai-compatible', () => {
  const provider = (includeUsage?: boolean) =>
    createOpenAICompatible({
      name: 'gateway',
      baseURL: `${stack.apiUrl}/v1`,
      apiKey: customer.key,
      fetch: recordingFetch(exchanges),
      ...(includeUsage === undefined ? {} : { includeUsage }),
    });

  it('streamText without includeUsage: no include_usage asked, no usage seen, the ledger still counts', async () => {
    const prompt = 'Stream a short poem about tokens.';
    const result = streamText({ model: provider()(MODEL), prompt, maxRetries: 0 });
    const upstream = [{ role: 'user', content: prompt }];
    expect(await result.text).toBe(reply(upstream));
    const usage = await result.usage;
    const sent = last().body as { stream?: boolean; stream_options?: unknown };
    expect(sent.stream).toBe(true);
    expect(sent.stream_options).toBeUndefined();
    expect(usage.inputTokens).toBeUndefined();
    // The client saw no usage; the gateway still bills what Ollama reported.
    saw({
      what: 'ai streamText default',
      status: 200,
      stream: true,
      usage: { prompt: promptTokenCount(upstream), completion: stack.sim.config.replyTokens },
    });
  });

  it('streamText with includeUsage: true reports usage', async () => {
    const prompt = 'Another short poem, with usage.';
    const result = streamText({ model: provider(true)(MODEL), prompt, maxRetries: 0 });
    const upstream = [{ role: 'user', content: prompt }];
    expect(await result.text).toBe(reply(upstream));
    const usage = await result.usage;
    expect((last().body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
    expect(usage).toMatchObject({
      inputTokens: promptTokenCount(upstream),
      outputTokens: stack.sim.config.replyTokens,
    });
    const response = await result.response;
    expect(response.headers?.['x-request-id']).toBe(last().requestId);
    saw({
      what: 'ai streamText includeUsage',
      status: 200,
      stream: true,
      usage: { prompt: usage.inputTokens!, completion: usage.outputTokens! },
    });
  });

  it('generateText', async () => {
    const result = await generateText({
      model: provider()(MODEL),
      system: 'You are terse.',
      prompt: 'Say hello.',
      maxRetries: 0,
    });
    const upstream = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Say hello.' },
    ];
    expect(result.text).toBe(reply(upstream));
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({
      inputTokens: promptTokenCount(upstream),
      outputTokens: stack.sim.config.replyTokens,
    });
    saw(
      {
        what: 'ai generateText',
        status: 200,
        stream: false,
        usage: { prompt: result.usage.inputTokens!, completion: result.usage.outputTokens! },
      },
      result.response.headers?.['x-request-id'],
    );
  });

  it('surfaces an unknown model before a stream as an APICallError 404', async () => {
    let caught: unknown;
    const result = streamText({
      model: provider(true)('no-such-model:7b'),
      prompt: 'hi',
      maxRetries: 0,
      onError: ({ error }) => {
        caught = error;
      },
    });
    await result.consumeStream();
    expect(APICallError.isInstance(caught)).toBe(true);
    expect((caught as APICallError).statusCode).toBe(404);
    expect((caught as APICallError).responseBody).toContain('model_not_found');
    expect(last().status).toBe(404);
    saw({ what: 'ai stream unknown model', status: 404 });
  });
});

describe('ledger', () => {
  it('records exactly one usage row per request, with the counts the client saw', async () => {
    await expectLedger(stack, exchanges, seen);
    expect(seen.length).toBe(exchanges.length);
  });
});
