import type { CustomerStatus } from '@ollama-gateway/contracts';
import type { Defaulted, GeneratedNumeric, GeneratedTimestamp, Numeric } from './common.js';

export type BudgetPeriod = 'monthly' | 'one_off';

export interface CustomersTable {
  id: Defaulted<string>;
  name: string;
  email: string | null;
  plan_id: string | null;
  budget: Numeric | null;
  status: Defaulted<CustomerStatus>;
  /** Migration 0003: 'monthly' (resets each calendar month in BILLING_TIME_ZONE) or 'one_off' (never resets). */
  budget_period: Defaulted<BudgetPeriod>;
  /** Migration 0003: share of the budget (1-100) at which the soft-limit webhook fires; NULL = the env default. */
  soft_limit_percent: number | null;
  /** Migration 0003: where the soft-limit webhook is POSTed; NULL = BUDGET_WEBHOOK_URL. */
  webhook_url: string | null;
  /** Migration 0001: percent added to the default prices for this customer (negative = discount, ≥ -100). */
  price_markup_percent: GeneratedNumeric;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}
