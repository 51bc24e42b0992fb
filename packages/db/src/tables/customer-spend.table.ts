import type { ColumnType } from 'kysely';
import type { GeneratedInt8, GeneratedNumeric, GeneratedTimestamp } from './common.js';

/**
 * Migration 0001: a customer's usage per billing period, kept in step with usage_events by the billing worker in the
 * same transaction as the ledger insert (only rows actually inserted count, so replays never double-count).
 */
export interface CustomerSpendTable {
  customer_id: string;
  /**
   * Postgres `date`: the first day of the calendar month in BILLING_TIME_ZONE. Written as "YYYY-MM-01"
   * (`billingPeriod(at, tz)` from @ollama-gateway/pricing); node-postgres reads a date as a Date at local midnight,
   * so compare in SQL (`period = '2026-03-01'`) or select `to_char(period, 'YYYY-MM-DD')` rather than using the Date.
   */
  period: ColumnType<Date, string, string>;
  requests: GeneratedInt8;
  prompt_tokens: GeneratedInt8;
  completion_tokens: GeneratedInt8;
  total_cost: GeneratedNumeric;
  updated_at: GeneratedTimestamp;
}
