import { createServer } from 'node:http';
import { createApiKeysRepository, createDb, createUsageReportsRepository, sql } from '@ollama-gateway/db';
import {
  atMostEvery,
  createLogger,
  createMetricsRegistry,
  createRedis,
  installShutdown,
  publishCustomerChanged,
  publishKeyChanged,
  publishPricesChanged,
  startTracing,
  subscribeCustomerChanged,
  subscribeKeyChanged,
  subscribePricesChanged,
  tracesUrl,
  trackHttpDrain,
} from '@ollama-gateway/runtime';
import { createApp } from './app.js';
import { createRedisCacheStore } from './cache/cache.store.js';
import { createCachingChatService } from './cache/caching-chat.service.js';
import { createHttpImageClient } from './clients/http-image.client.js';
import { createOllamaClient } from './clients/ollama/ollama.client.js';
import { createWebhookClient } from './clients/webhook.client.js';
import { type ConfigSource, loadGatewayConfig, loadGatewayConfigOrExit } from './config/config.loader.js';
import { createConfigStore } from './config/config.store.js';
import { loadGatewayEnv, providerKeyFromEnv } from './env.js';
import {
  assertProviderKeysOrExit,
  createFallbackChains,
  withProviderKeys,
} from './fallback/fallback.providers.js';
import { createFallbackChatService } from './fallback/fallback-chat.service.js';
import { composeGates } from './limits/admission.js';
import { createBudgetGate, createCustomerLimitsCache, createPriceCache } from './limits/budget.gate.js';
import { createQuotaGate } from './limits/quota.gate.js';
import { createRateLimitGate } from './limits/rate-limit.gate.js';
import { handleClientError } from './middleware/client-error.js';
import { createCorsPolicy } from './middleware/cors.middleware.js';
import { createEventPublisher } from './producers/event.publisher.js';
import { createSpool } from './producers/spool.js';
import { createLimitsRepository } from './repositories/limits.repository.js';
import { createOllamaRouter } from './routing/ollama.router.js';
import { createAdminService } from './services/admin.service.js';
import { createChatService } from './services/chat.service.js';
import { createGatewayMetrics } from './services/gateway.metrics.js';
import { createImageFetcher } from './services/image-fetcher.service.js';
import { createKeyAuthService } from './services/key-auth.service.js';
import { createUsageRecorder } from './services/usage-recorder.service.js';

/** Composition root: reads the environment once, wires the real dependencies, listens, and shuts down in order. */
const env = loadGatewayEnv();
const logger = createLogger('gateway', env.LOG_LEVEL);
// OpenTelemetry spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set; null (the SDK never loaded) otherwise.
const tracer = await startTracing('gateway', env, logger);
if (tracer)
  logger.info(
    // The origin only: a URL may carry credentials.
    { endpoint: new URL(tracesUrl(env) ?? '').origin },
    'tracing on: spans exported over OTLP/HTTP',
  );
