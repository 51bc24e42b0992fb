import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUEUE_NAMES, type RequestLogEvent, type UsageEvent } from '@ollama-gateway/contracts';
import { createApiKeysRepository, createCustomersRepository } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { type OllamaSim, startOllamaSim } from '@ollama-gateway/ollama-sim';
import { createLogger, createRedis, generateApiKey, hashApiKey, type Redis } from '@ollama-gateway/runtime';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { createEventPublisher, type EventPublisher } from './producers/event.publisher.js';
import { createSpool } from './producers/spool.js';
import { createChatService } from './services/chat.service.js';
import { createKeyAuthService, type KeyAuthService } from './services/key-auth.service.js';
import { createUsageRecorder } from './services/usage-recorder.service.js';
import { waitForQueuedEvent } from './testing/queued-event.js';
import { singleHostRouter } from './testing/routing-harness.js';

const HASH_SECRET = 'test-hash-secret-0123456789';
const INTERNAL_SECRET = 'test-internal-secret-0123456789';

interface Gateway {
  url: string;
  server: Server;
  publisher: EventPublisher;
  auth: KeyAuthService;
  redis: Redis;
  close(): Promise<void>;
}

let database: TestDatabase;
let sim: OllamaSim;
let gateway: Gateway;
let key: string;
let keyId: string;
let customerId: string;
let spoolDir: string;
const prefix = `test-gw-${process.pid}-${Date.now()}`;
const usageQueue = () =>
  new Queue(QUEUE_NAMES.usage, { connection: { url: 'redis://127.0.0.1:6379' }, prefix });
const logQueue = () =>
  new Queue(QUEUE_NAMES.requestLog, { connection: { url: 'redis://127.0.0.1:6379' }, prefix });

async function startGateway(redisUrl: string, dir: string): Promise<Gateway> {
  const logger = createLogger('gateway-test', 'silent');
  const redis = createRedis(redisUrl, 'producer', 'gateway-test');
  const router = singleHostRouter({ url: sim.url });
  const publisher = createEventPublisher({
    redis,
    prefix,
    spool: createSpool(dir),
    logger,
    replayIntervalMs: 200,
  });
  const auth = createKeyAuthService({
    store: createApiKeysRepository(database.db),
    hashSecret: HASH_SECRET,
    cacheTtlMs: 0,
  });
  const app = createApp({
    logger,
    auth,
    chat: createChatService({ router }),
    router,
    recorder: createUsageRecorder({ publisher, logBodies: true }),
    internalSecret: INTERNAL_SECRET,
    maxBodyBytes: 1024 * 1024,
    keepAliveMs: 10_000,
    readiness: [],
    isStopping: () => false,
  });
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    publisher,
    auth,
    redis,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await publisher.close();
      await auth.close();
      await router.close();
      redis.disconnect();
    },
  };
}

