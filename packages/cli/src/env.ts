import { isValidTimeZone } from '@ollama-gateway/db';
import { commonEnvShape, loadDotEnv, parseEnv } from '@ollama-gateway/runtime';
import { z } from 'zod';

/** The variables gatewayctl reads, once per run. `.env` (or ENV_FILE; `none` = no file) fills in what is not set. */
export const cliEnvSchema = z.object({
  DATABASE_URL: commonEnvShape.DATABASE_URL,
  /** Only `generate-key` needs it; it must equal the gateway's, or the gateway will not recognise the keys. */
  KEY_HASH_SECRET: z.string().min(1).optional(),
  /** Calendar months (invoices, budgets, quotas) are counted in this IANA time zone. */
  BILLING_TIME_ZONE: z
    .string()
    .default('UTC')
    .refine(isValidTimeZone, 'BILLING_TIME_ZONE must be an IANA time zone such as UTC or Europe/Berlin'),
  /** Where sync-models reads /api/tags and /api/show. */
  OLLAMA_URL: z.url().default('http://127.0.0.1:11434'),
  /** Where revoke-key announces key changes so every gateway drops the key from its cache at once. */
  REDIS_URL: commonEnvShape.REDIS_URL,
  QUEUE_PREFIX: commonEnvShape.QUEUE_PREFIX,
});
export type CliEnv = z.infer<typeof cliEnvSchema>;

/**
 * Like runtime's loadEnvOrExit, but a bad variable throws (ConfigError) instead of exiting with 78, so the CLI
 * reports it like any other error: exit 1, and as `{"error":…}` under --json.
 */
export function loadCliEnv(source: NodeJS.ProcessEnv = process.env): CliEnv {
  loadDotEnv(source);
  return parseEnv(cliEnvSchema, source);
}
