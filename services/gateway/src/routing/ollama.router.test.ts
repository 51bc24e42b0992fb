import { AppError, serviceUnavailable } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import type { OllamaClient } from '../clients/ollama/ollama.client.js';
import { staticConfigStore } from '../config/config.store.js';
import { gatewayConfigSchema } from '../config/gateway-config.js';
import { newRequestContext, type RequestContext } from '../services/request-context.js';
import { createOllamaRouter } from './ollama.router.js';
import {
  ModelNotAvailableError,
  NoHealthyHostError,
  QueueWaitExceededError,
  UpstreamUnavailableError,
} from './routing.errors.js';
import { withModelOptions } from './routing-table.js';

/** A fake host: `answer(model)` decides each call; tags/ps/version answer from `models`/`loaded`. */
function fakeHost(
  url: string,
  models: string[],
  answer: (model: string) => Promise<unknown> = async () => ({}),
) {
  const calls: string[] = [];
  const tag = (name: string) => ({ name, model: name, modified_at: '', size: 1, digest: 'd' });
  const client = {
    baseUrl: url,
    chat: async (body: { model: string }) => {
      calls.push(body.model);
      return answer(body.model);
    },
    show: async (model: string) => {
      calls.push(`show:${model}`);
      return answer(model);
    },
    tags: async () => ({ models: models.map(tag) }),
    ps: async () => ({ models: [] }),
    version: async () => '0.12.3',
    close: async () => {},
  } as unknown as OllamaClient;
  return { url, client, calls };
}

const unreachable = () =>
  serviceUnavailable('The model server is unreachable. Check that Ollama is running.', {
    code: 'upstream_unavailable',
    retryAfterSeconds: 5,
  });

function routerOver(hosts: ReturnType<typeof fakeHost>[], config: Record<string, unknown> = {}) {
  const parsed = gatewayConfigSchema.parse({ hosts: hosts.map((host) => ({ url: host.url })), ...config });
  const byUrl = new Map(hosts.map((host) => [host.url, host.client]));
  return createOllamaRouter({
    config: staticConfigStore(parsed),
    healthChecks: false,
    createClient: (url) => byUrl.get(url)!,
  });
}

function context(fields: Partial<RequestContext> = {}): RequestContext & { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const created = newRequestContext({
    requestId: 'req-1',
    dialect: 'openai',
    endpoint: '/v1/chat/completions',
    clientIp: null,
    userAgent: null,
    startedAt: 0,
    setResponseHeader: (name, value) => {
      headers[name] = value;
    },
  });
  return Object.assign(created, fields, { headers });
}

const chat = (model: string) => (client: OllamaClient) =>
  client.chat({ model, messages: [], stream: false }, new AbortController().signal);

