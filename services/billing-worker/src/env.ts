import { assertTimeZone, parseClock } from '@ollama-gateway/pricing';
import { commonEnvShape, loadEnvOrExit, queueWorkerEnvShape } from '@ollama-gateway/runtime';
import { z } from 'zod';

/** A non-negative decimal kept as a string so money and watts are never rounded through a float. */
const decimal = z
  .string()
  .regex(
    /^\d{1,12}(\.\d{1,9})?$/,
    'must be a non-negative decimal number with at most 9 decimals, e.g. 0.15',
  );

const port = z.coerce.number().int().min(0).max(65_535);

/** A JSON value in an env variable, then validated by `schema`. */
function json<T extends z.ZodType>(schema: T, example: string) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be JSON, e.g. ${example}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const clock = z.string().refine((value) => {
  try {
    parseClock(value);
    return true;
  } catch {
    return false;
  }
}, 'must be a time of day HH:MM, e.g. 22:00');

const decimalOrNumber = z.union([decimal, z.number().nonnegative()]).transform(String).pipe(decimal);

export const billingEnvSchema = z.object({
  ...commonEnvShape,
  ...queueWorkerEnvShape,
  /** Average power draw of the GPU while serving, in watts; with Ollama's total_duration it gives the energy used. */
  GPU_WATTS: decimal.default('350'),
  /** Per-host GPU power in watts, JSON {"http://gpu1:11434":450}; hosts not listed use GPU_WATTS. */
  GPU_WATTS_BY_HOST: json(z.record(z.string().min(1), decimalOrNumber), '{"http://gpu1:11434":450}').default(
    {},
  ),
  /** Price of one kWh of electricity, in CURRENCY (outside any time-of-use window). */
  ELECTRICITY_PRICE_PER_KWH: decimal.default('0.15'),
  /**
   * Time-of-use kWh prices, JSON [{"from":"22:00","to":"06:00","pricePerKwh":0.08}], in BILLING_TIME_ZONE; the first
   * window containing a request's start time applies, else ELECTRICITY_PRICE_PER_KWH.
   */
  ELECTRICITY_TIME_OF_USE: json(
    z.array(z.object({ from: clock, to: clock, pricePerKwh: decimalOrNumber })),
    '[{"from":"22:00","to":"06:00","pricePerKwh":0.08}]',
  ).default([]),
  /** IANA time zone of billing months (customer_spend periods) and of the time-of-use windows. */
  BILLING_TIME_ZONE: z
    .string()
    .refine((zone) => {
      try {
        assertTimeZone(zone);
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as UTC or Europe/Berlin')
    .default('UTC'),
  /** ISO 4217 code recorded on every ledger row. */
  CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code in capitals, e.g. USD or EUR')
    .default('USD'),
  /** Usage jobs in flight in this process; they are written in batches, so keep it ≥ BILLING_BATCH_SIZE. */
  BILLING_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(128),
  /** Most usage events written in one transaction (one multi-row INSERT). */
  BILLING_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(100),
  /** Longest a usage event waits for its batch to fill before it is written anyway, in ms. */
  BILLING_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(20),
  BILLING_WORKER_HOST: z.string().min(1).default('127.0.0.1'),
  /** Port of the /health and /ready endpoints. */
  BILLING_WORKER_PORT: port.default(8082),
});

export type BillingEnv = z.infer<typeof billingEnvSchema>;

/** Reads and validates the environment once; exits with a message naming each bad variable. */
export function loadBillingEnv(source: NodeJS.ProcessEnv = process.env): BillingEnv {
  return loadEnvOrExit(billingEnvSchema, source);
}
