import { z } from 'zod';
import { dialectSchema } from './enums.js';

/**
 * The dashboard's HTTP API (services/dashboard/server), shared with its SPA (services/dashboard/web). Everything is
 * under /api; JSON in and out; errors are `{ error: { message, code } }` with a 4xx/5xx status. Money is a decimal
 * string in the configured currency (never a float); counts are numbers; times are ISO 8601 strings; durations ms.
 *
 * Auth: POST /api/session sets an httpOnly SameSite=Strict session cookie and returns a CSRF token; every mutation
 * (POST/PUT/PATCH/DELETE) must send it back in the `x-csrf-token` header.
 */

// ---------------------------------------------------------------------------------------------------------------
// Session

export const loginRequestSchema = z.strictObject({
  /** ADMIN_TOKEN or DASHBOARD_PASSWORD. */
  secret: z.string().min(1).max(1000),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const dashboardConfigSchema = z.object({
  /** ISO 4217 code from CURRENCY, e.g. "USD". */
  currency: z.string(),
  /** The default IANA time zone (DASHBOARD_TIME_ZONE, else BILLING_TIME_ZONE). */
  timeZone: z.string(),
  /** False when the gateway admin API is unreachable or ADMIN_TOKEN is not set: admin pages are read-only. */
  adminEnabled: z.boolean(),
  version: z.string(),
});
export type DashboardConfig = z.infer<typeof dashboardConfigSchema>;

export const sessionSchema = z.object({
  authenticated: z.boolean(),
  /** Send back as `x-csrf-token` on every mutation (present when authenticated). */
  csrfToken: z.string().optional(),
  config: dashboardConfigSchema.optional(),
});
export type Session = z.infer<typeof sessionSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Ranges

export const periodSchema = z.enum(['today', '7d', '30d', 'month', 'year', 'all', 'custom']);
export type Period = z.infer<typeof periodSchema>;

/**
 * Query string of every analytics read: `?period=7d&tz=Europe/Berlin`, or `?period=custom&from=…&to=…`. The server
 * resolves the period in the time zone (today = since local midnight; month = since the 1st; year = since 1 January;
 * 7d/30d = the last 7×24/30×24 hours; all = everything) and answers with the range it used. Rollups are hourly, so a
 * custom range is widened to whole hours.
 */
export const rangeQuerySchema = z.object({
  period: periodSchema.default('7d'),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  tz: z.string().min(1).max(100).optional(),
});
export type RangeQuery = z.infer<typeof rangeQuerySchema>;

export const resolvedRangeSchema = z.object({
  period: periodSchema,
  from: z.string(),
  to: z.string(),
  timeZone: z.string(),
  /** The chart bucket size used for this range: hour for up to 3 days, else day (days in timeZone). */
  granularity: z.enum(['hour', 'day']),
});
export type ResolvedRange = z.infer<typeof resolvedRangeSchema>;

const money = z.string();

// ---------------------------------------------------------------------------------------------------------------
// GET /api/overview

export const overviewSchema = z.object({
  range: resolvedRangeSchema,
  currency: z.string(),
  requests: z.number(),
  errors: z.number(),
  /** errors / requests (0..1); 0 when there are no requests. */
  errorRate: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  avgLatencyMs: z.number().nullable(),
  p95LatencyMs: z.number().nullable(),
  avgTtftMs: z.number().nullable(),
  p95TtftMs: z.number().nullable(),
  /** completion tokens / generation time (Ollama eval_duration), over requests that report it. */
  tokensPerSecond: z.number().nullable(),
  energyWh: money,
  electricityCost: money,
  /** What customers were charged (the ledger's total_cost). */
  billed: money,
  /** What the same tokens would have cost at the default reference (OpenAI) price. */
  referenceCost: money,
  /** referenceCost − electricityCost. */
  savings: money,
});
export type Overview = z.infer<typeof overviewSchema>;

// ---------------------------------------------------------------------------------------------------------------
// GET /api/timeseries

export const timeseriesPointSchema = z.object({
  /** Start of the bucket (ISO). */
  t: z.string(),
  requests: z.number(),
  errors: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  tokensPerSecond: z.number().nullable(),
  billed: money,
  electricityCost: money,
});
export type TimeseriesPoint = z.infer<typeof timeseriesPointSchema>;

export const timeseriesSchema = z.object({
  range: resolvedRangeSchema,
  /** Every bucket of the range in order, empty ones included (zeros). */
  points: z.array(timeseriesPointSchema),
  /** Requests per model over the range, largest first. */
  modelShare: z.array(z.object({ model: z.string(), requests: z.number() })),
});
export type Timeseries = z.infer<typeof timeseriesSchema>;

// ---------------------------------------------------------------------------------------------------------------
// GET /api/models

export const modelStatsSchema = z.object({
  model: z.string(),
  provider: z.string(),
  /** null for rows without a host (e.g. rejected before reaching Ollama). */
  upstreamHost: z.string().nullable(),
  requests: z.number(),
  errors: z.number(),
  /** (requests − errors) / requests. */
  successRate: z.number(),
  avgLatencyMs: z.number().nullable(),
  p95LatencyMs: z.number().nullable(),
  avgTtftMs: z.number().nullable(),
  p95TtftMs: z.number().nullable(),
  tokensPerSecond: z.number().nullable(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  billed: money,
  costPerRequest: money,
  electricityCost: money,
});
export type ModelStats = z.infer<typeof modelStatsSchema>;

export const modelsResponseSchema = z.object({
  range: resolvedRangeSchema,
  data: z.array(modelStatsSchema),
});
export type ModelsResponse = z.infer<typeof modelsResponseSchema>;

// ---------------------------------------------------------------------------------------------------------------
// GET /api/customers (usage in the range + the current billing period's budget and quota standing)

export const customerSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  status: z.enum(['active', 'suspended']),
  plan: z
    .object({
      name: z.string(),
      monthlyRequestQuota: z.number().nullable(),
      monthlyTokenQuota: z.number().nullable(),
    })
    .nullable(),
  /** Monthly (or one-off) budget; null = none. */
  budget: money.nullable(),
  budgetPeriod: z.enum(['monthly', 'one_off']),
  markupPercent: z.string(),
  createdAt: z.string(),
  keys: z.number(),
  /** Usage in the selected range. */
  requests: z.number(),
  errors: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  billed: money,
  /** The current billing period (customer_spend): what the budget and quota bars show. */
  periodRequests: z.number(),
  periodTokens: z.number(),
  periodSpend: money,
});
export type CustomerSummary = z.infer<typeof customerSummarySchema>;

export const customersResponseSchema = z.object({
  range: resolvedRangeSchema,
  data: z.array(customerSummarySchema),
});
export type CustomersResponse = z.infer<typeof customersResponseSchema>;

// GET /api/customers/:id/keys (usage in the range per key)
export const keySummarySchema = z.object({
  id: z.string(),
  customerId: z.string(),
  name: z.string(),
  prefix: z.string(),
  isAdmin: z.boolean(),
  allowedModels: z.array(z.string()).nullable(),
  allowedEndpoints: z.array(z.string()).nullable(),
  rpmLimit: z.number().nullable(),
  tpmLimit: z.number().nullable(),
  maxConcurrency: z.number().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
  requests: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  billed: money,
});
export type KeySummary = z.infer<typeof keySummarySchema>;

export const keysResponseSchema = z.object({
  range: resolvedRangeSchema,
  data: z.array(keySummarySchema),
});
export type KeysResponse = z.infer<typeof keysResponseSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Admin mutations (the dashboard server forwards these to the gateway's admin API with ADMIN_TOKEN)

export const createCustomerRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.string().trim().max(320).nullish(),
  budget: z.number().min(0).finite().nullish(),
  plan: z.string().min(1).nullish(),
});
export type CreateCustomerRequest = z.infer<typeof createCustomerRequestSchema>;

