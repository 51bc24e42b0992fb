import { latencyQuantileMs } from '@ollama-gateway/contracts';
import type { UsageSums } from '../repositories/usage-sums.sql.js';

/** Durations (ms) and rates are rounded to 2 decimals; ratios are exact. */
export const round2 = (value: number): number => Math.round(value * 100) / 100;

/** x / y, 0 when y is 0. */
export const ratio = (x: number, y: number): number => (y > 0 ? x / y : 0);

/** The averages every panel shows, from one row of rollup sums. */
export function averagesOf(sums: UsageSums): {
  avgLatencyMs: number | null;
  avgTtftMs: number | null;
  tokensPerSecond: number | null;
} {
  return {
    avgLatencyMs: sums.requests > 0 ? round2(sums.total_ms_sum / sums.requests) : null,
    avgTtftMs: sums.ttft_count > 0 ? round2(sums.ttft_ms_sum / sums.ttft_count) : null,
    tokensPerSecond: tokensPerSecond(sums),
  };
}

/** completion tokens / generation seconds, over rollup rows that report a generation time (null when none do). */
export function tokensPerSecond(sums: Pick<UsageSums, 'eval_tokens' | 'eval_ns'>): number | null {
  return sums.eval_ns > 0 ? round2(sums.eval_tokens / (sums.eval_ns / 1e9)) : null;
}

/** The 95th percentile of a summed histogram, in ms (rounded to 0.01), null when it is empty or absent. */
export function p95(histogram: readonly number[] | undefined): number | null {
  if (!histogram) return null;
  const value = latencyQuantileMs(histogram, 0.95);
  return value === null ? null : round2(value);
}