const chat = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${key}` }) =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  database = await createTestDatabase('gateway');
  sim = await startOllamaSim({ port: 0 });
  spoolDir = await mkdtemp(join(tmpdir(), 'ogw-spool-'));
  gateway = await startGateway('redis://127.0.0.1:6379', spoolDir);
  const customer = await createCustomersRepository(database.db).create({
    name: 'Acme',
    email: 'ops@acme.test',
  });
  customerId = customer.id;
  const generated = generateApiKey();
  key = generated.key;
  const created = await createApiKeysRepository(database.db).create({
    customerId,
    prefix: generated.prefix,
    secretHash: hashApiKey(generated.key, HASH_SECRET),
  });
  keyId = created.id;
});

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  for (const queue of [usageQueue(), logQueue()]) {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
  await database?.drop();
  await rm(spoolDir, { recursive: true, force: true });
});

describe('gateway app against the simulator, Postgres and Redis', () => {
  it('answers a chat completion and emits one usage event with the upstream token counts', async () => {
    const response = await chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'Say hello' }] });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id')!;
    const body = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    const queue = usageQueue();
    const usage = await waitForQueuedEvent<UsageEvent>(queue, requestId);
    await queue.close();
    expect(usage).toMatchObject({
      requestId,
      customerId,
      apiKeyId: keyId,
      model: 'llama3.2',
      provider: 'ollama',
      status: 200,
      stream: false,
      dialect: 'openai',
      endpoint: '/v1/chat/completions',
      promptTokens: body.usage.prompt_tokens,
      completionTokens: body.usage.completion_tokens,
    });
    expect(usage.totalDurationNs).toBeGreaterThan(0);
    const logs = logQueue();
    const log = await waitForQueuedEvent<RequestLogEvent>(logs, requestId);
    await logs.close();
    expect(log.requestBody).toMatchObject({ model: 'llama3.2' });
    expect(log.responseBody).toMatchObject({ object: 'chat.completion' });
  });

  it('records a client that leaves mid-stream as 499 with the tokens sent so far, and aborts the upstream at once', async () => {
    const controller = new AbortController();
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        model: 'llama3.2',
        stream: true,
        messages: [{ role: 'user', content: 'long story [[sim:slow]] [[sim:tokens=200]]' }],
      }),
      signal: controller.signal,
    });
    const requestId = response.headers.get('x-request-id')!;
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('"content":"') || text.split('"content":"').length < 4) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    const before = sim.stats().cancellations.length;
    const abortedAt = Date.now();
    controller.abort();
    const queue = usageQueue();
    const usage = await waitForQueuedEvent<UsageEvent>(queue, requestId);
    await queue.close();
    expect(usage.status).toBe(499);
    expect(usage.stream).toBe(true);
    expect(usage.completionTokens).toBeGreaterThanOrEqual(2);
    expect(usage.completionTokens).toBeLessThan(200);
    const deadline = Date.now() + 1000;
    while (sim.stats().cancellations.length === before && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(sim.stats().cancellations.length).toBe(before + 1);
    const cancellation = sim.stats().cancellations.at(-1)!;
    expect(cancellation.path).toBe('/api/chat');
    // The goal is 100 ms (issue 9, measured in bench/); the bound here is loose so a loaded 2-core CI box cannot flake.
    expect(cancellation.atMs - abortedAt).toBeLessThan(1000);
  });

  it('turns an upstream error mid-stream into an OpenAI error event and records it as 502', async () => {
    const response = await chat({
      model: 'llama3.2',
      stream: true,
      messages: [{ role: 'user', content: 'fail please [[sim:error-midstream]]' }],
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id')!;
    const text = await response.text();
    const frames = text.split('\n\n').filter(Boolean);
    const last = JSON.parse(frames.at(-1)!.replace(/^data: /, ''));
    expect(last.error).toMatchObject({ type: 'server_error', param: null, code: null });
    expect(text).not.toContain('[DONE]');
    const queue = usageQueue();
    const usage = await waitForQueuedEvent<UsageEvent>(queue, requestId);
    await queue.close();
    expect(usage.status).toBe(502);
  });

  it('answers 502 in OpenAI form when Ollama fails before the first byte', async () => {
    const response = await chat({
      model: 'llama3.2',
      messages: [{ role: 'user', content: '[[sim:error-500]]' }],
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { type: 'server_error', param: null, code: null } });
  });

  it('never trusts identity headers without the internal secret', async () => {
    const forged = await chat(
      { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] },
      {
        authorization: 'Bearer sk-og-forged',
        'x-gateway-key-id': keyId,
        'x-gateway-internal': 'guess-guess-guess-guess',
      },
    );
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    const trusted = await chat(
      { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] },
      {
        'x-gateway-key-id': keyId,
        'x-gateway-internal': INTERNAL_SECRET,
        'x-request-id': 'abcdef0123456789abcdef0123456789',
      },
    );
    expect(trusted.status).toBe(200);
    expect(trusted.headers.get('x-request-id')).toBe('abcdef0123456789abcdef0123456789');
  });

  it('serves nginx auth subrequests: 204 with identity, or 401 with the dialect error body and a usage event', async () => {
    const ok = await fetch(`${gateway.url}/internal/auth`, {
      headers: { authorization: `Bearer ${key}`, 'x-gateway-internal': INTERNAL_SECRET },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('x-gateway-key-id')).toBe(keyId);
    expect(ok.headers.get('x-gateway-customer-id')).toBe(customerId);

    const requestId = 'fedcba9876543210fedcba9876543210';
    const rejected = await fetch(`${gateway.url}/internal/auth`, {
      headers: {
        'x-api-key': 'sk-og-nope',
        'x-gateway-internal': INTERNAL_SECRET,
        'x-original-uri': '/v1/messages?beta=true',
        'x-request-id': requestId,
      },
    });
    expect(rejected.status).toBe(401);
    expect(JSON.parse(rejected.headers.get('x-gateway-error')!)).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: expect.stringContaining('Incorrect API key') },
    });
    const queue = usageQueue();
    const usage = await waitForQueuedEvent<UsageEvent>(queue, requestId);
    await queue.close();
    expect(usage).toMatchObject({
      status: 401,
      dialect: 'anthropic',
      endpoint: '/v1/messages',
      apiKeyId: null,
    });

    const outsider = await fetch(`${gateway.url}/internal/auth`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(outsider.status).toBe(404);
  });

  it('spools usage events while Redis is unreachable and replays them when it is back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ogw-spool-down-'));
    const down = await startGateway('redis://127.0.0.1:1', dir);
    const saved = gateway;
    gateway = down;
    let requestId: string;
    try {
      const response = await chat({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'while redis is down' }],
      });
      expect(response.status).toBe(200);
      requestId = response.headers.get('x-request-id')!;
    } finally {
      gateway = saved;
      await down.close();
    }
    const spooled = await readFile(join(dir, 'events.ndjson'), 'utf8');
    expect(spooled).toContain(requestId);
    // A new gateway process over the same spool, with Redis reachable, replays it.
    const replaying = await startGateway('redis://127.0.0.1:6379', dir);
    try {
      const queue = usageQueue();
      const usage = await waitForQueuedEvent<UsageEvent>(queue, requestId, 8000);
      await queue.close();
      expect(usage.status).toBe(200);
    } finally {
      await replaying.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
