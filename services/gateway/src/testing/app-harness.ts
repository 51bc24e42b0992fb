import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUEUE_NAMES, type RequestLogEvent, type UsageEvent } from '@ollama-gateway/contracts';
import {
  createApiKeysRepository,
  createCustomersRepository,
  createUsageReportsRepository,
  type Db,
} from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import type { OllamaSim, SimConfig } from '@ollama-gateway/ollama-sim';
import {
  createLogger,
  createMetricsRegistry,
  createRedis,
  generateApiKey,
  hashApiKey,
  type Logger,
  publishCustomerChanged,
  publishKeyChanged,
  publishPricesChanged,
  type Redis,
  subscribeKeyChanged,
} from '@ollama-gateway/runtime';
import { Queue } from 'bullmq';
import { createApp } from '../app.js';
import { type CacheConfig, type CacheConfigInput, cacheConfigSchema } from '../cache/cache.config.js';
import { createRedisCacheStore } from '../cache/cache.store.js';
import { createCachingChatService } from '../cache/caching-chat.service.js';
import type { AdmissionGate } from '../limits/admission.js';
import { createCorsPolicy } from '../middleware/cors.middleware.js';
import { createEventPublisher } from '../producers/event.publisher.js';
import { createSpool } from '../producers/spool.js';
import { createAdminService } from '../services/admin.service.js';
import { type ChatService, createChatService } from '../services/chat.service.js';
import { createGatewayMetrics } from '../services/gateway.metrics.js';
import type { ImageFetcher } from '../services/image-fetcher.service.js';
import { createKeyAuthService, type KeyAuthService } from '../services/key-auth.service.js';
import { createUsageRecorder } from '../services/usage-recorder.service.js';
import { waitForQueuedEvent } from './queued-event.js';
import { type RoutedHosts, startRoutedHosts, type TestConfigInput } from './routing-harness.js';

export const TEST_HASH_SECRET = 'test-hash-secret-0123456789';
export const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestGateway {
  /** Base URL of the gateway app, e.g. http://127.0.0.1:40123 */
  url: string;
  /** The first simulator (`sims[0]`). */
  sim: OllamaSim;
  /** Every simulator, one Ollama host each (see `sims` in the options), with the router and config store over them. */
  sims: OllamaSim[];
  routing: RoutedHosts;
  database: TestDatabase;
  /** A valid customer key. */
  key: string;
  keyId: string;
  customerId: string;
  /** Creates another key for the same customer (e.g. with allowed models or as admin). */
  createKey(options?: TestKeyOptions): Promise<{ key: string; keyId: string }>;
  /** The Redis key/queue prefix (shared by instances started with `shared`). */
  prefix: string;
  /** The app's Redis connection and key-auth service. */
  redis: Redis;
  auth: KeyAuthService;
  /** The usage event the gateway emitted for a request id (waits for it). */
  usageEvent(requestId: string, timeoutMs?: number): Promise<UsageEvent>;
  requestLogEvent(requestId: string, timeoutMs?: number): Promise<RequestLogEvent>;
  close(): Promise<void>;
}

export interface TestKeyOptions {
  allowedModels?: string[];
  /** Paths, globs or `dialect:x` (null/absent = every endpoint). */
  allowedEndpoints?: string[] | null;
  isAdmin?: boolean;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  maxConcurrency?: number | null;
}

/**
 * The real gateway app (createApp with the real auth, chat service, Ollama client and BullMQ publisher) over a private
 * test database, a private queue prefix and an in-process simulator, listening on a random port.
 */
