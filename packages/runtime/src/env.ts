import { existsSync } from 'node:fs';
import { z } from 'zod';

/** Thrown when configuration is invalid; the message names every bad variable and says what is expected. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Loads `.env` into process.env without overriding variables already set (so `FOO=1 make up` wins over `.env`).
 * `ENV_FILE` picks another file; `ENV_FILE=none` disables loading (tests use this).
 */
export function loadDotEnv(env: NodeJS.ProcessEnv = process.env): void {
  const file = env.ENV_FILE ?? '.env';
  if (file === 'none' || !existsSync(file)) return;
  process.loadEnvFile(file);
}

/** Variables every server process shares. Defaults make a local `make up` work with no `.env`. */
export const commonEnvShape = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/ollama_gateway'),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  /** BullMQ key prefix: lets several stacks (or test runs) share one Redis without seeing each other's jobs. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:-]{1,64}$/)
    .default('ogw'),
};

/** Variables of the processes that consume queues (billing worker, logger). */
export const queueWorkerEnvShape = {
  /**
   * How long a worker's hold on a job lasts without renewal, in ms; also how often stalled jobs are looked for. A
   * worker that dies (SIGKILL, OOM, power) leaves its jobs held: they go back to the queue after one to two of these.
   */
  QUEUE_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
};

/** `true`/`false`/`1`/`0`/`yes`/`no`/`on`/`off` from an environment variable. */
export const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes' || v === 'on');

/** Validates `source` against `schema` once, at start-up. Throws ConfigError naming each bad variable. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(source))
    if (value !== undefined && value !== '') cleaned[key] = value;
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const got = typeof issue.path[0] === 'string' ? cleaned[issue.path[0]] : undefined;
    return `  ${name}: ${issue.message}${got === undefined ? '' : ` (got "${got}")`}`;
  });
  throw new ConfigError(
    `Invalid configuration:\n${lines.join('\n')}\nFix these variables in .env or the environment.`,
  );
}

/** parseEnv for a process entry point: on error prints the message and exits with status 78 (EX_CONFIG). */
export function loadEnvOrExit<S extends z.ZodType>(
  schema: S,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  loadDotEnv(source);
  try {
    return parseEnv(schema, source);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
