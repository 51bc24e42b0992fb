import { AppError, badRequest, ConfigError, upstreamError } from '@ollama-gateway/runtime';
import { describe, expect, it, vi } from 'vitest';
import type { ChatEvent, ChatRequest, ChatResult } from '../canonical/chat.types.js';
import { modelNotFound } from '../canonical/errors.js';
import { NO_TIMINGS } from '../clients/providers/provider.mapping.js';
import { type ProviderClient, ProviderError } from '../clients/providers/provider.types.js';
import {
  ModelNotAvailableError,
  NoHealthyHostError,
  QueueWaitExceededError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../routing/routing.errors.js';
import type { ChatService } from '../services/chat.service.js';
import { newRequestContext, type RequestContext } from '../services/request-context.js';
import { backoffMs, triggerOf } from './fallback.attempt.js';
import { fallbackConfigSchema } from './fallback.config.js';
import { assertProviderKeys, buildFallbackChain, createFallbackChains } from './fallback.providers.js';
import { createFallbackChatService } from './fallback-chat.service.js';

const result = (content: string, promptTokens = 3, completionTokens = 2): ChatResult => ({
  model: 'x',
  content,
  thinking: '',
  toolCalls: [],
  finishReason: 'stop',
  usage: { promptTokens, completionTokens },
  timings: NO_TIMINGS,
  createdAt: '2026-01-01T00:00:00.000Z',
});

const endEvent = (promptTokens: number, completionTokens: number): ChatEvent => ({
  type: 'end',
  finishReason: 'stop',
  usage: { promptTokens, completionTokens },
  timings: NO_TIMINGS,
  createdAt: 'T',
});

async function* events(list: ChatEvent[], options: { delayMs?: number; failAfter?: number } = {}) {
  if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
  for (const [index, event] of list.entries()) {
    if (options.failAfter === index)
      throw upstreamError('lost mid-stream', { code: 'upstream_connection_lost' });
    yield event;
  }
}

async function collect(stream: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const event of stream) out.push(event);
  return out;
}

/** A local ChatService whose behaviour each test sets; records the signals it was given. */
function fakeLocal(behaviour: {
  complete?: (signal: AbortSignal) => Promise<ChatResult>;
  stream?: (signal: AbortSignal) => Promise<AsyncIterable<ChatEvent>>;
}) {
  const signals: AbortSignal[] = [];
  const service: ChatService = {
    async complete(request, context, signal) {
      signals.push(signal);
      context.provider = 'ollama';
      context.upstreamHost = 'http://gpu1:11434';
      context.upstreamModel = request.model === 'fast' ? 'llama3.2:latest' : request.model;
      return behaviour.complete!(signal);
    },
    async stream(request, context, signal) {
      signals.push(signal);
      context.provider = 'ollama';
      context.upstreamHost = 'http://gpu1:11434';
      context.upstreamModel = request.model;
      return behaviour.stream!(signal);
    },
  };
  return { service, signals };
}

type Script = (call: number) => Promise<ChatResult | AsyncIterable<ChatEvent>>;

/** A provider client that answers per call from a script and counts its calls. */
function fakeProvider(name: string, type: 'openai' | 'anthropic', script: Script) {
  const calls: { model: string; stream: boolean }[] = [];
  const client: ProviderClient = {
    name,
    type,
    provider: type,
    baseUrl: `https://${name}.example/v1`,
    async complete(_request, model) {
      calls.push({ model, stream: false });
      return (await script(calls.length)) as ChatResult;
    },
    async stream(_request, model) {
      calls.push({ model, stream: true });
      return (await script(calls.length)) as AsyncIterable<ChatEvent>;
    },
    close: async () => {},
  };
  return { client, calls };
}

