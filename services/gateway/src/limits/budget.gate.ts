import {
  costNano,
  formatNano,
  isBillable,
  type ModelPrice,
  maxCostNano,
  type PriceRow,
  resolvePrice,
  toNano,
} from '@ollama-gateway/pricing';
import { AppError, type Logger } from '@ollama-gateway/runtime';
import type { Redis } from 'ioredis';
import type { Usage } from '../canonical/chat.types.js';
import type { WebhookClient } from '../clients/webhook.client.js';
import type { CustomerLimits, LimitsRepository } from '../repositories/limits.repository.js';
import type { AdmissionGate, AdmissionRequest, AdmissionTicket } from './admission.js';
import { budgetWindow, counterTtlSeconds } from './budget.period.js';
import { BUDGET_RESERVE, COUNTER_ADJUST, runScript } from './budget.scripts.js';

/** One-off budgets never reset: their counter lives this long after its last use, then is re-seeded from the ledger. */
export const ONE_OFF_TTL_SECONDS = 30 * 86_400;

export const NO_TICKET: AdmissionTicket = { headers: {}, settle: async () => {} };

/** A ticket whose settle runs at most once. */
export function onceTicket(
  headers: Record<string, string>,
  settle: AdmissionTicket['settle'],
): AdmissionTicket {
  let settled = false;
  return {
    headers,
    async settle(usage, status) {
      if (settled) return;
      settled = true;
      await settle(usage, status);
    },
  };
}

/** 429 `insufficient_quota`, rendered by each dialect's error shape (OpenAI: type and code `insufficient_quota`). */
export function insufficientQuota(detail: string): AppError & { headers: Record<string, string> } {
  const error = new AppError(
    429,
    'quota',
    `You exceeded your current quota, please check your plan and billing details. ${detail}`,
    { code: 'insufficient_quota' },
  );
  // admitRequest copies `headers` of a refusal onto the response: retrying will not help until the period resets.
  return Object.assign(error, { headers: { 'x-should-retry': 'false' } });
}

/**
 * Reads a few rows at most every `ttlMs` (concurrent callers share one read; failures are not cached). While reads
 * fail (Postgres restarting), the last value read within `staleIfErrorMs` is served instead of the error.
 */
function cached<K, V>(
  ttlMs: number,
  load: (key: K) => Promise<V>,
  now: () => number,
  stale: StaleOptions = {},
) {
  const entries = new Map<K, { value: Promise<V>; at: number }>();
  const lastGood = new Map<K, { value: V; at: number }>();
  const staleIfErrorMs = stale.staleIfErrorMs ?? 0;
  const get = (key: K): Promise<V> => {
    const hit = entries.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    if (entries.size > 10_000) entries.clear();
    if (lastGood.size > 10_000) lastGood.clear();
    const value = load(key).then(
      (loaded) => {
        if (staleIfErrorMs > 0) lastGood.set(key, { value: loaded, at: now() });
        return loaded;
      },
      (error: unknown) => {
        const good = lastGood.get(key);
        if (!good || now() - good.at > ttlMs + staleIfErrorMs) throw error;
        stale.onStale?.(error);
        return good.value;
      },
    );
    const entry = { value, at: now() };
    entries.set(key, entry);
    value.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    return value;
  };
  /** Forgets one key (the next get re-reads it), or every key when none is given. */
  const evict = (key?: K) => {
    if (key === undefined) {
      entries.clear();
      lastGood.clear();
    } else {
      entries.delete(key);
      lastGood.delete(key);
    }
  };
  return Object.assign(get, { evict });
}

/** DB_OUTAGE_GRACE_MS for the caches below: serve what was read last while Postgres does not answer. */
export interface StaleOptions {
  /** How long past its TTL a value is reused while reads fail. Default 0 (the error is thrown). */
  staleIfErrorMs?: number;
  /** Called each time a stale value is served (the caller logs, rate-limited). */
  onStale?: (error: unknown) => void;
}