export const updateCustomerRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  email: z.string().trim().max(320).nullable().optional(),
  budget: z.number().min(0).finite().nullable().optional(),
  status: z.enum(['active', 'suspended']).optional(),
  plan: z.string().min(1).nullable().optional(),
  budgetPeriod: z.enum(['monthly', 'one_off']).optional(),
  markupPercent: z.number().min(-100).max(99_999).optional(),
});
export type UpdateCustomerRequest = z.infer<typeof updateCustomerRequestSchema>;

const limit = z.number().int().positive().max(2_147_483_647);
export const createKeyRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  /** Allowed models (globs like "llama3*"); null/absent = all. */
  models: z.array(z.string().min(1).max(200)).min(1).nullish(),
  rpm: limit.nullish(),
  tpm: limit.nullish(),
  concurrency: limit.nullish(),
  expiresAt: z.iso.datetime({ offset: true }).nullish(),
});
export type CreateKeyRequest = z.infer<typeof createKeyRequestSchema>;

/** PATCH /api/keys/:id: edit limits and allowed models; null clears a limit. */
export const updateKeyRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  models: z.array(z.string().min(1).max(200)).min(1).nullable().optional(),
  rpm: limit.nullable().optional(),
  tpm: limit.nullable().optional(),
  concurrency: limit.nullable().optional(),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
});
export type UpdateKeyRequest = z.infer<typeof updateKeyRequestSchema>;

