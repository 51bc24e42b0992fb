import { type Db, sql } from '@ollama-gateway/db';
import { moneyText } from './usage-sums.sql.js';

export interface CustomerRow {
  id: string;
  name: string;
  email: string | null;
  status: 'active' | 'suspended';
  budget: string | null;
  budget_period: 'monthly' | 'one_off';
  markup_percent: string;
  created_at: Date;
  plan_name: string | null;
  monthly_request_quota: number | null;
  monthly_token_quota: number | null;
  keys: number;
  period_requests: number;
  period_tokens: number;
  period_spend: string;
}

export interface KeyRow {
  id: string;
  customer_id: string;
  name: string;
  prefix: string;
  is_admin: boolean;
  allowed_models: string[] | null;
  allowed_endpoints: string[] | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_concurrency: number | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
}

export interface CustomersRepository {
  /**
   * Every customer with its plan, its number of keys that are not revoked, and its standing in the billing period
   * `period` (`YYYY-MM-01`) from customer_spend; for budget_period 'one_off' the standing sums every period.
   */
  list(period: string): Promise<CustomerRow[]>;
  exists(id: string): Promise<boolean>;
  /** A customer's keys, newest first. */
  keys(customerId: string): Promise<KeyRow[]>;
}

export function createCustomersRepository(db: Db): CustomersRepository {
  return {
    async list(period) {
      const { rows } = await sql<CustomerRow>`
        SELECT c.id, c.name, c.email, c.status, c.created_at, c.budget_period,
          CASE WHEN c.budget IS NULL THEN NULL ELSE ${sql.raw(moneyText('c.budget'))} END AS budget,
          trim_scale(c.price_markup_percent)::text AS markup_percent,
          p.name AS plan_name,
          p.monthly_request_quota::float8 AS monthly_request_quota,
          p.monthly_token_quota::float8 AS monthly_token_quota,
          (SELECT count(*) FROM api_keys k WHERE k.customer_id = c.id AND k.revoked_at IS NULL)::float8 AS keys,
          coalesce(s.requests, 0)::float8 AS period_requests,
          coalesce(s.tokens, 0)::float8 AS period_tokens,
          ${sql.raw(moneyText('s.spend'))} AS period_spend
        FROM customers c
        LEFT JOIN plans p ON p.id = c.plan_id
        LEFT JOIN LATERAL (
          SELECT sum(cs.requests) AS requests, sum(cs.prompt_tokens + cs.completion_tokens) AS tokens,
            sum(cs.total_cost) AS spend
          FROM customer_spend cs
          WHERE cs.customer_id = c.id AND (c.budget_period = 'one_off' OR cs.period = ${period}::date)
        ) s ON true
        ORDER BY c.name, c.id`.execute(db);
      return rows;
    },

    async exists(id) {
      const row = await db.selectFrom('customers').select('id').where('id', '=', id).executeTakeFirst();
      return row !== undefined;
    },

    async keys(customerId) {
      return db
        .selectFrom('api_keys')
        .select([
          'id',
          'customer_id',
          'name',
          'prefix',
          'is_admin',
          'allowed_models',
          'allowed_endpoints',
          'rpm_limit',
          'tpm_limit',
          'max_concurrency',
          'expires_at',
          'revoked_at',
          'last_used_at',
          'created_at',
        ])
        .where('customer_id', '=', customerId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
    },
  };
}
