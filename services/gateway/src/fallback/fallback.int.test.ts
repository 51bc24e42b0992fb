import Anthropic from '@anthropic-ai/sdk';
import { type CloudStub, conversationKey, replyPieces, startCloudStub } from '@ollama-gateway/cloud-stub';
import { REDACTED_PATHS } from '@ollama-gateway/runtime';
import OpenAI, { APIError, NotFoundError } from 'openai';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/app-harness.js';
import { createFallbackChains, type FallbackChains } from './fallback.providers.js';
import { createFallbackChatService } from './fallback-chat.service.js';

/** The keys live in "environment variables" named by the config; the values are the stub's. */
const KEYS: Record<string, string> = {};
const logLines: string[] = [];

let stub: CloudStub;
let gw: TestGateway;
let chains: FallbackChains;
let openai: OpenAI;
let anthropic: Anthropic;

/** The `fallback` section used by most tests; each test may reload another. */
const fallbackSection = (extra: Record<string, unknown> = {}, providers?: unknown[]) => ({
  retries: { count: 0, baseMs: 10, maxMs: 50 },
  providers: providers ?? [
    {
      name: 'stub-openai',
      type: 'openai',
      baseUrl: `${stub.url}/v1`,
      apiKeyEnv: 'STUB_OPENAI_KEY',
      models: { 'llama3.2': 'gpt-4o-mini' },
      defaultModel: 'gpt-4o',
      timeoutMs: 5000,
    },
  ],
  ...extra,
});

const anthropicProvider = () => ({
  name: 'stub-anthropic',
  type: 'anthropic',
  baseUrl: stub.url,
  apiKeyEnv: 'STUB_ANTHROPIC_KEY',
  defaultModel: 'claude-haiku-4-5',
  timeoutMs: 5000,
});

/** Reloads the config file with this fallback section, as SIGHUP does. */
function useFallback(section: Record<string, unknown>): void {
  const result = gw.routing.reloadWith({ fallback: section });
  if (!result.ok) throw new Error(result.error);
}

/** The stub's reply to one user message (OpenAI: no system turn; 8 words). */
const stubReply = (content: string) =>
  replyPieces(conversationKey([{ role: 'user', text: content }]), 8).join('');
const promptTokensOf = (content: string) => content.trim().split(/\s+/).length + 4;