/** Customer budgets/quotas with a short in-process cache, shared by the budget and quota gates. */
export interface CustomerLimitsCache {
  get(customerId: string): Promise<CustomerLimits | null>;
  /**
   * Forgets a customer (`*`: every customer) so the next request re-reads it: called when a `customer-changed`
   * message arrives (packages/runtime key-events.ts). Optional for hand-written caches.
   */
  evict?(customerId: string): void;
}

export function createCustomerLimitsCache(
  repository: Pick<LimitsRepository, 'findCustomerLimits'>,
  ttlMs: number,
  now: () => number = Date.now,
  stale: StaleOptions = {},
): CustomerLimitsCache & { evict(customerId: string): void } {
  const get = cached(ttlMs, (id: string) => repository.findCustomerLimits(id), now, stale);
  return {
    get,
    evict: (customerId) => get.evict(customerId === '*' ? undefined : customerId),
  };
}

/** The price list (every pricing row) with a short in-process cache; `evict` on a `prices-changed` message. */
export interface PriceCache {
  get(): Promise<PriceRow[]>;
  evict(): void;
}

export function createPriceCache(
  repository: Pick<LimitsRepository, 'listPrices'>,
  ttlMs: number,
  now: () => number = Date.now,
  stale: StaleOptions = {},
): PriceCache {
  const get = cached(ttlMs, (_: 'all') => repository.listPrices(), now, stale);
  return { get: () => get('all'), evict: () => get.evict() };
}

export interface BudgetGateOptions {
  redis: Redis;
  repository: LimitsRepository;
  limits: CustomerLimitsCache;
  webhooks: WebhookClient;
  logger: Logger;
  /** Redis key prefix, e.g. `ogw:budget`. */
  keyPrefix: string;
  /** IANA zone whose calendar months are the budget periods (BILLING_TIME_ZONE). */
  timeZone: string;
  /** Completion tokens reserved when the request sets no max_tokens (BUDGET_MAX_COMPLETION_TOKENS). */
  maxCompletionTokens: number;
  /** Default soft limit, percent of the budget (BUDGET_SOFT_LIMIT_PERCENT). */
  softLimitPercent: number;
  /** Default soft-limit webhook (BUDGET_WEBHOOK_URL), null = log line only. */
  webhookUrl: string | null;
  /** How long prices are reused in-process (when `prices` is not given). */
  priceCacheTtlMs: number;
  /** A shared price cache (main.ts evicts it on `prices-changed`); default: a private one of `priceCacheTtlMs`. */
  prices?: PriceCache;
  now?: () => Date;
}

/** The pricing provider of a request: `ollama` until an upstream call says otherwise. */
const providerOf = (provider: string) => (provider === 'none' ? 'ollama' : provider);

/**
 * Budgets that cannot be overrun: before the upstream call the request's maximum cost (prompt estimate × input price
 * + max completion tokens × output price + per-request price, at the customer's effective price) is added to a Redis
 * counter of spent + reserved nano-units for the customer's budget period, atomically and only if it fits; when the
 * request ends the reservation is replaced by the real cost. The counter is seeded from the ledger when missing.
 */