const db = createDb(env.DATABASE_URL, { applicationName: 'gateway' });
const redis = createRedis(env.REDIS_URL, 'producer', 'gateway');
// The config file (GATEWAY_CONFIG_FILE: hosts, aliases, queue, fallback, cache), or OLLAMA_URLS / OLLAMA_URL alone.
// SIGHUP reloads it; an invalid file is logged and the running config kept (config.store.ts).
const configSource: ConfigSource = {
  file: env.GATEWAY_CONFIG_FILE,
  envHosts: env.OLLAMA_URLS.length > 0 ? env.OLLAMA_URLS : [env.OLLAMA_URL],
  envMaxConcurrent: env.OLLAMA_MAX_CONCURRENT,
};
const configStore = createConfigStore({
  initial: loadGatewayConfigOrExit(configSource),
  // A reload whose fallback chain names an unset key variable is refused like an invalid file.
  load: () => withProviderKeys(loadGatewayConfig(configSource), providerKeyFromEnv),
  logger,
});
assertProviderKeysOrExit(configStore.current().fallback, providerKeyFromEnv);
// Cloud providers tried when the local hosts fail before the first byte (docs/fallback.md); rebuilt on reload.
const fallbackChains = createFallbackChains({
  config: () => configStore.current().fallback,
  keyOf: providerKeyFromEnv,
  logger,
});
process.on('SIGHUP', () => void configStore.reload());
// Every Ollama call goes through the router: host choice by model, health, circuit breakers, fair queues, aliases.
const router = createOllamaRouter({
  config: configStore,
  logger,
  createClient: (baseUrl) =>
    createOllamaClient({
      baseUrl,
      headersTimeoutMs: env.UPSTREAM_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: env.UPSTREAM_BODY_TIMEOUT_MS,
    }),
});
const spool = createSpool(env.SPOOL_DIR);
const publisher = createEventPublisher({ redis, prefix: env.QUEUE_PREFIX, spool, logger });
const metrics = createGatewayMetrics({
  registry: createMetricsRegistry('gateway'),
  spoolSize: () => spool.pending,
  upstreamHosts: () => router.hosts(),
});
// While Postgres does not answer, what was read within DB_OUTAGE_GRACE_MS is reused (one warning per 10 s).
const staleRead = {
  staleIfErrorMs: env.DB_OUTAGE_GRACE_MS,
  onStale: atMostEvery(10_000, (error: unknown) =>
    logger.warn(
      { err: error, graceMs: env.DB_OUTAGE_GRACE_MS },
      'Postgres does not answer: serving keys, limits and prices from the last values read',
    ),
  ),
};
const auth = createKeyAuthService({
  store: createApiKeysRepository(db),
  hashSecret: env.KEY_HASH_SECRET,
  cacheTtlMs: env.KEY_CACHE_TTL_MS,
  ...staleRead,
});
// Key changes (gatewayctl revoke-key…) arrive on a pub/sub channel: the key is evicted from the auth cache at once.
// A subscribed connection can run nothing else, hence its own; KEY_CACHE_TTL_MS is the fallback if a message is lost.
const keyEvents = createRedis(env.REDIS_URL, 'client', 'gateway-key-events');
subscribeKeyChanged(keyEvents, env.QUEUE_PREFIX, (keyId) => auth.evict(keyId)).catch((error) =>
  logger.warn({ err: error }, 'cannot subscribe to key changes; revocations apply within KEY_CACHE_TTL_MS'),
);
// Checked in order before every upstream call; each refusal is a 429 in the caller's dialect.
const limitsRepository = createLimitsRepository(db);
const customerLimits = createCustomerLimitsCache(
  limitsRepository,
  env.BUDGET_CACHE_TTL_MS,
  Date.now,
  staleRead,
);
const prices = createPriceCache(limitsRepository, env.BUDGET_CACHE_TTL_MS, Date.now, staleRead);
// Budget, plan and price changes (gatewayctl update-customer, set-plan, update-plan, set-pricing, the admin API)
// arrive on the same connection: the customer (or every customer) and the price list are re-read at once;
// BUDGET_CACHE_TTL_MS is the fallback if a message is lost.
Promise.all([
  subscribeCustomerChanged(keyEvents, env.QUEUE_PREFIX, (customerId) => customerLimits.evict(customerId)),
  subscribePricesChanged(keyEvents, env.QUEUE_PREFIX, () => prices.evict()),
]).catch((error) =>
  logger.warn(
    { err: error },
    'cannot subscribe to budget and price changes; they apply within BUDGET_CACHE_TTL_MS',
  ),
);
const admission = composeGates([
  createRateLimitGate({ redis, prefix: env.QUEUE_PREFIX, logger }),
  createQuotaGate({
    redis,
    repository: limitsRepository,
    limits: customerLimits,
    keyPrefix: `${env.QUEUE_PREFIX}:quota`,
    timeZone: env.BILLING_TIME_ZONE,
    maxCompletionTokens: env.BUDGET_MAX_COMPLETION_TOKENS,
  }),
  createBudgetGate({
    redis,
    repository: limitsRepository,
    limits: customerLimits,
    webhooks: createWebhookClient({ timeoutMs: 5000 }),
    logger,
    keyPrefix: `${env.QUEUE_PREFIX}:budget`,
    timeZone: env.BILLING_TIME_ZONE,
    maxCompletionTokens: env.BUDGET_MAX_COMPLETION_TOKENS,
    softLimitPercent: env.BUDGET_SOFT_LIMIT_PERCENT,
    webhookUrl: env.BUDGET_WEBHOOK_URL || null,
    priceCacheTtlMs: env.BUDGET_CACHE_TTL_MS,
    prices,
  }),
]);
const imageClient = env.IMAGE_URL_FETCH
  ? createHttpImageClient({
      maxBytes: env.IMAGE_URL_MAX_BYTES,
      timeoutMs: env.IMAGE_URL_TIMEOUT_MS,
      allowPrivate: env.IMAGE_URL_ALLOW_PRIVATE,
    })
  : undefined;
let stopping = false;
// Under the cache, over the router: the chain takes over when the local hosts fail before the first byte.
const localOrFallback = createFallbackChatService(createChatService({ router }), {
  chain: () => fallbackChains.current(),
  logger,
});

