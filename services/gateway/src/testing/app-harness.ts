import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUEUE_NAMES, type RequestLogEvent, type UsageEvent } from '@ollama-gateway/contracts';
import { createApiKeysRepository, createCustomersRepository } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { type OllamaSim, type SimConfig, startOllamaSim } from '@ollama-gateway/ollama-sim';
import { createLogger, createRedis, generateApiKey, hashApiKey } from '@ollama-gateway/runtime';
import { Queue } from 'bullmq';
import { createApp } from '../app.js';
import { createOllamaClient } from '../clients/ollama/ollama.client.js';
import { createEventPublisher } from '../producers/event.publisher.js';
import { createSpool } from '../producers/spool.js';
import { createChatService } from '../services/chat.service.js';
import type { ImageFetcher } from '../services/image-fetcher.service.js';
import { createKeyAuthService } from '../services/key-auth.service.js';
import { createUsageRecorder } from '../services/usage-recorder.service.js';

export const TEST_HASH_SECRET = 'test-hash-secret-0123456789';
export const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestGateway {
  /** Base URL of the gateway app, e.g. http://127.0.0.1:40123 */
  url: string;
  sim: OllamaSim;
  database: TestDatabase;
  /** A valid customer key. */
  key: string;
  keyId: string;
  customerId: string;
  /** Creates another key for the same customer (e.g. with allowed models or as admin). */
  createKey(options?: {
    allowedModels?: string[];
    isAdmin?: boolean;
  }): Promise<{ key: string; keyId: string }>;
  /** The usage event the gateway emitted for a request id (waits for it). */
  usageEvent(requestId: string, timeoutMs?: number): Promise<UsageEvent>;
  requestLogEvent(requestId: string, timeoutMs?: number): Promise<RequestLogEvent>;
  close(): Promise<void>;
}

/**
 * The real gateway app (createApp with the real auth, chat service, Ollama client and BullMQ publisher) over a private
 * test database, a private queue prefix and an in-process simulator, listening on a random port.
 */
export async function startTestGateway(
  options: { sim?: Partial<SimConfig>; label?: string; imageFetcher?: ImageFetcher } = {},
): Promise<TestGateway> {
  const database = await createTestDatabase(options.label ?? 'gateway');
  const sim = await startOllamaSim({ port: 0, ...options.sim });
  const spoolDir = await mkdtemp(join(tmpdir(), 'ogw-spool-'));
  const prefix = `test-gw-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const logger = createLogger('gateway-test', 'silent');
  const redis = createRedis(REDIS_URL, 'producer', 'gateway-test');
  const ollama = createOllamaClient({ baseUrl: sim.url, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000 });
  const publisher = createEventPublisher({
    redis,
    prefix,
    spool: createSpool(spoolDir),
    logger,
    replayIntervalMs: 200,
  });
  const keys = createApiKeysRepository(database.db);
  const auth = createKeyAuthService({ store: keys, hashSecret: TEST_HASH_SECRET, cacheTtlMs: 0 });
  const app = createApp({
    logger,
    auth,
    chat: createChatService({ ollama }),
    ollama,
    recorder: createUsageRecorder({ publisher, logBodies: true }),
    internalSecret: TEST_INTERNAL_SECRET,
    maxBodyBytes: 5 * 1024 * 1024,
    keepAliveMs: 10_000,
    readiness: [],
    isStopping: () => false,
    ...(options.imageFetcher ? { imageFetcher: options.imageFetcher } : {}),
  });
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');

  const customer = await createCustomersRepository(database.db).create({
    name: 'Test customer',
    email: null,
  });
  const createKey = async (keyOptions: { allowedModels?: string[]; isAdmin?: boolean } = {}) => {
    const generated = generateApiKey();
    const created = await keys.create({
      customerId: customer.id,
      prefix: generated.prefix,
      secretHash: hashApiKey(generated.key, TEST_HASH_SECRET),
      allowedModels: keyOptions.allowedModels ?? null,
      isAdmin: keyOptions.isAdmin ?? false,
    });
    return { key: generated.key, keyId: created.id };
  };
  const first = await createKey();
  const queues = {
    usage: new Queue(QUEUE_NAMES.usage, { connection: { url: REDIS_URL }, prefix }),
    requestLog: new Queue(QUEUE_NAMES.requestLog, { connection: { url: REDIS_URL }, prefix }),
  };
  const waitForJob = async <T>(queue: Queue, jobId: string, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const job = await queue.getJob(jobId);
      if (job) return job.data as T;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no job ${jobId} in queue ${queue.name} after ${timeoutMs} ms`);
  };

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sim,
    database,
    key: first.key,
    keyId: first.keyId,
    customerId: customer.id,
    createKey,
    usageEvent: (requestId, timeoutMs = 5000) => waitForJob<UsageEvent>(queues.usage, requestId, timeoutMs),
    requestLogEvent: (requestId, timeoutMs = 5000) =>
      waitForJob<RequestLogEvent>(queues.requestLog, requestId, timeoutMs),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await publisher.close();
      await auth.close();
      await ollama.close();
      for (const queue of Object.values(queues)) {
        await queue.obliterate({ force: true }).catch(() => {});
        await queue.close();
      }
      redis.disconnect();
      await sim.close();
      await database.drop();
      await rm(spoolDir, { recursive: true, force: true });
    },
  };
}
