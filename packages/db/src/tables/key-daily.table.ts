import type { ColumnType } from 'kysely';
import type { GeneratedInt8, GeneratedNumeric } from './common.js';

/**
 * db/migrations/0004_dashboard_rollups.sql: usage per UTC day, customer and key (no model or host). Kept by the
 * billing worker in the ledger transaction; the dashboard's customers list and customer keys read it for the whole
 * days of their range (usage_hourly for the partial days at the edges).
 */
export interface KeyDailyTable {
  /**
   * Postgres `date`: the UTC day. Written as "YYYY-MM-DD"; node-postgres reads a date as a Date at local midnight, so
   * compare in SQL or select `to_char(day, 'YYYY-MM-DD')` rather than using the Date.
   */
  day: ColumnType<Date, string, string>;
  /** null for requests without a customer (or key), or whose customer (key) was deleted before billing. */
  customer_id: string | null;
  api_key_id: string | null;
  requests: GeneratedInt8;
  errors: GeneratedInt8;
  prompt_tokens: GeneratedInt8;
  completion_tokens: GeneratedInt8;
  total_cost: GeneratedNumeric;
}