/** The answer to creating a key: the secret is here once and never again. */
export const createdKeySchema = z.object({
  id: z.string(),
  customerId: z.string(),
  name: z.string(),
  prefix: z.string(),
  key: z.string(),
});
export type CreatedKey = z.infer<typeof createdKeySchema>;

export const planSchema = z.object({
  name: z.string(),
  monthlyRequestQuota: z.number().nullable(),
  monthlyTokenQuota: z.number().nullable(),
  monthlyPrice: money,
});
export type Plan = z.infer<typeof planSchema>;

/** GET /api/plans. */
export const plansResponseSchema = z.object({ data: z.array(planSchema) });
export type PlansResponse = z.infer<typeof plansResponseSchema>;

export const updatePlanRequestSchema = z.strictObject({
  monthlyRequestQuota: z.number().int().min(0).nullable().optional(),
  monthlyTokenQuota: z.number().int().min(0).nullable().optional(),
  monthlyPrice: z.number().min(0).finite().optional(),
});
export type UpdatePlanRequest = z.infer<typeof updatePlanRequestSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Pricing: GET /api/pricing, PUT /api/pricing, PUT /api/reference-prices/:name, PUT /api/settings/electricity

export const modelPriceSchema = z.object({
  id: z.string(),
  provider: z.string(),
  model: z.string(),
  customerId: z.string().nullable(),
  inputPerMillion: money,
  outputPerMillion: money,
  perRequest: money,
  effectiveFrom: z.string(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

export const referencePriceSchema = z.object({
  name: z.string(),
  inputPerMillion: money,
  outputPerMillion: money,
  isDefault: z.boolean(),
});
export type ReferencePrice = z.infer<typeof referencePriceSchema>;

export const electricitySettingsSchema = z.object({
  /** Average GPU draw while generating, in watts. */
  gpuWatts: z.number().min(0).max(100_000),
  /** Price of one kWh in the configured currency. */
  pricePerKwh: z.number().min(0).max(1000),
  /** 'env' = not edited: GPU_WATTS and ELECTRICITY_PRICE_PER_KWH apply. */
  source: z.enum(['env', 'settings']),
});
export type ElectricitySettings = z.infer<typeof electricitySettingsSchema>;

export const pricingResponseSchema = z.object({
  currency: z.string(),
  prices: z.array(modelPriceSchema),
  referencePrices: z.array(referencePriceSchema),
  electricity: electricitySettingsSchema,
});
export type PricingResponse = z.infer<typeof pricingResponseSchema>;

export const upsertPriceRequestSchema = z.strictObject({
  model: z.string().regex(/^[A-Za-z0-9._:/*?-]{1,200}$/, 'a model name or glob'),
  provider: z.string().min(1).max(50).optional(),
  inputPerMillion: z.number().min(0).finite(),
  outputPerMillion: z.number().min(0).finite(),
  perRequest: z.number().min(0).finite().optional(),
  customerId: z.uuid().nullish(),
  effectiveFrom: z.iso.datetime({ offset: true }).optional(),
});
export type UpsertPriceRequest = z.infer<typeof upsertPriceRequestSchema>;

export const updateReferencePriceRequestSchema = z.strictObject({
  inputPerMillion: z.number().min(0).finite(),
  outputPerMillion: z.number().min(0).finite(),
  /** Make this the reference the savings are computed against. */
  isDefault: z.boolean().optional(),
});
export type UpdateReferencePriceRequest = z.infer<typeof updateReferencePriceRequestSchema>;

export const updateElectricityRequestSchema = z.strictObject({
  gpuWatts: z.number().min(0).max(100_000),
  pricePerKwh: z.number().min(0).max(1000),
});
export type UpdateElectricityRequest = z.infer<typeof updateElectricityRequestSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Request log: GET /api/logs, GET /api/logs/:requestId

export const logQuerySchema = z.object({
  /** Full-text search over prompts, responses and errors (websearch syntax: words, "phrases", -exclude). */
  q: z.string().max(500).optional(),
  /** errors = status ≥ 400 only. */
  status: z.enum(['all', 'errors']).default('all'),
  model: z.string().max(200).optional(),
  customerId: z.uuid().optional(),
  apiKeyId: z.uuid().optional(),
  dialect: dialectSchema.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /**
   * Show health checks and 404s too (hidden by default). `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off` (a query
   * string's "false" must mean false, which z.coerce.boolean() would read as true).
   */
  includeNoise: z.union([z.boolean(), z.stringbool()], { error: 'must be true or false' }).default(false),
  /** Opaque cursor from the previous page's `nextCursor` (keyset pagination, newest first). */
  cursor: z.string().max(200).optional(),
  /** 20 by default, at most 100. */
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type LogQuery = z.infer<typeof logQuerySchema>;

export const logRowSchema = z.object({
  requestId: z.string(),
  occurredAt: z.string(),
  customerId: z.string().nullable(),
  customerName: z.string().nullable(),
  apiKeyId: z.string().nullable(),
  keyPrefix: z.string().nullable(),
  model: z.string(),
  endpoint: z.string(),
  dialect: z.string(),
  status: z.number(),
  stream: z.boolean(),
  durationMs: z.number(),
  /** A short excerpt of the prompt (last user message), for the list. */
  preview: z.string(),
  error: z.string().nullable(),
});
export type LogRow = z.infer<typeof logRowSchema>;

export const logPageSchema = z.object({
  data: z.array(logRowSchema),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type LogPage = z.infer<typeof logPageSchema>;

export const logDetailSchema = logRowSchema.extend({
  requestBody: z.unknown().nullable(),
  responseBody: z.unknown().nullable(),
  /** The ledger row for this request (null if the billing worker has not written it yet). */
  usage: z
    .object({
      promptTokens: z.number(),
      completionTokens: z.number(),
      totalMs: z.number(),
      ttftMs: z.number().nullable(),
      gatewayOverheadMs: z.number().nullable(),
      loadDurationMs: z.number().nullable(),
      promptEvalDurationMs: z.number().nullable(),
      evalDurationMs: z.number().nullable(),
      upstreamHost: z.string().nullable(),
      provider: z.string(),
      totalCost: money,
      energyWh: money,
      electricityCost: money,
      referenceCost: money,
      currency: z.string(),
    })
    .nullable(),
});
export type LogDetail = z.infer<typeof logDetailSchema>;

// ---------------------------------------------------------------------------------------------------------------

export const dashboardErrorSchema = z.object({
  error: z.object({ message: z.string(), code: z.string() }),
});
export type DashboardError = z.infer<typeof dashboardErrorSchema>;