const app = createApp({
  logger,
  auth,
  // The response cache is outermost: a hit calls nothing below it (docs/cache.md).
  chat: createCachingChatService(localOrFallback, {
    store: createRedisCacheStore({ redis, prefix: `${env.QUEUE_PREFIX}:cache` }),
    config: () => configStore.current().cache,
    resolveModel: (model) => {
      const target = router.target(model);
      return target.key || target.model;
    },
    logger,
    metrics,
  }),
  router,
  recorder: createUsageRecorder({ publisher, logBodies: env.REQUEST_LOG_BODIES, metrics, tracer }),
  metrics: metrics.registry,
  internalSecret: env.INTERNAL_SECRET,
  maxBodyBytes: env.MAX_BODY_BYTES,
  keepAliveMs: env.STREAM_KEEPALIVE_MS,
  isStopping: () => stopping,
  admission,
  admin: {
    token: env.ADMIN_TOKEN,
    service: createAdminService({
      db,
      ollama: router.catalog,
      hashSecret: env.KEY_HASH_SECRET,
      timeZone: env.BILLING_TIME_ZONE,
      onKeyChanged: (keyId) => publishKeyChanged(redis, env.QUEUE_PREFIX, keyId),
      onCustomerChanged: (customerId) => publishCustomerChanged(redis, env.QUEUE_PREFIX, customerId),
      onPricesChanged: (model) => publishPricesChanged(redis, env.QUEUE_PREFIX, model),
      electricityDefaults: { gpuWatts: env.GPU_WATTS, pricePerKwh: env.ELECTRICITY_PRICE_PER_KWH },
    }),
  },
  usage: { reports: createUsageReportsRepository(db), timeZone: env.BILLING_TIME_ZONE },
  ...(imageClient ? { imageFetcher: createImageFetcher({ client: imageClient }) } : {}),
  ...(env.CORS_ALLOW_ORIGINS.length > 0 ? { cors: createCorsPolicy(env.CORS_ALLOW_ORIGINS) } : {}),
  readiness: [
    {
      name: 'postgres',
      required: true,
      check: async () => {
        await sql`select 1`.execute(db);
        return true;
      },
    },
    { name: 'redis', required: false, check: async () => redis.status === 'ready' },
    // At least one Ollama host answers; not required (the gateway still serves keys, usage, the admin API).
    { name: 'ollama', required: false, check: () => router.ready() },
  ],
});

// nginx accepts up to 4 header lines of 8 KB (large_client_header_buffers' default) and forwards them, to the auth
// subrequest too: with Node's 16 KB default such a request failed the auth check as a 503. 64 KB is above anything
// nginx passes; beyond it (straight at this port) the client gets a JSON 431 from handleClientError.
const server = createServer({ keepAliveTimeout: 65_000, maxHeaderSize: 64 * 1024 }, app);
server.headersTimeout = 66_000;
server.on('clientError', handleClientError);
const httpDrain = trackHttpDrain(server);
server.listen(env.GATEWAY_PORT, env.GATEWAY_HOST, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.GATEWAY_PORT;
  logger.info(
    { host: env.GATEWAY_HOST, port, ollama: router.hosts().map((host) => host.url) },
    `gateway listening on http://${env.GATEWAY_HOST}:${port}`,
  );
});
server.on('error', (error) => {
  logger.fatal({ err: error }, 'gateway cannot listen');
  process.exit(1);
});

installShutdown(logger, [
  {
    name: 'mark unready',
    run: () => {
      stopping = true;
    },
  },
  {
    // New connections are refused; requests in flight finish (each closing its connection: nginx cannot reuse it),
    // up to SHUTDOWN_GRACE_MS, after which what still runs is cut (recorded as 499). Usage is flushed next.
    name: 'drain http',
    timeoutMs: env.SHUTDOWN_GRACE_MS + 1_000,
    run: async () => {
      const inFlight = httpDrain.inFlight;
      const { cut } = await httpDrain.drain(env.SHUTDOWN_GRACE_MS);
      if (cut)
        logger.warn(
          { graceMs: env.SHUTDOWN_GRACE_MS },
          'shutdown grace over: cut the requests still running',
        );
      else logger.info({ inFlight }, 'drained: every request in flight finished');
    },
  },
  { name: 'flush events', run: () => publisher.close() },
  // The spans of the requests just drained; bounded: a collector that does not answer cannot hold the exit.
  { name: 'flush traces', timeoutMs: 5_000, run: async () => tracer?.shutdown() },
  { name: 'flush key usage', run: () => auth.close() },
  { name: 'close ollama pools', run: () => router.close() },
  { name: 'close fallback providers', run: () => fallbackChains.close() },
  { name: 'close image client', run: async () => imageClient?.close() },
  { name: 'close redis', run: () => redis.quit() },
  { name: 'close key events', run: async () => void keyEvents.disconnect() },
  { name: 'close postgres', run: () => db.destroy() },
]);

process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