beforeAll(async () => {
  stub = await startCloudStub();
  KEYS.STUB_OPENAI_KEY = stub.config.openaiKey;
  KEYS.STUB_ANTHROPIC_KEY = stub.config.anthropicKey;
  const logger = pino(
    { level: 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    { write: (line: string) => void logLines.push(line) },
  );
  gw = await startTestGateway({
    label: 'fallback',
    config: { fallback: fallbackSection() },
    wrapChat: (local) =>
      createFallbackChatService(local, {
        chain: () => chains.current(),
        logger,
      }),
  });
  chains = createFallbackChains({
    config: () => gw.routing.config.current().fallback,
    keyOf: (name) => KEYS[name],
  });
  openai = new OpenAI({ apiKey: gw.key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: gw.key, baseURL: gw.url, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
  await chains?.close();
  await stub?.close();
});
beforeEach(() => {
  stub.reset();
  gw.sim.reset();
  useFallback(fallbackSection());
});

describe('fallback to cloud providers, through the app', () => {
  it('serves a local 500 (before the first byte) from the provider: headers, answer, usage row', async () => {
    const content = 'Hello from the test [[sim:error-500]]';
    const { data, response } = await openai.chat.completions
      .create({ model: 'llama3.2', messages: [{ role: 'user', content }] })
      .withResponse();
    expect(response.headers.get('x-provider')).toBe('stub-openai');
    expect(response.headers.get('x-fallback-reason')).toBe('upstream_error');
    expect(data.model).toBe('llama3.2');
    expect(data.choices[0]?.message.content).toBe(stubReply(content));
    expect(data.usage).toMatchObject({ prompt_tokens: promptTokensOf(content), completion_tokens: 8 });
    expect(gw.sim.stats().faultsInjected).toBe(1);
    expect(stub.requests()[0]).toMatchObject({ model: 'gpt-4o-mini', stream: false });

    const event = await gw.usageEvent(response.headers.get('x-request-id')!);
    expect(event).toMatchObject({
      status: 200,
      model: 'llama3.2',
      provider: 'openai',
      upstreamModel: 'gpt-4o-mini',
      upstreamHost: `${stub.url}/v1`,
      promptTokens: promptTokensOf(content),
      completionTokens: 8,
      loadDurationNs: null,
      evalDurationNs: null,
    });
  });

  it('streams the provider answer to the OpenAI SDK with the usage chunk, and says x-provider: ollama when local', async () => {
    const content = 'Stream it [[sim:error-500]]';
    const { data: stream, response } = await openai.chat.completions
      .create({
        model: 'llama3.2',
        messages: [{ role: 'user', content }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get('x-provider')).toBe('stub-openai');
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(stubReply(content));
    expect(chunks.at(-1)?.usage).toMatchObject({
      prompt_tokens: promptTokensOf(content),
      completion_tokens: 8,
    });
    expect(stub.requests()[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const event = await gw.usageEvent(response.headers.get('x-request-id')!);
    expect(event).toMatchObject({ status: 200, provider: 'openai', stream: true, completionTokens: 8 });

    const local = await openai.chat.completions
      .create({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .withResponse();
    for await (const _ of local.data) void _;
    expect(local.response.headers.get('x-provider')).toBe('ollama');
    expect(local.response.headers.get('x-fallback-reason')).toBeNull();
    expect(stub.stats().requests).toBe(1);
  });

  it('serves the Anthropic dialect from an Anthropic provider, streamed and whole', async () => {
    useFallback(fallbackSection({}, [anthropicProvider()]));
    const content = 'Bonjour [[sim:error-500]]';
    const message = await anthropic.messages
      .stream({ model: 'llama3.2', max_tokens: 200, messages: [{ role: 'user', content }] })
      .finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: stubReply(content), citations: null }]);
    expect(message.usage).toMatchObject({ input_tokens: promptTokensOf(content), output_tokens: 8 });
    expect(message.model).toBe('llama3.2');
    const { response } = await anthropic.messages
      .create({ model: 'llama3.2', max_tokens: 200, messages: [{ role: 'user', content }] })
      .withResponse();
    expect(response.headers.get('x-provider')).toBe('stub-anthropic');
    const event = await gw.usageEvent(response.headers.get('x-request-id')!);
    expect(event).toMatchObject({
      provider: 'anthropic',
      upstreamModel: 'claude-haiku-4-5',
      dialect: 'anthropic',
    });
    expect(stub.requests().map((request) => request.headers['x-api-key'])).toEqual([
      stub.config.anthropicKey,
      stub.config.anthropicKey,
    ]);
  });

  it('sends a model missing locally to the chain only when model_not_present is on; else 404 as today', async () => {
    const ask = () =>
      openai.chat.completions
        .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'Hi' }] })
        .withResponse();
    const refused = await ask().catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(NotFoundError);
    expect((refused as APIError).code).toBe('model_not_found');
    expect(stub.stats().requests).toBe(0);

    useFallback(fallbackSection({ triggers: ['upstream_error', 'model_not_present'] }));
    const { data, response } = await ask();
    expect(response.headers.get('x-fallback-reason')).toBe('model_not_present');
    expect(data.choices[0]?.message.content).toBe(stubReply('Hi'));
    // Not in `models`: the provider's defaultModel serves it.
    expect(stub.requests()[0]?.model).toBe('gpt-4o');
    const event = await gw.usageEvent(response.headers.get('x-request-id')!);
    expect(event).toMatchObject({ model: 'no-such-model', provider: 'openai', upstreamModel: 'gpt-4o' });
  });

  it('falls back from a slow host after firstByteTimeoutMs (stream) and nonStreamTimeoutMs, aborting the local call', async () => {
    useFallback(fallbackSection({ firstByteTimeoutMs: 300, nonStreamTimeoutMs: 300 }));
    const content = 'Slow one [[sim:hang]]';
    const started = Date.now();
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'llama3.2', messages: [{ role: 'user', content }], stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(stubReply(content));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(response.headers.get('x-fallback-reason')).toBe('timeout');

    const whole = await openai.chat.completions
      .create({ model: 'llama3.2', messages: [{ role: 'user', content }] })
      .withResponse();
    expect(whole.response.headers.get('x-provider')).toBe('stub-openai');
    expect(whole.response.headers.get('x-fallback-reason')).toBe('timeout');
    // Both local calls were cut off (the simulator saw its clients go away).
    await expect.poll(() => gw.sim.stats().cancellations.length, { timeout: 5000 }).toBe(2);
  });

  it('never falls back after the first byte: an error mid-stream is the dialect error event', async () => {
    const stream = await openai.chat.completions.create({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Break later [[sim:error-midstream]]' }],
      stream: true,
    });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect(text.length).toBeGreaterThan(0);
    expect(stub.stats().requests).toBe(0);
  });

  it('retries a failing provider with backoff (counted on the stub), then moves down the chain', async () => {
    useFallback(fallbackSection({ retries: { count: 2, baseMs: 20, maxMs: 100 } }));
    stub.setFaults({ mode: 'error-500', count: 2 });
    const { response } = await openai.chat.completions
      .create({ model: 'llama3.2', messages: [{ role: 'user', content: 'Retry [[sim:error-500]]' }] })
      .withResponse();
    expect(response.headers.get('x-provider')).toBe('stub-openai');
    expect(stub.stats()).toMatchObject({ requests: 3, faultsInjected: 2 });

    stub.reset();
    useFallback(
      fallbackSection({ retries: { count: 1, baseMs: 20, maxMs: 100 } }, [
        { ...fallbackSection().providers[0]!, name: 'flaky' },
        anthropicProvider(),
      ]),
    );
    stub.setFaults({ mode: 'error-500', count: 2 });
    const second = await openai.chat.completions
      .create({ model: 'llama3.2', messages: [{ role: 'user', content: 'Next [[sim:error-500]]' }] })
      .withResponse();
    expect(second.response.headers.get('x-provider')).toBe('stub-anthropic');
    expect(stub.stats().byPath).toEqual({ '/v1/chat/completions': 2, '/v1/messages': 1 });
  });

  it('answers with the local error when the whole chain fails', async () => {
    stub.setFaults({ mode: 'error-500' });
    const failed = await openai.chat.completions
      .create({ model: 'llama3.2', messages: [{ role: 'user', content: 'Doomed [[sim:error-500]]' }] })
      .withResponse()
      .catch((caught: unknown) => caught);
    expect(failed).toBeInstanceOf(APIError);
    expect((failed as APIError).status).toBe(502);
    expect((failed as APIError).headers?.get('x-fallback-reason')).toBe('upstream_error');
    expect((failed as APIError).headers?.get('x-provider')).toBeNull();
    expect(stub.stats().requests).toBe(1);
    stub.setFaults(null);
  });

  it('sends the key from the variable the config names, and never logs it', async () => {
    logLines.length = 0;
    // A provider whose key is wrong first (401: not retried, logged), then the right one.
    KEYS.WRONG_KEY = 'sk-wrong-secret-value-0123456789';
    useFallback(
      fallbackSection({}, [
        { ...fallbackSection().providers[0]!, name: 'wrong', apiKeyEnv: 'WRONG_KEY' },
        fallbackSection().providers[0]!,
      ]),
    );
    const { response } = await openai.chat.completions
      .create({ model: 'llama3.2', messages: [{ role: 'user', content: 'Keys [[sim:error-500]]' }] })
      .withResponse();
    expect(response.headers.get('x-provider')).toBe('stub-openai');
    expect(stub.requests().map((request) => request.headers.authorization)).toEqual([
      'Bearer sk-wrong-secret-value-0123456789',
      `Bearer ${stub.config.openaiKey}`,
    ]);
    const logs = logLines.join('\n');
    expect(logs).toContain('fallback provider wrong failed');
    expect(logs).toContain('served by fallback provider stub-openai');
    expect(logs).not.toContain(stub.config.openaiKey);
    expect(logs).not.toContain('sk-wrong-secret-value-0123456789');
    expect(logs).not.toContain('0123456789');
  });
});