function setup(
  local: ChatService,
  section: Record<string, unknown>,
  providers: Record<string, ProviderClient>,
  sleeps: number[] = [],
) {
  const config = fallbackConfigSchema.parse(section);
  const chain = buildFallbackChain(
    config,
    () => 'key',
    (provider) => providers[provider.name]!,
  );
  const logs: unknown[] = [];
  const logger = { info: (obj: unknown) => logs.push(obj), warn: (obj: unknown) => logs.push(obj) };
  const service = createFallbackChatService(local, {
    chain: () => chain,
    logger: logger as never,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
  return { service, logs };
}

function context(): { ctx: RequestContext; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const ctx = newRequestContext({
    requestId: 'req-fallback-test',
    dialect: 'openai',
    endpoint: '/v1/chat/completions',
    clientIp: null,
    userAgent: null,
    startedAt: performance.now(),
    setResponseHeader: (name, value) => {
      headers[name] = value;
    },
  });
  return { ctx, headers };
}

const request = (model = 'llama3.2', stream = false): ChatRequest => ({
  model,
  messages: [{ role: 'user', content: 'Hi' }],
  stream,
  options: {},
});

const never = new AbortController().signal;
const openaiSection = (extra: Record<string, unknown> = {}) => ({
  providers: [
    { name: 'cloud', type: 'openai', apiKeyEnv: 'OPENAI_API_KEY', models: { 'llama3.2': 'gpt-4o-mini' } },
  ],
  ...extra,
});

describe('triggerOf', () => {
  it('maps routing errors to their trigger and Ollama client errors by status and code', () => {
    expect(triggerOf(new ModelNotAvailableError(404, 'not_found', 'x'))).toBe('model_not_present');
    expect(triggerOf(new NoHealthyHostError(503, 'unavailable', 'x'))).toBe('circuit_open');
    expect(triggerOf(new QueueWaitExceededError(429, 'rate_limit', 'x'))).toBe('queue_wait');
    expect(triggerOf(new UpstreamUnavailableError(503, 'unavailable', 'x'))).toBe('upstream_error');
    expect(triggerOf(new UpstreamTimeoutError(504, 'upstream', 'x'))).toBe('timeout');
    expect(triggerOf(modelNotFound('m'))).toBe('model_not_present');
    expect(triggerOf(upstreamError('boom', { code: 'upstream_error' }))).toBe('upstream_error');
    expect(triggerOf(new AppError(504, 'upstream', 'slow', { code: 'upstream_timeout' }))).toBe('timeout');
    expect(triggerOf(new AppError(503, 'unavailable', 'busy', { code: 'upstream_busy' }))).toBe('queue_wait');
    expect(triggerOf(badRequest('bad'))).toBeNull();
    expect(triggerOf(new Error('bug'))).toBeNull();
  });

  it('backs off exponentially with half jitter, capped', () => {
    const retries = { count: 5, baseMs: 100, maxMs: 300 };
    expect([1, 2, 3, 4].map((n) => backoffMs(retries, n, () => 0))).toEqual([50, 100, 150, 150]);
    expect([1, 2, 3].map((n) => backoffMs(retries, n, () => 1))).toEqual([100, 200, 300]);
  });
});

describe('fallback chat service: complete()', () => {
  it('passes a local answer through and says x-provider: ollama', async () => {
    const local = fakeLocal({ complete: async () => result('local') });
    const cloud = fakeProvider('cloud', 'openai', async () => result('cloud'));
    const { service } = setup(local.service, openaiSection(), { cloud: cloud.client });
    const { ctx, headers } = context();
    expect((await service.complete(request(), ctx, never)).content).toBe('local');
    expect(headers).toEqual({ 'x-provider': 'ollama' });
    expect(cloud.calls).toHaveLength(0);
  });

  it('serves a local 5xx from the first provider, recording provider, host, model, usage and headers', async () => {
    const local = fakeLocal({ complete: async () => Promise.reject(upstreamError('runner died')) });
    const cloud = fakeProvider('cloud', 'openai', async () => result('cloud', 19, 7));
    const { service } = setup(local.service, openaiSection(), { cloud: cloud.client });
    const { ctx, headers } = context();
    const answer = await service.complete(request(), ctx, never);
    expect(answer.content).toBe('cloud');
    expect(cloud.calls).toEqual([{ model: 'gpt-4o-mini', stream: false }]);
    expect(ctx).toMatchObject({
      provider: 'openai',
      upstreamHost: 'https://cloud.example/v1',
      upstreamModel: 'gpt-4o-mini',
      usage: { promptTokens: 19, completionTokens: 7 },
    });
    expect(headers).toEqual({ 'x-provider': 'cloud', 'x-fallback-reason': 'upstream_error' });
  });

  it('leaves client errors, bugs and triggers that are off alone', async () => {
    for (const [error, section] of [
      [badRequest('bad request'), openaiSection()],
      [new Error('a bug'), openaiSection()],
      [upstreamError('boom'), openaiSection({ triggers: ['timeout'] })],
      [modelNotFound('llama3.2'), openaiSection()],
    ] as const) {
      const local = fakeLocal({ complete: async () => Promise.reject(error) });
      const cloud = fakeProvider('cloud', 'openai', async () => result('cloud'));
      const { service } = setup(local.service, section, { cloud: cloud.client });
      await expect(service.complete(request(), context().ctx, never)).rejects.toBe(error);
      expect(cloud.calls).toHaveLength(0);
    }
  });

  it('sends a missing model down the chain only when model_not_present is on, mapping alias or upstream model', async () => {
    const local = fakeLocal({ complete: async () => Promise.reject(modelNotFound('fast')) });
    const cloud = fakeProvider('cloud', 'openai', async () => result('cloud'));
    const { service } = setup(
      local.service,
      {
        triggers: ['model_not_present'],
        providers: [
          { name: 'skipped', type: 'openai', models: { other: 'gpt-x' } },
          { name: 'cloud', type: 'openai', models: { 'llama3.2': 'gpt-4o-mini' } },
        ],
      },
      { cloud: cloud.client, skipped: fakeProvider('skipped', 'openai', async () => result('no')).client },
    );
    const { ctx, headers } = context();
    // `fast` is not mapped; the local router resolved it to llama3.2:latest, which matches `llama3.2`.
    await service.complete(request('fast'), ctx, never);
    expect(cloud.calls[0]?.model).toBe('gpt-4o-mini');
    expect(headers['x-fallback-reason']).toBe('model_not_present');
  });

  it('retries a retryable failure with backoff, then moves on; a non-retryable one moves on at once', async () => {
    const local = fakeLocal({ complete: async () => Promise.reject(upstreamError('down')) });
    const flaky = fakeProvider('flaky', 'openai', async () => {
      throw new ProviderError(503, 'flaky answered 503', true, 'server_error');
    });
    const denied = fakeProvider('denied', 'openai', async () => {
      throw new ProviderError(401, 'denied answered 401', false, 'invalid_api_key');
    });
    const good = fakeProvider('good', 'anthropic', async (call) =>
      call < 2
        ? Promise.reject(new ProviderError(529, 'overloaded', true, 'overloaded_error'))
        : result('good'),
    );
    const sleeps: number[] = [];
    const { service } = setup(
      local.service,
      {
        retries: { count: 2, baseMs: 100, maxMs: 1000 },
        providers: ['flaky', 'denied', 'good'].map((name) => ({
          name,
          type: name === 'good' ? 'anthropic' : 'openai',
          defaultModel: `${name}-model`,
        })),
      },
      { flaky: flaky.client, denied: denied.client, good: good.client },
      sleeps,
    );
    const { ctx, headers } = context();
    expect((await service.complete(request(), ctx, never)).content).toBe('good');
    expect([flaky.calls.length, denied.calls.length, good.calls.length]).toEqual([3, 1, 2]);
    // random 0.5: 100 → 75, 200 → 150 for flaky's two retries; 75 for good's one.
    expect(sleeps).toEqual([75, 150, 75]);
    expect(headers['x-provider']).toBe('good');
    expect(ctx.provider).toBe('anthropic');
  });

  it('throws the local error when every provider fails, with the local provider and host restored', async () => {
    const localError = upstreamError('runner died');
    const local = fakeLocal({ complete: async () => Promise.reject(localError) });
    const cloud = fakeProvider('cloud', 'openai', async () => {
      throw new ProviderError(400, 'rejected', false, 'invalid_request_error');
    });
    const { service, logs } = setup(local.service, openaiSection(), { cloud: cloud.client });
    const { ctx, headers } = context();
    await expect(service.complete(request(), ctx, never)).rejects.toBe(localError);
    expect(ctx).toMatchObject({
      provider: 'ollama',
      upstreamHost: 'http://gpu1:11434',
      upstreamModel: 'llama3.2',
    });
    expect(headers).toEqual({ 'x-fallback-reason': 'upstream_error' });
    expect(logs).toContainEqual(expect.objectContaining({ provider: 'cloud', status: 400, attempt: 1 }));
  });

  it('aborts a local answer slower than nonStreamTimeoutMs and falls back (trigger timeout)', async () => {
    const local = fakeLocal({
      complete: (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
        ),
    });
    const cloud = fakeProvider('cloud', 'openai', async () => result('cloud'));
    const { service } = setup(local.service, openaiSection({ nonStreamTimeoutMs: 30 }), {
      cloud: cloud.client,
    });
    const { ctx, headers } = context();
    expect((await service.complete(request(), ctx, never)).content).toBe('cloud');
    expect(local.signals[0]?.aborted).toBe(true);
    expect(headers['x-fallback-reason']).toBe('timeout');
  });

  it('runs no local timer while the timeout trigger is off', async () => {
    const local = fakeLocal({
      complete: () => new Promise((resolve) => setTimeout(() => resolve(result('late but local')), 80)),
    });
    const cloud = fakeProvider('cloud', 'openai', async () => result('cloud'));
    const { service } = setup(
      local.service,
      openaiSection({ nonStreamTimeoutMs: 10, triggers: ['upstream_error'] }),
      {
        cloud: cloud.client,
      },
    );
    expect((await service.complete(request(), context().ctx, never)).content).toBe('late but local');
    expect(local.signals[0]?.aborted).toBe(false);
    expect(cloud.calls).toHaveLength(0);
  });

  it('stops when the client leaves during the chain', async () => {
    const controller = new AbortController();
    const local = fakeLocal({ complete: async () => Promise.reject(upstreamError('down')) });
    const cloud = fakeProvider('cloud', 'openai', async () => {
      controller.abort();
      throw new ProviderError(503, 'down', true, 'server_error');
    });
    const { service } = setup(local.service, openaiSection({ retries: { count: 3 } }), {
      cloud: cloud.client,
    });
    await expect(service.complete(request(), context().ctx, controller.signal)).rejects.toThrow();
    expect(cloud.calls).toHaveLength(1);
  });
});

describe('fallback chat service: stream()', () => {
  const text = (t: string): ChatEvent => ({ type: 'text', text: t });

  it('hands a local stream over once its first event arrived, with x-provider: ollama', async () => {
    const local = fakeLocal({ stream: async () => events([text('a'), text('b'), endEvent(1, 2)]) });
    const cloud = fakeProvider('cloud', 'openai', async () => events([]));
    const { service } = setup(local.service, openaiSection(), { cloud: cloud.client });
    const { ctx, headers } = context();
    expect(await collect(await service.stream(request('llama3.2', true), ctx, never))).toHaveLength(3);
    expect(headers['x-provider']).toBe('ollama');
    expect(cloud.calls).toHaveLength(0);
  });

  it('falls back when the local stream fails to open, accounting the provider stream', async () => {
    const local = fakeLocal({ stream: async () => Promise.reject(upstreamError('refused')) });
    const cloud = fakeProvider('cloud', 'openai', async () =>
      events([text('c1'), text('c2'), endEvent(9, 4)]),
    );
    const { service } = setup(local.service, openaiSection(), { cloud: cloud.client });
    const { ctx, headers } = context();
    const out = await collect(await service.stream(request('llama3.2', true), ctx, never));
    expect(out.map((event) => event.type)).toEqual(['text', 'text', 'end']);
    expect(ctx.usage).toEqual({ promptTokens: 9, completionTokens: 4 });
    expect(ctx.ttftMs).not.toBeNull();
    expect(headers).toEqual({ 'x-provider': 'cloud', 'x-fallback-reason': 'upstream_error' });
  });

  it('falls back on an error line before the first event; without a taker it replays it as before', async () => {
    const errorFirst = () => events([{ type: 'error', message: 'model runner crashed' }]);
    const cloud = fakeProvider('cloud', 'openai', async () => events([text('c'), endEvent(1, 1)]));
    const taken = setup(fakeLocal({ stream: async () => errorFirst() }).service, openaiSection(), {
      cloud: cloud.client,
    });
    expect(
      await collect(await taken.service.stream(request('llama3.2', true), context().ctx, never)),
    ).toHaveLength(2);
    expect(cloud.calls).toHaveLength(1);

    const untaken = setup(
      fakeLocal({ stream: async () => errorFirst() }).service,
      openaiSection({ triggers: [] }),
      {
        cloud: cloud.client,
      },
    );
    expect(
      await collect(await untaken.service.stream(request('llama3.2', true), context().ctx, never)),
    ).toEqual([{ type: 'error', message: 'model runner crashed' }]);
    expect(cloud.calls).toHaveLength(1);
  });

  it('never falls back after the first event: a later failure passes through', async () => {
    const local = fakeLocal({
      stream: async () => events([text('a'), text('b'), endEvent(1, 2)], { failAfter: 1 }),
    });
    const cloud = fakeProvider('cloud', 'openai', async () => events([text('c'), endEvent(1, 1)]));
    const { service } = setup(local.service, openaiSection(), { cloud: cloud.client });
    const stream = await service.stream(request('llama3.2', true), context().ctx, never);
    const seen: ChatEvent[] = [];
    await expect(
      (async () => {
        for await (const event of stream) seen.push(event);
      })(),
    ).rejects.toThrow('lost mid-stream');
    expect(seen).toEqual([text('a')]);
    expect(cloud.calls).toHaveLength(0);
  });

  it('aborts a local stream with no first event within firstByteTimeoutMs and falls back (trigger timeout)', async () => {
    const local = fakeLocal({
      stream: async () => events([text('late'), endEvent(1, 1)], { delayMs: 2000 }),
    });
    const cloud = fakeProvider('cloud', 'openai', async () => events([text('fast'), endEvent(1, 1)]));
    const { service } = setup(local.service, openaiSection({ firstByteTimeoutMs: 40 }), {
      cloud: cloud.client,
    });
    const { ctx, headers } = context();
    const started = Date.now();
    const out = await collect(await service.stream(request('llama3.2', true), ctx, never));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(out[0]).toEqual(text('fast'));
    expect(local.signals[0]?.aborted).toBe(true);
    expect(headers['x-fallback-reason']).toBe('timeout');
  });

  it('moves on from a provider whose first event is later than its own firstByteTimeoutMs', async () => {
    const local = fakeLocal({ stream: async () => Promise.reject(upstreamError('down')) });
    const slow = fakeProvider('slow', 'openai', async () =>
      events([text('slow'), endEvent(1, 1)], { delayMs: 2000 }),
    );
    const quick = fakeProvider('quick', 'anthropic', async () => events([text('quick'), endEvent(1, 1)]));
    const { service } = setup(
      local.service,
      {
        retries: { count: 0 },
        providers: [
          { name: 'slow', type: 'openai', defaultModel: 's', firstByteTimeoutMs: 40 },
          { name: 'quick', type: 'anthropic', defaultModel: 'q' },
        ],
      },
      { slow: slow.client, quick: quick.client },
    );
    const { ctx, headers } = context();
    expect((await collect(await service.stream(request('llama3.2', true), ctx, never)))[0]).toEqual(
      text('quick'),
    );
    expect(headers['x-provider']).toBe('quick');
  });

  it('without providers, hands the local stream over untouched (no waiting for the first event)', async () => {
    let opened = false;
    const local = fakeLocal({
      stream: async () => {
        opened = true;
        return events([text('a'), endEvent(1, 1)], { delayMs: 50 });
      },
    });
    const { service } = setup(local.service, {}, {});
    const stream = await service.stream(request('llama3.2', true), context().ctx, never);
    expect(opened).toBe(true);
    expect(await collect(stream)).toHaveLength(2);
  });
});

describe('fallback chains and keys', () => {
  it('refuses a chain whose key variable is unset, naming the variable and never a value', () => {
    const config = fallbackConfigSchema.parse(openaiSection());
    expect(() => assertProviderKeys(config, () => undefined)).toThrow(ConfigError);
    expect(() => assertProviderKeys(config, () => undefined)).toThrow(/OPENAI_API_KEY/);
    expect(() => assertProviderKeys(config, () => 'sk-live')).not.toThrow();
  });

  it('rebuilds the chain when the config object changes (reload) and closes the old clients', async () => {
    const closed: string[] = [];
    let config = fallbackConfigSchema.parse(openaiSection());
    const chains = createFallbackChains({
      config: () => config,
      keyOf: () => 'k',
      createClient: (provider) => ({
        ...fakeProvider(provider.name, 'openai', async () => result('x')).client,
        close: async () => {
          closed.push(provider.name);
        },
      }),
    });
    const first = chains.current();
    expect(chains.current()).toBe(first);
    config = fallbackConfigSchema.parse({
      providers: [{ name: 'next', type: 'openai', defaultModel: 'm' }],
    });
    const second = chains.current();
    expect(second).not.toBe(first);
    expect(second.providers[0]?.client.name).toBe('next');
    await vi.waitFor(() => expect(closed).toEqual(['cloud']));
  });
});
