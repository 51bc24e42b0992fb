import { commonEnvShape, envBoolean, loadEnvOrExit, tracingEnvShape } from '@ollama-gateway/runtime';
import { z } from 'zod';

const secret = (name: string) =>
  z
    .string({ error: `${name} is required (make up writes a random one to .env)` })
    .min(16, `${name} must be at least 16 characters`);

/** A non-negative decimal (as the billing worker accepts it), read as a number. */
const energyDefault = (name: string) =>
  z
    .string()
    .regex(/^\d{1,12}(\.\d{1,9})?$/, `${name} must be a non-negative decimal number, e.g. 0.15`)
    .transform(Number);

export const gatewayEnvSchema = z.object({
  ...commonEnvShape,
  /** OpenTelemetry traces (OTEL_EXPORTER_OTLP_ENDPOINT…): off unless an endpoint is set. docs/metrics.md. */
  ...tracingEnvShape,
  GATEWAY_HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  OLLAMA_URL: z.url().default('http://127.0.0.1:11434'),
  /** Several Ollama hosts, comma-separated; used (instead of OLLAMA_URL) when the config file lists no hosts. */
  OLLAMA_URLS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .refine(
      (urls) => urls.every((url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)),
      'OLLAMA_URLS must be comma-separated http(s) URLs, e.g. http://gpu1:11434,http://gpu2:11434',
    ),
  /** maxConcurrent of the hosts from OLLAMA_URLS / OLLAMA_URL (requests beyond it wait in the fair queue). */
  OLLAMA_MAX_CONCURRENT: z.coerce.number().int().min(1).optional(),
  /** The YAML config file (hosts, aliases, model options, queue, fallback, cache): docs/routing.md. Reloaded on SIGHUP. */
  GATEWAY_CONFIG_FILE: z.string().optional(),
  /** HMAC secret for API key hashes; must equal the one gatewayctl uses. */
  KEY_HASH_SECRET: secret('KEY_HASH_SECRET'),
  /** Shared with nginx: identity headers are trusted only on requests that carry it. */
  INTERNAL_SECRET: secret('INTERNAL_SECRET'),
  /** Where usage events wait when Redis is unreachable. */
  SPOOL_DIR: z.string().default('.run/spool'),
  REQUEST_LOG_BODIES: envBoolean.default(true),
  /** How long a key lookup is cached in-process. Key changes are evicted at once via Redis pub/sub; this is the fallback. */
  KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** Send SSE keep-alive comments when no byte was sent for this long (tunnels cut idle connections). */
  STREAM_KEEPALIVE_MS: z.coerce.number().int().min(100).default(10_000),
  /** Upstream timeouts: to response headers, and between two body chunks. */
  UPSTREAM_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).default(600_000),
  UPSTREAM_BODY_TIMEOUT_MS: z.coerce.number().int().min(1000).default(600_000),
  /** Largest accepted JSON body (nginx enforces MAX_BODY_SIZE in front). */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(20 * 1024 * 1024),
  /** Fetch http(s) `image_url`s in chat requests (off: they are a 400, send data URIs instead). */
  /**
   * Browser origins allowed to call /v1/… and /api/… (CORS), comma-separated (`https://app.example.com`), or `*`.
   * Empty: no CORS headers at all. Never applies to /admin.
   */
  CORS_ALLOW_ORIGINS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .refine(
      (origins) => origins.every((origin) => origin === '*' || /^https?:\/\/[^/\s?#]+$/i.test(origin)),
      'CORS_ALLOW_ORIGINS must be `*` or comma-separated origins without a path, e.g. https://app.example.com,http://localhost:5173',
    ),
  IMAGE_URL_FETCH: envBoolean.default(false),
  /** Largest image the gateway downloads, and how long a download (redirects included) may take. */
  IMAGE_URL_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(10 * 1024 * 1024),
  IMAGE_URL_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Tests only: let image URLs reach loopback and private addresses (SSRF risk). */
  IMAGE_URL_ALLOW_PRIVATE: envBoolean.default(false),
  /** How long in-flight requests may run after SIGTERM before they are cut. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  /** Bearer token of the admin REST API (/admin/…, also open to admin keys); empty = the admin API answers 404. */
  ADMIN_TOKEN: z
    .string()
    .optional()
    .transform((value) => (value ? value : undefined))
    .refine(
      (value) => value === undefined || value.length >= 16,
      'ADMIN_TOKEN must be at least 16 characters',
    ),
  /** IANA time zone whose calendar months are the budget and plan-quota periods (e.g. Europe/Berlin). */
  BILLING_TIME_ZONE: z
    .string()
    .default('UTC')
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'BILLING_TIME_ZONE must be an IANA time zone such as UTC or Europe/Berlin'),
  /** Completion tokens reserved against budgets and token quotas when a request sets no max_tokens. */
  BUDGET_MAX_COMPLETION_TOKENS: z.coerce.number().int().min(1).default(4096),
  /** Share of a budget (percent) at which the soft-limit webhook and log line fire, unless the customer sets one. */
  BUDGET_SOFT_LIMIT_PERCENT: z.coerce.number().int().min(1).max(100).default(80),
  /** Where the soft-limit webhook is POSTed for customers without their own webhook_url (empty = log line only). */
  BUDGET_WEBHOOK_URL: z.union([z.literal(''), z.url()]).default(''),
  /** How long customer budgets, plan quotas and prices are cached in-process by the budget and quota gates. */
  BUDGET_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  /**
   * While Postgres does not answer, keys, customer limits and prices read within this long are reused instead of
   * refusing requests with a 503 (their usage waits in the queue). 0 = refuse.
   */
  DB_OUTAGE_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
  /**
   * The billing worker's energy defaults (same variables, same defaults), shown by GET /admin/settings/electricity
   * while no operator setting replaces them.
   */
  GPU_WATTS: energyDefault('GPU_WATTS').default(350),
  ELECTRICITY_PRICE_PER_KWH: energyDefault('ELECTRICITY_PRICE_PER_KWH').default(0.15),
});

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

/**
 * A fallback provider's key, read from the variable its config entry names (`apiKeyEnv`, e.g. OPENAI_API_KEY): the
 * names are only known from the config file, so they cannot be in the schema above. Empty reads as unset.
 */
export const providerKeyFromEnv = (name: string): string | undefined => process.env[name] || undefined;

export const loadGatewayEnv = (): GatewayEnv => loadEnvOrExit(gatewayEnvSchema);
