import { createDb, sql } from '@ollama-gateway/db';
import {
  createLogger,
  createMetricsRegistry,
  createRedis,
  installShutdown,
  startHealthServer,
} from '@ollama-gateway/runtime';
import { loadLoggerEnv } from './env.js';
import { createRetentionRepository } from './repositories/retention.repository.js';
import { createRequestLogWorker } from './request-log.worker.js';
import { createRetentionService } from './retention/retention.service.js';

/** Composition root: env → logger → Postgres, Redis → worker → health server → ordered shutdown. */
const env = loadLoggerEnv();
const logger = createLogger('logger', env.LOG_LEVEL);
const db = createDb(env.DATABASE_URL, {
  // +1: a retention run pins one connection (the advisory lock's) for its duration.
  max: Math.min(env.LOGGER_CONCURRENCY, 20) + 1,
  applicationName: 'logger',
});
const redis = createRedis(env.REDIS_URL, 'worker', 'logger');
const metrics = createMetricsRegistry('logger');

const requestLogs = createRequestLogWorker({
  db,
  connection: redis,
  queuePrefix: env.QUEUE_PREFIX,
  concurrency: env.LOGGER_CONCURRENCY,
  lockMs: env.QUEUE_LOCK_MS,
  bodies: { storeBodies: env.REQUEST_LOG_BODIES, maxBodyBytes: env.REQUEST_LOG_MAX_BODY_BYTES },
  batchSize: env.LOGGER_BATCH_SIZE,
  batchWaitMs: env.LOGGER_BATCH_WAIT_MS,
  logger,
  metrics,
});

// Retention: prunes request_logs / usage_events in batches on an interval; one replica at a time (advisory lock).
const retention = createRetentionService({
  repository: createRetentionRepository(db),
  policy: {
    requestLogDays: env.REQUEST_LOG_RETENTION_DAYS,
    usageEventDays: env.USAGE_EVENT_RETENTION_DAYS,
    batchSize: env.RETENTION_BATCH_SIZE,
  },
  intervalMs: env.RETENTION_INTERVAL_MINUTES * 60_000,
  logger,
});
if (env.REQUEST_LOG_RETENTION_DAYS > 0 || env.USAGE_EVENT_RETENTION_DAYS > 0) retention.start();

const health = await startHealthServer({
  host: env.LOGGER_HOST,
  port: env.LOGGER_PORT,
  logger,
  metrics,
  ready: async () => {
    const [pong] = await Promise.all([redis.ping(), sql`select 1`.execute(db)]);
    return pong === 'PONG';
  },
});

installShutdown(logger, [
  { name: 'mark not ready', run: () => health.markStopping() },
  { name: 'stop retention (after its current batch)', run: () => retention.stop() },
  { name: 'close request-log worker (finish current jobs)', run: () => requestLogs.close() },
  { name: 'stop health server', run: () => health.close() },
  { name: 'close redis', run: () => redis.quit() },
  { name: 'close postgres', run: () => db.destroy() },
]);

logger.info(
  {
    queue: 'request-log',
    prefix: env.QUEUE_PREFIX,
    concurrency: env.LOGGER_CONCURRENCY,
    bodies: env.REQUEST_LOG_BODIES,
    maxBodyBytes: env.REQUEST_LOG_MAX_BODY_BYTES,
    requestLogRetentionDays: env.REQUEST_LOG_RETENTION_DAYS,
    usageEventRetentionDays: env.USAGE_EVENT_RETENTION_DAYS,
  },
  'logger started',
);
