import { commonEnvShape, loadEnvOrExit } from '@ollama-gateway/runtime';
import { z } from 'zod';

/** A non-negative decimal kept as a string so money and watts are never rounded through a float. */
const decimal = z
  .string()
  .regex(
    /^\d{1,12}(\.\d{1,9})?$/,
    'must be a non-negative decimal number with at most 9 decimals, e.g. 0.15',
  );

const port = z.coerce.number().int().min(0).max(65_535);

export const billingEnvSchema = z.object({
  ...commonEnvShape,
  /** Average power draw of the GPU while serving, in watts; with Ollama's total_duration it gives the energy used. */
  GPU_WATTS: decimal.default('350'),
  /** Price of one kWh of electricity, in CURRENCY. */
  ELECTRICITY_PRICE_PER_KWH: decimal.default('0.15'),
  /** ISO 4217 code recorded on every ledger row. */
  CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code in capitals, e.g. USD or EUR')
    .default('USD'),
  /** Usage jobs processed in parallel by this process. */
  BILLING_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  BILLING_WORKER_HOST: z.string().min(1).default('127.0.0.1'),
  /** Port of the /health and /ready endpoints. */
  BILLING_WORKER_PORT: port.default(8082),
});

export type BillingEnv = z.infer<typeof billingEnvSchema>;

/** Reads and validates the environment once; exits with a message naming each bad variable. */
export function loadBillingEnv(source: NodeJS.ProcessEnv = process.env): BillingEnv {
  return loadEnvOrExit(billingEnvSchema, source);
}