export function createBudgetGate(options: BudgetGateOptions): AdmissionGate {
  const now = options.now ?? (() => new Date());
  const prices =
    options.prices ?? createPriceCache(options.repository, options.priceCacheTtlMs, () => now().getTime());

  const priceFor = async (
    request: AdmissionRequest,
    limits: CustomerLimits,
    at: Date,
  ): Promise<ModelPrice | null> => {
    const rows: PriceRow[] = await prices.get();
    const { context } = request;
    return resolvePrice(
      rows,
      {
        provider: providerOf(context.provider),
        model: request.model,
        upstreamModel: context.upstreamModel,
        at,
        customerId: limits.customerId,
      },
      limits.priceMarkupPercent,
    ).price;
  };

  const softLimit = async (
    limits: CustomerLimits,
    key: string,
    period: string,
    value: bigint,
    ttl: number,
  ) => {
    const budget = toNano(limits.budget ?? '0');
    const percent = limits.softLimitPercent ?? options.softLimitPercent;
    if (budget === 0n || value * 100n < budget * BigInt(percent)) return;
    const marker = await options.redis.set(`${key}:soft-limit`, '1', 'EX', ttl, 'NX');
    if (marker !== 'OK') return;
    const payload = {
      type: 'budget.soft_limit',
      customer_id: limits.customerId,
      period,
      budget: formatNano(budget),
      spent: formatNano(value),
      soft_limit_percent: percent,
      occurred_at: now().toISOString(),
    };
    options.logger.warn(
      payload,
      `customer ${limits.customerId} reached ${percent}% of its budget for ${period}`,
    );
    const url = limits.webhookUrl ?? options.webhookUrl;
    if (url)
      options.webhooks.post(url, payload).then(
        (status) => {
          if (status >= 300) options.logger.warn({ url, status }, 'budget webhook answered with an error');
        },
        (error: unknown) => options.logger.warn({ url, err: error }, 'budget webhook failed'),
      );
  };

  return {
    name: 'budget',
    async admit(request) {
      const customerId = request.context.key?.customerId;
      if (!customerId) return NO_TICKET;
      const limits = await options.limits.get(customerId);
      if (!limits || limits.budget === null) return NO_TICKET;

      const at = now();
      const window = budgetWindow(limits.budgetPeriod, at, options.timeZone);
      const ttl = counterTtlSeconds(window, at, ONE_OFF_TTL_SECONDS);
      const key = `${options.keyPrefix}:${customerId}:${window.period}`;
      const price = await priceFor(request, limits, at);
      const maxTokens = request.maxCompletionTokens ?? options.maxCompletionTokens;
      const reserve = maxCostNano(price, Math.max(0, Math.ceil(request.promptTokensEstimate)), maxTokens);
      const budget = toNano(limits.budget);

      let result = (await runScript(
        options.redis,
        BUDGET_RESERVE,
        [key],
        [reserve.toString(), budget.toString(), ttl, ''],
      )) as [number, number];
      if (result[0] === -1) {
        const spent = await options.repository.spendIn(customerId, window.end ? window.period : null);
        result = (await runScript(
          options.redis,
          BUDGET_RESERVE,
          [key],
          [reserve.toString(), budget.toString(), ttl, toNano(spent).toString()],
        )) as [number, number];
      }
      if (result[0] !== 1) {
        const used = BigInt(result[1]);
        const scope = window.end ? 'this month' : '';
        throw insufficientQuota(
          `Your budget of ${formatNano(budget)}${scope ? ` for ${scope}` : ''} does not cover this request ` +
            `(spent or reserved: ${formatNano(used)}; this request may cost up to ${formatNano(reserve)}).`,
        );
      }

      const reservedFor = providerOf(request.context.provider);
      return onceTicket({}, async (usage: Usage, status: number) => {
        // A fallback provider served it (fallback/): its price, as the ledger charges it, not the local one reserved.
        const settledPrice =
          providerOf(request.context.provider) === reservedFor ? price : await priceFor(request, limits, at);
        // An unbilled cache hit (cache.billHits: false) is priced 0 in the ledger: the counter settles to the same.
        const real =
          request.context.billable && isBillable(usage, status)
            ? costNano(settledPrice, usage.promptTokens, usage.completionTokens)
            : 0n;
        const after = (await runScript(
          options.redis,
          COUNTER_ADJUST,
          [key],
          [(real - reserve).toString(), counterTtlSeconds(window, now(), ONE_OFF_TTL_SECONDS)],
        )) as number;
        if (after >= 0) await softLimit(limits, key, window.period, BigInt(after), ttl);
      });
    },
  };
}
