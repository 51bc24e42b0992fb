import type { Defaulted, GeneratedInt8, GeneratedNumeric, Timestamp } from './common.js';

export interface UsageHourlyTable {
  bucket: Timestamp;
  customer_id: string | null;
  api_key_id: string | null;
  model: string;
  provider: string;
  upstream_host: string | null;
  requests: GeneratedInt8;
  errors: GeneratedInt8;
  stream_requests: GeneratedInt8;
  prompt_tokens: GeneratedInt8;
  completion_tokens: GeneratedInt8;
  total_ms_sum: Defaulted<number>;
  ttft_ms_sum: Defaulted<number>;
  ttft_count: GeneratedInt8;
  eval_duration_ns_sum: GeneratedInt8;
  total_cost: GeneratedNumeric;
  energy_wh: GeneratedNumeric;
  electricity_cost: GeneratedNumeric;
  reference_cost: GeneratedNumeric;
}
