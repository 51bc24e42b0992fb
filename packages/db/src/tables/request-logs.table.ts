import type { Defaulted, Json, ReadOnly, Timestamp } from './common.js';

export interface RequestLogsTable {
  id: ReadOnly<string>;
  request_id: string;
  occurred_at: Timestamp;
  customer_id: string | null;
  api_key_id: string | null;
  model: string;
  endpoint: string;
  dialect: string;
  status: number;
  stream: Defaulted<boolean>;
  duration_ms: number;
  request_body: Json | null;
  response_body: Json | null;
  error: string | null;
  /** Generated tsvector for full-text search; query it with sql`search @@ websearch_to_tsquery(...)`. */
  search: ReadOnly<string>;
}
