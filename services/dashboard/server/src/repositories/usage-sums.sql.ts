import { LATENCY_HISTOGRAM_BUCKETS } from '@ollama-gateway/contracts';
import { sql } from '@ollama-gateway/db';

/**
 * Money scale of the whole dashboard API: every money string is a sum taken exactly in SQL (numeric), then rounded
 * half away from zero to 6 decimals and printed with exactly 6 (`"12.340000"`).
 */
export const MONEY_SCALE = 6;
export const ZERO_MONEY = '0.000000';

/** An exact SQL numeric expression as a money string of scale MONEY_SCALE. */
export const moneyText = (expression: string) => `round(coalesce(${expression}, 0), ${MONEY_SCALE})::text`;

/**
 * The aggregates the overview and models panels read from model_daily and model_hourly (alias `u`). Counts as
 * float8 (exact below 2^53). Tokens per second over the requests that report a generation time:
 * eval_completion_tokens counts exactly their completion tokens.
 */
export const USAGE_SUMS = sql.raw(`
  coalesce(sum(u.requests), 0)::float8 AS requests,
  coalesce(sum(u.errors), 0)::float8 AS errors,
  coalesce(sum(u.prompt_tokens), 0)::float8 AS prompt_tokens,
  coalesce(sum(u.completion_tokens), 0)::float8 AS completion_tokens,
  coalesce(sum(u.total_ms_sum), 0)::float8 AS total_ms_sum,
  coalesce(sum(u.ttft_ms_sum), 0)::float8 AS ttft_ms_sum,
  coalesce(sum(u.ttft_count), 0)::float8 AS ttft_count,
  coalesce(sum(u.eval_completion_tokens), 0)::float8 AS eval_tokens,
  coalesce(sum(u.eval_duration_ns_sum), 0)::float8 AS eval_ns,
  ${moneyText('sum(u.total_cost)')} AS billed,
  ${moneyText('sum(u.energy_wh)')} AS energy_wh,
  ${moneyText('sum(u.electricity_cost)')} AS electricity_cost,
  ${moneyText('sum(u.reference_cost)')} AS reference_cost,
  ${moneyText('sum(u.reference_cost) - sum(u.electricity_cost)')} AS savings,
  ${moneyText('sum(u.total_cost) / nullif(sum(u.requests), 0)')} AS cost_per_request`);

/** One row of USAGE_SUMS. */
export interface UsageSums {
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_ms_sum: number;
  ttft_ms_sum: number;
  ttft_count: number;
  eval_tokens: number;
  eval_ns: number;
  billed: string;
  energy_wh: string;
  electricity_cost: string;
  reference_cost: string;
  savings: string;
  cost_per_request: string;
}

const histogramSums = (column: string) =>
  `ARRAY[${Array.from({ length: LATENCY_HISTOGRAM_BUCKETS }, (_, i) => `coalesce(sum(u.${column}[${i + 1}]), 0)`).join(', ')}]::float8[]`;

/**
 * The element-wise sums of the model rollups' histograms (alias `u`), one aggregate per bucket: measured about 4×
 * faster than unnest … WITH ORDINALITY + GROUP BY (150k rollup rows: 0.7 s against 3.1 s).
 */
export const HISTOGRAM_SUMS = sql.raw(
  `${histogramSums('latency_hist')} AS latency, ${histogramSums('ttft_hist')} AS ttft`,
);

export interface HistogramSums {
  latency: number[];
  ttft: number[];
}

/**
 * The aggregates the customers and keys panels read (alias `k`: rows of key_daily and usage_hourly, which share these
 * column names).
 */
export const KEY_SUMS = sql.raw(`
  coalesce(sum(k.requests), 0)::float8 AS requests,
  coalesce(sum(k.errors), 0)::float8 AS errors,
  coalesce(sum(k.prompt_tokens), 0)::float8 AS prompt_tokens,
  coalesce(sum(k.completion_tokens), 0)::float8 AS completion_tokens,
  ${moneyText('sum(k.total_cost)')} AS billed`);

/** One row of KEY_SUMS. */
export type KeySums = Pick<
  UsageSums,
  'requests' | 'errors' | 'prompt_tokens' | 'completion_tokens' | 'billed'
>;

export const EMPTY_KEY_SUMS: KeySums = {
  requests: 0,
  errors: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  billed: ZERO_MONEY,
};
