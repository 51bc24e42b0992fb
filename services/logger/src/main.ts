import { createDb, sql } from '@ollama-gateway/db';
import { createLogger, createRedis, installShutdown, startHealthServer } from '@ollama-gateway/runtime';
import { loadLoggerEnv } from './env.js';
import { createRequestLogWorker } from './request-log.worker.js';

/** Composition root: env → logger → Postgres, Redis → worker → health server → ordered shutdown. */
const env = loadLoggerEnv();
const logger = createLogger('logger', env.LOG_LEVEL);
const db = createDb(env.DATABASE_URL, {
  max: Math.min(env.LOGGER_CONCURRENCY, 20),
  applicationName: 'logger',
});
const redis = createRedis(env.REDIS_URL, 'worker', 'logger');

const requestLogs = createRequestLogWorker({
  db,
  connection: redis,
  queuePrefix: env.QUEUE_PREFIX,
  concurrency: env.LOGGER_CONCURRENCY,
  bodies: { storeBodies: env.REQUEST_LOG_BODIES, maxBodyBytes: env.REQUEST_LOG_MAX_BODY_BYTES },
  batchSize: env.LOGGER_BATCH_SIZE,
  batchWaitMs: env.LOGGER_BATCH_WAIT_MS,
  logger,
});

const health = await startHealthServer({
  host: env.LOGGER_HOST,
  port: env.LOGGER_PORT,
  logger,
  ready: async () => {
    const [pong] = await Promise.all([redis.ping(), sql`select 1`.execute(db)]);
    return pong === 'PONG';
  },
});

installShutdown(logger, [
  { name: 'mark not ready', run: () => health.markStopping() },
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
  },
  'logger started',
);
