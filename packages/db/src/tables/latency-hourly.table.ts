import type { ColumnType } from 'kysely';
import type { GeneratedInt8, Timestamp } from './common.js';

/** bigint[]: pg returns string[] (int8 values); written as an array of numbers or strings. */
export type Int8Array = ColumnType<string[], ReadonlyArray<number | string>, ReadonlyArray<number | string>>;

/** db/migrations/0004_latency_hourly.sql: hourly latency and TTFT histograms per model and upstream host. */
export interface LatencyHourlyTable {
  bucket: Timestamp;
  model: string;
  provider: string;
  upstream_host: string | null;
  requests: GeneratedInt8;
  /** LATENCY_HISTOGRAM_BUCKETS counts (packages/contracts latency-histogram.ts). */
  latency_hist: Int8Array;
  ttft_hist: Int8Array;
}