export async function startTestGateway(
  options: {
    sim?: Partial<SimConfig>;
    /** Several simulators (one Ollama host each, in this order) instead of the one `sim` configures. */
    sims?: Partial<SimConfig>[];
    /** Config file sections (aliases, modelOptions, queue, health, breaker, or hosts of your own): routing-harness.ts. */
    config?: TestConfigInput;
    /** Active health checks of the hosts (default off: they show up in the simulators' request counts). */
    healthChecks?: boolean;
    label?: string;
    imageFetcher?: ImageFetcher;
    /** CORS_ALLOW_ORIGINS (origins or `*`); absent = CORS off. */
    corsOrigins?: string[];
    /** Admission gates (rate limits, quotas, budget) built over the test's database and Redis. */
    admission?: (deps: { db: Db; redis: Redis; prefix: string; logger: Logger }) => AdmissionGate;
    /** Another instance's database and prefix: a second gateway replica over the same Postgres and Redis keys. */
    shared?: Pick<TestGateway, 'database' | 'prefix'>;
    /** Key cache TTL (default 0: every request reads the key). */
    keyCacheTtlMs?: number;
    /** Subscribe to key-change messages as main.ts does (evicts keys from the auth cache at once). */
    subscribeKeyChanges?: boolean;
    /** ADMIN_TOKEN of the admin REST API (/admin/…); unset = the admin API answers 404. */
    adminToken?: string;
    /** The admin service publishes key, customer and price changes on Redis as main.ts wires it. */
    publishChanges?: boolean;
    /** BILLING_TIME_ZONE for /v1/usage and the admin reports (default UTC). */
    billingTimeZone?: string;
    /** Serve GET /metrics as main.ts does (a private registry; no process metrics). Default off. */
    metrics?: boolean;
    /**
     * The response cache in front of the chat service (Redis keys under `<prefix>:cache`): the `cache` config section
     * (enabled unless it says otherwise), or a getter a test can change between requests.
     */
    cache?: CacheConfigInput | (() => CacheConfig);
    /** Wraps the routed chat service, inside the cache, as main.ts does with the fallback chain (fallback/). */
    wrapChat?: (chat: ChatService) => ChatService;
  } = {},
): Promise<TestGateway> {
  const database = options.shared?.database ?? (await createTestDatabase(options.label ?? 'gateway'));
  const spoolDir = await mkdtemp(join(tmpdir(), 'ogw-spool-'));
  const routing = await startRoutedHosts({
    dir: spoolDir,
    sims: options.sims ?? [options.sim ?? {}],
    ...(options.config ? { config: options.config } : {}),
    ...(options.healthChecks ? { healthChecks: true } : {}),
  });
  const { router } = routing;
  const sim = routing.sims[0]!;
  const prefix =
    options.shared?.prefix ??
    `test-gw-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const logger = createLogger('gateway-test', 'silent');
  const redis = createRedis(REDIS_URL, 'producer', 'gateway-test');
  const spool = createSpool(spoolDir);
  const publisher = createEventPublisher({ redis, prefix, spool, logger, replayIntervalMs: 200 });
  const metrics = options.metrics
    ? createGatewayMetrics({
        registry: createMetricsRegistry('gateway', { defaultMetrics: false }),
        spoolSize: () => spool.pending,
        upstreamHosts: () => router.hosts(),
      })
    : undefined;
  const keys = createApiKeysRepository(database.db);
  const auth = createKeyAuthService({
    store: keys,
    hashSecret: TEST_HASH_SECRET,
    cacheTtlMs: options.keyCacheTtlMs ?? 0,
  });
  const keyEvents = options.subscribeKeyChanges
    ? createRedis(REDIS_URL, 'client', 'gateway-test-keys')
    : null;
  if (keyEvents) await subscribeKeyChanged(keyEvents, prefix, (keyId) => auth.evict(keyId));
  const cacheOption = options.cache;
  const cacheConfig =
    typeof cacheOption === 'function'
      ? cacheOption
      : (() => {
          const parsed = cacheConfigSchema.parse({ enabled: true, ...cacheOption });
          return () => parsed;
        })();
  const local = createChatService({ router });
  const routed = options.wrapChat ? options.wrapChat(local) : local;
  const chat = cacheOption
    ? createCachingChatService(routed, {
        store: createRedisCacheStore({ redis, prefix: `${prefix}:cache` }),
        config: cacheConfig,
        logger,
        ...(metrics ? { metrics } : {}),
      })
    : routed;
  const app = createApp({
    logger,
    auth,
    chat,
    router,
    recorder: createUsageRecorder({ publisher, logBodies: true, ...(metrics ? { metrics } : {}) }),
    ...(metrics ? { metrics: metrics.registry } : {}),
    internalSecret: TEST_INTERNAL_SECRET,
    maxBodyBytes: 5 * 1024 * 1024,
    keepAliveMs: 10_000,
    readiness: [],
    isStopping: () => false,
    ...(options.imageFetcher ? { imageFetcher: options.imageFetcher } : {}),
    ...(options.corsOrigins ? { cors: createCorsPolicy(options.corsOrigins) } : {}),
    ...(options.admission
      ? { admission: options.admission({ db: database.db, redis, prefix, logger }) }
      : {}),
    admin: {
      token: options.adminToken,
      service: createAdminService({
        db: database.db,
        ollama: router.catalog,
        hashSecret: TEST_HASH_SECRET,
        timeZone: options.billingTimeZone ?? 'UTC',
        ...(options.publishChanges
          ? {
              onKeyChanged: (keyId: string) => publishKeyChanged(redis, prefix, keyId),
              onCustomerChanged: (customerId: string) => publishCustomerChanged(redis, prefix, customerId),
              onPricesChanged: (model: string) => publishPricesChanged(redis, prefix, model),
            }
          : {}),
      }),
    },
    usage: { reports: createUsageReportsRepository(database.db), timeZone: options.billingTimeZone ?? 'UTC' },
  });
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');

  const customer = await createCustomersRepository(database.db).create({
    name: 'Test customer',
    email: null,
  });
  const createKey = async (keyOptions: TestKeyOptions = {}) => {
    const generated = generateApiKey();
    const created = await keys.create({
      customerId: customer.id,
      prefix: generated.prefix,
      secretHash: hashApiKey(generated.key, TEST_HASH_SECRET),
      allowedModels: keyOptions.allowedModels ?? null,
      allowedEndpoints: keyOptions.allowedEndpoints ?? null,
      isAdmin: keyOptions.isAdmin ?? false,
      rpmLimit: keyOptions.rpmLimit ?? null,
      tpmLimit: keyOptions.tpmLimit ?? null,
      maxConcurrency: keyOptions.maxConcurrency ?? null,
    });
    return { key: generated.key, keyId: created.id };
  };
  const first = await createKey();
  const queues = {
    usage: new Queue(QUEUE_NAMES.usage, { connection: { url: REDIS_URL }, prefix }),
    requestLog: new Queue(QUEUE_NAMES.requestLog, { connection: { url: REDIS_URL }, prefix }),
  };

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sim,
    sims: routing.sims,
    routing,
    database,
    key: first.key,
    keyId: first.keyId,
    customerId: customer.id,
    createKey,
    prefix,
    redis,
    auth,
    usageEvent: (requestId, timeoutMs = 5000) =>
      waitForQueuedEvent<UsageEvent>(queues.usage, requestId, timeoutMs),
    requestLogEvent: (requestId, timeoutMs = 5000) =>
      waitForQueuedEvent<RequestLogEvent>(queues.requestLog, requestId, timeoutMs),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await publisher.close();
      await auth.close();
      for (const queue of Object.values(queues)) {
        await queue.obliterate({ force: true }).catch(() => {});
        await queue.close();
      }
      if (cacheOption && !options.shared) {
        const cacheKeys = await redis.keys(`${prefix}:cache:*`).catch(() => []);
        if (cacheKeys.length > 0) await redis.del(...cacheKeys).catch(() => {});
      }
      redis.disconnect();
      keyEvents?.disconnect();
      await routing.close();
      if (!options.shared) await database.drop();
      await rm(spoolDir, { recursive: true, force: true });
    },
  };
}
