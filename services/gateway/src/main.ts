import { createServer } from 'node:http';
import { createApiKeysRepository, createDb, sql } from '@ollama-gateway/db';
import { createLogger, createRedis, installShutdown } from '@ollama-gateway/runtime';
import { createApp } from './app.js';
import { createHttpImageClient } from './clients/http-image.client.js';
import { createOllamaClient } from './clients/ollama/ollama.client.js';
import { loadGatewayEnv } from './env.js';
import { createEventPublisher } from './producers/event.publisher.js';
import { createSpool } from './producers/spool.js';
import { createChatService } from './services/chat.service.js';
import { createImageFetcher } from './services/image-fetcher.service.js';
import { createKeyAuthService } from './services/key-auth.service.js';
import { createUsageRecorder } from './services/usage-recorder.service.js';

/** Composition root: reads the environment once, wires the real dependencies, listens, and shuts down in order. */
const env = loadGatewayEnv();
const logger = createLogger('gateway', env.LOG_LEVEL);
const db = createDb(env.DATABASE_URL, { applicationName: 'gateway' });
const redis = createRedis(env.REDIS_URL, 'producer', 'gateway');
const ollama = createOllamaClient({
  baseUrl: env.OLLAMA_URL,
  headersTimeoutMs: env.UPSTREAM_HEADERS_TIMEOUT_MS,
  bodyTimeoutMs: env.UPSTREAM_BODY_TIMEOUT_MS,
});
const publisher = createEventPublisher({
  redis,
  prefix: env.QUEUE_PREFIX,
  spool: createSpool(env.SPOOL_DIR),
  logger,
});
const auth = createKeyAuthService({
  store: createApiKeysRepository(db),
  hashSecret: env.KEY_HASH_SECRET,
  cacheTtlMs: env.KEY_CACHE_TTL_MS,
});
const imageClient = env.IMAGE_URL_FETCH
  ? createHttpImageClient({
      maxBytes: env.IMAGE_URL_MAX_BYTES,
      timeoutMs: env.IMAGE_URL_TIMEOUT_MS,
      allowPrivate: env.IMAGE_URL_ALLOW_PRIVATE,
    })
  : undefined;
let stopping = false;

const app = createApp({
  logger,
  auth,
  chat: createChatService({ ollama }),
  ollama,
  recorder: createUsageRecorder({ publisher, logBodies: env.REQUEST_LOG_BODIES }),
  internalSecret: env.INTERNAL_SECRET,
  maxBodyBytes: env.MAX_BODY_BYTES,
  keepAliveMs: env.STREAM_KEEPALIVE_MS,
  isStopping: () => stopping,
  ...(imageClient ? { imageFetcher: createImageFetcher({ client: imageClient }) } : {}),
  readiness: [
    { name: 'postgres', required: true, check: async () => (await sql`select 1`.execute(db), true) },
    { name: 'redis', required: false, check: async () => redis.status === 'ready' },
    { name: 'ollama', required: false, check: async () => Boolean(await ollama.version()) },
  ],
});

const server = createServer({ keepAliveTimeout: 65_000 }, app);
server.headersTimeout = 66_000;
server.listen(env.GATEWAY_PORT, env.GATEWAY_HOST, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.GATEWAY_PORT;
  logger.info(
    { host: env.GATEWAY_HOST, port, ollama: env.OLLAMA_URL },
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
    name: 'drain http',
    run: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, env.SHUTDOWN_GRACE_MS).unref();
      }),
  },
  { name: 'flush events', run: () => publisher.close() },
  { name: 'flush key usage', run: () => auth.close() },
  { name: 'close ollama pool', run: () => ollama.close() },
  { name: 'close image client', run: async () => imageClient?.close() },
  { name: 'close redis', run: () => redis.quit() },
  { name: 'close postgres', run: () => db.destroy() },
]);

process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
