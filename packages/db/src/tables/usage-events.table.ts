import type { Defaulted, GeneratedNumeric, GeneratedTimestamp, Int8, ReadOnly, Timestamp } from './common.js';

export interface UsageEventsTable {
  id: ReadOnly<string>;
  request_id: string;
  occurred_at: Timestamp;
  recorded_at: GeneratedTimestamp;
  customer_id: string | null;
  api_key_id: string | null;
  model: string;
  upstream_model: string | null;
  provider: string;
  upstream_host: string | null;
  endpoint: string;
  dialect: string;
  status: number;
  error_code: string | null;
  stream: boolean;
  prompt_tokens: Defaulted<number>;
  completion_tokens: Defaulted<number>;
  total_tokens: ReadOnly<number>;
  total_ms: number;
  ttft_ms: number | null;
  gateway_overhead_ms: number | null;
  load_duration_ns: Int8 | null;
  prompt_eval_duration_ns: Int8 | null;
  eval_duration_ns: Int8 | null;
  total_duration_ns: Int8 | null;
  client_ip: string | null;
  user_agent: string | null;
  pricing_id: string | null;
  input_cost: GeneratedNumeric;
  output_cost: GeneratedNumeric;
  request_cost: GeneratedNumeric;
  total_cost: GeneratedNumeric;
  energy_wh: GeneratedNumeric;
  electricity_cost: GeneratedNumeric;
  reference_cost: GeneratedNumeric;
  currency: Defaulted<string>;
  /** Migration 0001: the prices this row was charged at (after markup) and the power/kWh price of its energy. */
  input_price_per_million: GeneratedNumeric;
  output_price_per_million: GeneratedNumeric;
  request_price: GeneratedNumeric;
  markup_percent: GeneratedNumeric;
  gpu_watts: GeneratedNumeric;
  electricity_price_per_kwh: GeneratedNumeric;
  /** Migration 0005: the response cache's verdict ('hit' | 'miss' | 'bypass'); null where no cache applied. */
  cache_status: string | null;
}
