import { createDb, sql } from '@ollama-gateway/db';
import {
  createLogger,
  createMetricsRegistry,
  createRedis,
  installShutdown,
  startHealthServer,
} from '@ollama-gateway/runtime';
import { createBillingWorker } from './billing.worker.js';
import { loadBillingEnv } from './env.js';

/** Composition root: env → logger → Postgres, Redis → worker → health server → ordered shutdown. */
const env = loadBillingEnv();
const logger = createLogger('billing-worker', env.LOG_LEVEL);
const db = createDb(env.DATABASE_URL, {
  max: Math.min(env.BILLING_CONCURRENCY, 20),
  applicationName: 'billing-worker',
});
const redis = createRedis(env.REDIS_URL, 'worker', 'billing-worker');
const metrics = createMetricsRegistry('billing-worker');

const billing = createBillingWorker({
  db,
  connection: redis,
  queuePrefix: env.QUEUE_PREFIX,
  concurrency: env.BILLING_CONCURRENCY,
  lockMs: env.QUEUE_LOCK_MS,
  energy: {
    gpuWatts: env.GPU_WATTS,
    gpuWattsByHost: env.GPU_WATTS_BY_HOST,
    electricityPricePerKwh: env.ELECTRICITY_PRICE_PER_KWH,
    timeOfUse: env.ELECTRICITY_TIME_OF_USE,
    timeZone: env.BILLING_TIME_ZONE,
  },
  currency: env.CURRENCY,
  timeZone: env.BILLING_TIME_ZONE,
  batchSize: env.BILLING_BATCH_SIZE,
  batchWaitMs: env.BILLING_BATCH_WAIT_MS,
  logger,
  metrics,
});

const health = await startHealthServer({
  host: env.BILLING_WORKER_HOST,
  port: env.BILLING_WORKER_PORT,
  logger,
  metrics,
  ready: async () => {
    const [pong] = await Promise.all([redis.ping(), sql`select 1`.execute(db)]);
    return pong === 'PONG';
  },
});

installShutdown(logger, [
  { name: 'mark not ready', run: () => health.markStopping() },
  { name: 'close usage worker (finish current jobs)', run: () => billing.close() },
  { name: 'stop health server', run: () => health.close() },
  { name: 'close redis', run: () => redis.quit() },
  { name: 'close postgres', run: () => db.destroy() },
]);

logger.info(
  { queue: 'usage', prefix: env.QUEUE_PREFIX, concurrency: env.BILLING_CONCURRENCY, currency: env.CURRENCY },
  'billing worker started',
);
