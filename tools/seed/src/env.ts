import { isValidTimeZone } from '@ollama-gateway/db';
import { commonEnvShape, loadDotEnv, parseEnv } from '@ollama-gateway/runtime';
import { z } from 'zod';

/** The variables the seed reads, once per run (`.env` fills in what is not set; ENV_FILE=none disables it). */
export const seedEnvSchema = z.object({
  DATABASE_URL: commonEnvShape.DATABASE_URL,
  /** customer_spend periods are calendar months in this zone, like the billing worker's. */
  BILLING_TIME_ZONE: z
    .string()
    .default('UTC')
    .refine(isValidTimeZone, 'BILLING_TIME_ZONE must be an IANA time zone such as UTC or Europe/Berlin'),
  CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'CURRENCY must be an ISO 4217 code such as USD')
    .default('USD'),
  /** Only for the summary's "open the dashboard" line. */
  DASHBOARD_HOST: z.string().default('127.0.0.1'),
  DASHBOARD_PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
});
export type SeedEnv = z.infer<typeof seedEnvSchema>;

export function loadSeedEnv(source: NodeJS.ProcessEnv = process.env): SeedEnv {
  loadDotEnv(source);
  return parseEnv(seedEnvSchema, source);
}
