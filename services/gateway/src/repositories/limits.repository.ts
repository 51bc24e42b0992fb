import { type BudgetPeriod, createPricingRepository, type Db, sql } from '@ollama-gateway/db';
import type { PriceRow } from '@ollama-gateway/pricing';

/** What the budget and quota gates need to know about a customer (its row and its plan's quotas). */
export interface CustomerLimits {
  customerId: string;
  /** The budget in currency units as Postgres holds it (numeric → exact decimal string); null = no budget. */
  budget: string | null;
  budgetPeriod: BudgetPeriod;
  /** null = the gateway default (BUDGET_SOFT_LIMIT_PERCENT). */
  softLimitPercent: number | null;
  webhookUrl: string | null;
  /** Markup (percent) on the default prices (never on the customer's own price list). */
  priceMarkupPercent: string;
  planName: string | null;
  /** null = unlimited. */
  monthlyRequestQuota: number | null;
  monthlyTokenQuota: number | null;
}

/** Month-to-date (or all-time) usage of a customer, as the ledger holds it. */
export interface LedgerUsage {
  /** Requests that were let through (quota and rate-limit refusals excluded). */
  requests: number;
  tokens: number;
  /** SUM(total_cost) as an exact decimal string. */
  totalCost: string;
}

export interface LimitsRepository {
  findCustomerLimits(customerId: string): Promise<CustomerLimits | null>;
  /** The ledger since `from` (null: since ever) for the customer: seeds the Redis counters when they are missing. */
  usageSince(customerId: string, from: Date | null): Promise<LedgerUsage>;
  /**
   * The customer's spend as `customer_spend` holds it (kept in step with usage_events by the billing worker): one
   * period ("YYYY-MM-01"), or every period when null (one-off budgets). An exact decimal string.
   */
  spendIn(customerId: string, period: string | null): Promise<string>;
  /** Every pricing row (the gateway selects in memory, like the billing worker). */
  listPrices(): Promise<PriceRow[]>;
}

export function createLimitsRepository(db: Db): LimitsRepository {
  const pricing = createPricingRepository(db);
  return {
    async findCustomerLimits(customerId) {
      const row = await db
        .selectFrom('customers')
        .leftJoin('plans', 'plans.id', 'customers.plan_id')
        .select([
          'customers.id',
          'customers.budget',
          'customers.budget_period',
          'customers.soft_limit_percent',
          'customers.webhook_url',
          'customers.price_markup_percent',
          'plans.name as plan_name',
          'plans.monthly_request_quota',
          'plans.monthly_token_quota',
        ])
        .where('customers.id', '=', customerId)
        .executeTakeFirst();
      if (!row) return null;
      return {
        customerId: row.id,
        budget: row.budget,
        budgetPeriod: row.budget_period,
        softLimitPercent: row.soft_limit_percent,
        webhookUrl: row.webhook_url,
        priceMarkupPercent: row.price_markup_percent,
        planName: row.plan_name,
        monthlyRequestQuota: row.monthly_request_quota === null ? null : Number(row.monthly_request_quota),
        monthlyTokenQuota: row.monthly_token_quota === null ? null : Number(row.monthly_token_quota),
      };
    },

    async usageSince(customerId, from) {
      let query = db
        .selectFrom('usage_events')
        .select([
          sql<string>`count(*) FILTER (WHERE status <> 429)`.as('requests'),
          sql<string>`coalesce(sum(total_tokens), 0)`.as('tokens'),
          sql<string>`coalesce(sum(total_cost), 0)`.as('total_cost'),
        ])
        .where('customer_id', '=', customerId);
      if (from) query = query.where('occurred_at', '>=', from);
      const row = await query.executeTakeFirstOrThrow();
      return { requests: Number(row.requests), tokens: Number(row.tokens), totalCost: row.total_cost };
    },

    async spendIn(customerId, period) {
      let query = db
        .selectFrom('customer_spend')
        .select(sql<string>`coalesce(sum(total_cost), 0)`.as('total_cost'))
        .where('customer_id', '=', customerId);
      if (period) query = query.where(sql<boolean>`period = ${period}::date`);
      const row = await query.executeTakeFirstOrThrow();
      return row.total_cost;
    },

    async listPrices() {
      return pricing.list();
    },
  };
}
