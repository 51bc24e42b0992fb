import type { ColumnType } from 'kysely';
import type { Defaulted, GeneratedInt8, GeneratedNumeric, Timestamp } from './common.js';

/** bigint[]: pg returns string[] (int8 values); written as an array of numbers or strings. */
export type Int8Array = ColumnType<string[], ReadonlyArray<number | string>, ReadonlyArray<number | string>>;

/**
 * db/migrations/0004_dashboard_rollups.sql: usage per UTC hour, model, provider and upstream host (no customer or
 * key), with latency and TTFT histograms. Kept by the billing worker in the ledger transaction; the dashboard's
 * overview, timeseries and models panels read only this table.
 */
export interface ModelHourlyTable {
  bucket: Timestamp;
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
  /** Completion tokens of the requests with eval_duration_ns > 0: tokens/s = this / eval_duration_ns_sum × 1e9. */
  eval_completion_tokens: GeneratedInt8;
  total_cost: GeneratedNumeric;
  energy_wh: GeneratedNumeric;
  electricity_cost: GeneratedNumeric;
  reference_cost: GeneratedNumeric;
  /** LATENCY_HISTOGRAM_BUCKETS counts of total_ms (packages/contracts latency-histogram.ts). */
  latency_hist: Int8Array;
  /** The same for ttft_ms, over the requests that report one. */
  ttft_hist: Int8Array;
}