describe('ollama router', () => {
  it('sends a model only to hosts that have it, and reports the host', async () => {
    const a = fakeHost('http://a:1', ['qwen3:0.6b']);
    const b = fakeHost('http://b:2', ['llama3.2:latest']);
    const router = routerOver([a, b]);
    await router.checkNow(); // health checks off: nothing known yet
    for (const host of router.hosts())
      host.setModels(new Set(host.url === b.url ? ['llama3.2:latest'] : ['qwen3:0.6b']));
    const ctx = context();
    const target = router.target('Llama3.2');
    expect(target).toMatchObject({ model: 'Llama3.2', key: 'llama3.2:latest' });
    await router.call(target, ctx, undefined, chat(target.model));
    await router.call(target, context(), undefined, chat(target.model));
    expect(b.calls).toEqual(['Llama3.2', 'Llama3.2']);
    expect(a.calls).toEqual([]);
    expect(ctx.upstreamHost).toBe('http://b:2');
    expect(ctx.headers['x-queue-wait-ms']).toBe('0');
    expect(router.hosts()[1]!.loaded.has('llama3.2:latest')).toBe(true);

    const missing = await router
      .call(router.target('mistral'), context(), undefined, chat('mistral'))
      .catch((e) => e);
    expect(missing).toBeInstanceOf(ModelNotAvailableError);
    expect(missing).toMatchObject({
      status: 404,
      code: 'model_not_found',
      trigger: 'model_not_present',
      message: 'The model `mistral` does not exist or you do not have access to it.',
    });
    const native = await router
      .call(
        router.target('mistral'),
        context({ dialect: 'ollama', endpoint: '/api/chat', model: 'mistral' }),
        undefined,
        chat('mistral'),
      )
      .catch((e) => e);
    expect(native.message).toBe('model "mistral" not found, try pulling it first');
  });

  it('moves a request to the next host when one fails before answering, and marks it down', async () => {
    const a = fakeHost('http://a:1', [], async () => {
      throw unreachable();
    });
    const b = fakeHost('http://b:2', [], async () => ({ done: true }));
    const router = routerOver([a, b]);
    const ctx = context();
    expect(await router.call(router.target('m'), ctx, undefined, chat('m'))).toEqual({ done: true });
    expect(ctx.upstreamHost).toBe('http://b:2');
    expect(router.hosts()[0]!.alive).toBe(false);
    // Down hosts are skipped until a health check sees them again.
    await router.call(router.target('m'), context(), undefined, chat('m'));
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(2);
  });

  it('tries each host once; every one failing → the last failure as a routing error', async () => {
    const failing = (url: string) =>
      fakeHost(url, [], async () => {
        throw new AppError(502, 'upstream', 'The model server returned an error: boom', {
          code: 'upstream_error',
        });
      });
    const a = failing('http://a:1');
    const b = failing('http://b:2');
    const router = routerOver([a, b]);
    const error = await router.call(router.target('m'), context(), undefined, chat('m')).catch((e) => e);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error).toMatchObject({ status: 502, code: 'upstream_error', trigger: 'upstream_error' });
    expect([a.calls.length, b.calls.length]).toEqual([1, 1]);
  });

  it('a 404 from a host means it lacks the model: the next host is tried, and the first never again', async () => {
    const notFound = new AppError(404, 'not_found', 'missing', { code: 'model_not_found' });
    const a = fakeHost('http://a:1', [], async () => {
      throw notFound;
    });
    const b = fakeHost('http://b:2', [], async () => ({ ok: true }));
    const router = routerOver([a, b]);
    await router.call(router.target('m'), context(), undefined, chat('m'));
    await router.call(router.target('m'), context(), undefined, chat('m'));
    expect([a.calls.length, b.calls.length]).toEqual([1, 2]);
  });

  it('passes request errors (400) through without counting them against the host', async () => {
    const a = fakeHost('http://a:1', [], async () => {
      throw new AppError(400, 'invalid_request', 'bad');
    });
    const router = routerOver([a], { breaker: { failureThreshold: 1 } });
    for (let i = 0; i < 3; i += 1)
      await expect(router.call(router.target('m'), context(), undefined, chat('m'))).rejects.toMatchObject({
        status: 400,
      });
    expect(router.hosts()[0]!.breaker.state).toBe('closed');
  });

  it('opens the circuit after K failures: 503 no_healthy_host with retry-after until the cool-down ends', async () => {
    let healthy = false;
    const a = fakeHost('http://a:1', [], async () => {
      if (healthy) return { ok: true };
      throw new AppError(502, 'upstream', 'boom', { code: 'upstream_error' });
    });
    const router = routerOver([a], { breaker: { failureThreshold: 2, cooldownMs: 200 } });
    for (let i = 0; i < 2; i += 1)
      await router.call(router.target('m'), context(), undefined, chat('m')).catch(() => {});
    const refused = await router.call(router.target('m'), context(), undefined, chat('m')).catch((e) => e);
    expect(refused).toBeInstanceOf(NoHealthyHostError);
    expect(refused).toMatchObject({ status: 503, code: 'no_healthy_host', trigger: 'circuit_open' });
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(a.calls).toHaveLength(2);
    healthy = true;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await router.call(router.target('m'), context(), undefined, chat('m'))).toEqual({ ok: true });
    expect(router.hosts()[0]!.breaker.state).toBe('closed');
  });

  it('queues beyond maxConcurrent, reports the wait, and refuses after queue.maxWaitMs', async () => {
    let unblock = () => {};
    const block = () =>
      new Promise<void>((resolve) => {
        unblock = resolve;
      });
    let blocked = block();
    const a = fakeHost('http://a:1', [], async () => {
      await blocked;
      return { ok: true };
    });
    const parsed = { hosts: [{ url: 'http://a:1', maxConcurrent: 1 }], queue: { maxWaitMs: 300 } };
    const router = createOllamaRouter({
      config: staticConfigStore(gatewayConfigSchema.parse(parsed)),
      healthChecks: false,
      createClient: () => a.client,
    });
    const first = router.call(router.target('m'), context(), undefined, chat('m'));
    const waiting = context({ key: { id: 'k2', priority: 0 } as never });
    const second = router.call(router.target('m'), waiting, undefined, chat('m'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    unblock();
    await Promise.all([first, second]);
    expect(waiting.headers['x-queue-position']).toBe('1');
    expect(Number(waiting.headers['x-queue-wait-ms'])).toBeGreaterThan(0);
    expect(waiting.queueWaitMs).toBeGreaterThan(0);

    blocked = block();
    const holder = router.call(router.target('m'), context(), undefined, chat('m'));
    const late = await router.call(router.target('m'), context(), undefined, chat('m')).catch((e) => e);
    expect(late).toBeInstanceOf(QueueWaitExceededError);
    expect(late).toMatchObject({ status: 503, code: 'queue_wait_exceeded', retryAfterSeconds: 5 });
    unblock();
    await holder;
    expect(router.hosts()[0]!.queue.active).toBe(0);
  });

  it('a streamed answer holds its slot until the response closes (context.upstreamLease)', async () => {
    const a = fakeHost('http://a:1', []);
    const router = createOllamaRouter({
      config: staticConfigStore(
        gatewayConfigSchema.parse({ hosts: [{ url: 'http://a:1', maxConcurrent: 1 }] }),
      ),
      healthChecks: false,
      createClient: () => a.client,
    });
    const ctx = context();
    await router.call(router.target('m'), ctx, undefined, chat('m'), 'stream');
    expect(router.hosts()[0]!.queue.active).toBe(1);
    expect(ctx.upstreamLease).not.toBeNull();
    ctx.upstreamLease!.release();
    ctx.upstreamLease!.release(); // once only
    expect(router.hosts()[0]!.queue.active).toBe(0);
    // The call's signal aborting (client gone, or the fallback chain took over) gives the slot back at once.
    const controller = new AbortController();
    const aborted = context();
    await router.call(router.target('m'), aborted, controller.signal, chat('m'), 'stream');
    expect(router.hosts()[0]!.queue.active).toBe(1);
    controller.abort();
    expect(router.hosts()[0]!.queue.active).toBe(0);
    aborted.upstreamLease!.release();
    expect(router.hosts()[0]!.queue.active).toBe(0);
    await router.show(router.target('m'), null);
    expect(router.hosts()[0]!.queue.active).toBe(0); // show takes no slot
  });

  it('resolves aliases and forced options; lists the hosts’ models merged, with the aliases', async () => {
    const a = fakeHost('http://a:1', ['llama3.1:8b', 'qwen3:0.6b']);
    const b = fakeHost('http://b:2', ['qwen3:0.6b', 'qwen2.5-coder:14b']);
    const router = routerOver([a, b], {
      aliases: { default: 'llama3.1:8b', coding: 'qwen2.5-coder:14b', ghost: 'nope:1b' },
      modelOptions: { '*': { keepAlive: '30m' }, 'llama3.1:8b': { numCtx: 8192 } },
    });
    const target = router.target('default');
    expect(target).toEqual({
      model: 'llama3.1:8b',
      key: 'llama3.1:8b',
      options: { keepAlive: '30m', numCtx: 8192 },
    });
    expect(router.target('default')).toBe(target); // cached: no allocation per request
    expect(router.target('qwen3:0.6b').options).toEqual({ keepAlive: '30m' });
    expect(
      withModelOptions(
        { model: 'x', options: { temperature: 0, num_ctx: 2048 }, keep_alive: 0 },
        target.options,
      ),
    ).toEqual({
      model: 'x',
      options: { temperature: 0, num_ctx: 8192 },
      keep_alive: '30m',
    });
    const list = await router.listModels();
    expect(list.models.map((model) => model.name)).toEqual([
      'llama3.1:8b',
      'qwen3:0.6b',
      'qwen2.5-coder:14b',
      'default',
      'coding',
    ]);
    expect((await router.catalog.tags()).models).toHaveLength(3);
    expect(router.hosts()[1]!.models).toEqual(new Set(['qwen3:0.6b', 'qwen2.5-coder:14b']));
  });
});
