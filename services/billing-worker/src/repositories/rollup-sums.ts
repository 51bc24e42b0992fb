import { sql } from '@ollama-gateway/db';
import { formatNano, toNano } from '@ollama-gateway/pricing';
import type { LedgerEntry } from './usage.repository.js';

/** The sums usage_hourly, model_hourly and model_daily keep per row; money in exact nano-units until written. */
export interface UsageSums {
  requests: number;
  errors: number;
  streams: number;
  prompt: number;
  completion: number;
  totalMs: number;
  ttftMs: number;
  ttftCount: number;
  evalNs: number;
  /** Completion tokens of the requests that report a generation time (eval_duration_ns > 0). */
  evalTokens: number;
  cost: bigint;
  energy: bigint;
  electricity: bigint;
  reference: bigint;
}

export function emptySums(): UsageSums {
  return {
    requests: 0,
    errors: 0,
    streams: 0,
    prompt: 0,
    completion: 0,
    totalMs: 0,
    ttftMs: 0,
    ttftCount: 0,
    evalNs: 0,
    evalTokens: 0,
    cost: 0n,
    energy: 0n,
    electricity: 0n,
    reference: 0n,
  };
}

/** Adds one priced ledger entry: errors are status ≥ 400; ttft sums and counts only requests that report one. */
export function addEntry(sums: UsageSums, { event, cost }: LedgerEntry): void {
  sums.requests += 1;
  sums.errors += event.status >= 400 ? 1 : 0;
  sums.streams += event.stream ? 1 : 0;
  sums.prompt += event.promptTokens;
  sums.completion += event.completionTokens;
  sums.totalMs += event.totalMs;
  sums.ttftMs += event.ttftMs ?? 0;
  sums.ttftCount += event.ttftMs === null ? 0 : 1;
  sums.evalNs += event.evalDurationNs ?? 0;
  if ((event.evalDurationNs ?? 0) > 0) sums.evalTokens += event.completionTokens;
  sums.cost += toNano(cost.totalCost);
  sums.energy += toNano(cost.energyWh);
  sums.electricity += toNano(cost.electricityCost);
  sums.reference += toNano(cost.referenceCost);
}

/** The sum columns shared by usage_hourly, model_hourly and model_daily, as insert values. */
export function sumColumns(sums: UsageSums) {
  return {
    requests: sums.requests,
    errors: sums.errors,
    stream_requests: sums.streams,
    prompt_tokens: sums.prompt,
    completion_tokens: sums.completion,
    total_ms_sum: sums.totalMs,
    ttft_ms_sum: sums.ttftMs,
    ttft_count: sums.ttftCount,
    eval_duration_ns_sum: sums.evalNs,
    total_cost: formatNano(sums.cost),
    energy_wh: formatNano(sums.energy),
    electricity_cost: formatNano(sums.electricity),
    reference_cost: formatNano(sums.reference),
  };
}

export const SUM_COLUMNS = [
  'requests',
  'errors',
  'stream_requests',
  'prompt_tokens',
  'completion_tokens',
  'total_ms_sum',
  'ttft_ms_sum',
  'ttft_count',
  'eval_duration_ns_sum',
  'total_cost',
  'energy_wh',
  'electricity_cost',
  'reference_cost',
] as const;

/** An SQL expression that fits any column type (`never` is assignable to every value type). */
type AnyColumnExpression = ReturnType<typeof sql.raw<never>>;

/** `ON CONFLICT … DO UPDATE SET c = table.c + excluded.c` for each of `columns`: the rollup upserts add. */
export function addExcluded<C extends string>(
  table: string,
  columns: readonly C[],
): Record<C, AnyColumnExpression> {
  return Object.fromEntries(
    columns.map((column) => [
      column,
      sql<never>`${sql.ref(`${table}.${column}`)} + ${sql.ref(`excluded.${column}`)}`,
    ]),
  ) as Record<C, AnyColumnExpression>;
}
