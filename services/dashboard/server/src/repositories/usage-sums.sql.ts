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

/** The aggregates every usage panel reads from usage_hourly (alias `u`). Counts as float8 (exact below 2^53). */
export const USAGE_SUMS = sql.raw(`
  coalesce(sum(u.requests), 0)::float8 AS requests,
  coalesce(sum(u.errors), 0)::float8 AS errors,
  coalesce(sum(u.prompt_tokens), 0)::float8 AS prompt_tokens,
  coalesce(sum(u.completion_tokens), 0)::float8 AS completion_tokens,
  coalesce(sum(u.total_ms_sum), 0)::float8 AS total_ms_sum,
  coalesce(sum(u.ttft_ms_sum), 0)::float8 AS ttft_ms_sum,
  coalesce(sum(u.ttft_count), 0)::float8 AS ttft_count,
  coalesce(sum(u.completion_tokens) FILTER (WHERE u.eval_duration_ns_sum > 0), 0)::float8 AS eval_tokens,
  coalesce(sum(u.eval_duration_ns_sum) FILTER (WHERE u.eval_duration_ns_sum > 0), 0)::float8 AS eval_ns,
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

export const EMPTY_USAGE_SUMS: UsageSums = {
  requests: 0,
  errors: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  total_ms_sum: 0,
  ttft_ms_sum: 0,
  ttft_count: 0,
  eval_tokens: 0,
  eval_ns: 0,
  billed: ZERO_MONEY,
  energy_wh: ZERO_MONEY,
  electricity_cost: ZERO_MONEY,
  reference_cost: ZERO_MONEY,
  savings: ZERO_MONEY,
  cost_per_request: ZERO_MONEY,
};

const histogramSums = (column: string) =>
  `ARRAY[${Array.from({ length: LATENCY_HISTOGRAM_BUCKETS }, (_, i) => `coalesce(sum(h.${column}[${i + 1}]), 0)`).join(', ')}]::float8[]`;

/**
 * The element-wise sums of latency_hourly's histograms (alias `h`), one aggregate per bucket: measured about 4×
 * faster than unnest … WITH ORDINALITY + GROUP BY (150k rollup rows: 0.7 s against 3.1 s).
 */
export const HISTOGRAM_SUMS = sql.raw(
  `${histogramSums('latency_hist')} AS latency, ${histogramSums('ttft_hist')} AS ttft`,
);

export interface HistogramSums {
  latency: number[];
  ttft: number[];
}
