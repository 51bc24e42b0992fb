import { fileURLToPath } from 'node:url';
import { commonEnvShape, envBoolean, loadEnvOrExit } from '@ollama-gateway/runtime';
import { z } from 'zod';
import { isTimeZone } from './services/time-zone.js';

const port = z.coerce.number().int().min(0).max(65_535);

const timeZone = (name: string) =>
  z.string().refine(isTimeZone, `${name} must be an IANA time zone such as UTC or Europe/Berlin`);

/** The secrets and their shortest accepted length (checked below without echoing their value). */
const SECRET_MIN_LENGTH = { ADMIN_TOKEN: 16, DASHBOARD_PASSWORD: 12, DASHBOARD_SESSION_SECRET: 16 } as const;

/** The built SPA beside the built server: dist/server/env.js → dist/web. */
const defaultStaticDir = fileURLToPath(new URL('../web', import.meta.url));

export const dashboardEnvSchema = z
  .object({
    NODE_ENV: commonEnvShape.NODE_ENV,
    LOG_LEVEL: commonEnvShape.LOG_LEVEL,
    DATABASE_URL: commonEnvShape.DATABASE_URL,
    /** Bound to loopback by default: publish it through a tunnel with access control, never on an open port. */
    DASHBOARD_HOST: z.string().min(1).default('127.0.0.1'),
    DASHBOARD_PORT: port.default(3000),
    /** Bearer token of the gateway's admin API: forwarded on every dashboard mutation, and a login secret. */
    ADMIN_TOKEN: z.string().optional(),
    /** A second login secret for people who should not hold ADMIN_TOKEN. */
    DASHBOARD_PASSWORD: z.string().optional(),
    /** HMAC key of the session cookie; unset = derived from KEY_HASH_SECRET / ADMIN_TOKEN and the login secrets. */
    DASHBOARD_SESSION_SECRET: z.string().optional(),
    /** Only used to derive the session key when DASHBOARD_SESSION_SECRET is unset. */
    KEY_HASH_SECRET: z.string().optional(),
    /** Always mark the session cookie Secure (else only when x-forwarded-proto says https). */
    DASHBOARD_COOKIE_SECURE: envBoolean.default(false),
    /**
     * Express `trust proxy` value (e.g. `loopback` or `1`): which proxies' X-Forwarded-For gives the client IP of
     * the login brute-force guard. Unset = the socket address (nothing trusted).
     */
    DASHBOARD_TRUST_PROXY: z.string().min(1).optional(),
    /** The gateway's port, for the default GATEWAY_ADMIN_URL. */
    GATEWAY_PORT: port.default(8081),
    /** Where the gateway's admin API answers (mutations are forwarded there). Default http://127.0.0.1:GATEWAY_PORT. */
    GATEWAY_ADMIN_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** How long one forwarded admin call may take, ms. */
    GATEWAY_ADMIN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code in capitals, e.g. USD or EUR')
      .default('USD'),
    /** Calendar months of budgets and plan quotas (customer_spend periods). */
    BILLING_TIME_ZONE: timeZone('BILLING_TIME_ZONE').default('UTC'),
    /** The dashboard's default time zone for periods and day buckets; default BILLING_TIME_ZONE. */
    DASHBOARD_TIME_ZONE: timeZone('DASHBOARD_TIME_ZONE').optional(),
    /** Shown on the pricing page while the `settings` table has no 'electricity' row. */
    GPU_WATTS: z.coerce.number().min(0).max(100_000).default(350),
    ELECTRICITY_PRICE_PER_KWH: z.coerce.number().min(0).max(1000).default(0.15),
    /** The built SPA (index.html + assets/). */
    DASHBOARD_STATIC_DIR: z.string().min(1).default(defaultStaticDir),
  })
  .superRefine((env, ctx) => {
    // Reported on the whole environment (path []), so the error message does not print the secret's value.
    for (const [name, min] of Object.entries(SECRET_MIN_LENGTH)) {
      const value = env[name as keyof typeof SECRET_MIN_LENGTH];
      if (value !== undefined && value.length < min)
        ctx.addIssue({ code: 'custom', path: [], message: `${name} must be at least ${min} characters` });
    }
    if (!env.ADMIN_TOKEN && !env.DASHBOARD_PASSWORD)
      ctx.addIssue({
        code: 'custom',
        path: ['DASHBOARD_PASSWORD'],
        message:
          'set ADMIN_TOKEN or DASHBOARD_PASSWORD (at least 12 characters): the dashboard login needs one of them',
      });
  })
  .transform((env) => ({
    ...env,
    GATEWAY_ADMIN_URL: (env.GATEWAY_ADMIN_URL ?? `http://127.0.0.1:${env.GATEWAY_PORT}`).replace(/\/+$/, ''),
    DASHBOARD_TIME_ZONE: env.DASHBOARD_TIME_ZONE ?? env.BILLING_TIME_ZONE,
  }));

export type DashboardEnv = z.infer<typeof dashboardEnvSchema>;

/** Reads and validates the environment once; exits with a message naming each bad variable. */
export function loadDashboardEnv(source: NodeJS.ProcessEnv = process.env): DashboardEnv {
  return loadEnvOrExit(dashboardEnvSchema, source);
}
