import { commonEnvShape, envBoolean, loadEnvOrExit, queueWorkerEnvShape } from '@ollama-gateway/runtime';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65_535);

export const loggerEnvSchema = z.object({
  ...commonEnvShape,
  ...queueWorkerEnvShape,
  /** Store request and response bodies. When false, rows keep only the metadata (model, status, timing, error). */
  REQUEST_LOG_BODIES: envBoolean.default(true),
  /** A body whose JSON is larger than this is stored as {"truncated":true,"bytes":N,"preview":"…"}. */
  REQUEST_LOG_MAX_BODY_BYTES: z.coerce.number().int().min(256).max(67_108_864).default(262_144),
  /** Request-log jobs processed in parallel by this process. */
  LOGGER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(64),
  /** Most request-log entries per INSERT (they are written in batches: keep LOGGER_CONCURRENCY ≥ this). */
  LOGGER_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(50),
  /** Longest an entry waits for its batch to fill, ms. */
  LOGGER_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(20),
  LOGGER_HOST: z.string().min(1).default('127.0.0.1'),
  /** Port of the /health and /ready endpoints. */
  LOGGER_PORT: port.default(8083),
  /** Days request_logs rows are kept; 0 keeps them forever. */
  REQUEST_LOG_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(30),
  /** Days usage_events rows (the billing ledger) are kept; 0 (the default) keeps them forever. */
  USAGE_EVENT_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(0),
  /** Minutes between two retention runs. */
  RETENTION_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  /** Most rows deleted per retention batch (one short transaction each). */
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(5000),
});

export type LoggerEnv = z.infer<typeof loggerEnvSchema>;

/** Reads and validates the environment once; exits with a message naming each bad variable. */
export function loadLoggerEnv(source: NodeJS.ProcessEnv = process.env): LoggerEnv {
  return loadEnvOrExit(loggerEnvSchema, source);
}
