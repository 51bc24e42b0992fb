import type { ModelsResponse, Overview, Timeseries } from '@ollama-gateway/contracts';
import type { ModelHourlyRepository } from '../repositories/model-hourly.repository.js';
import { ZERO_MONEY } from '../repositories/usage-sums.sql.js';
import { type Range, toResolvedRange } from './range.service.js';
import { averagesOf, p95, ratio, tokensPerSecond } from './usage-stats.js';

export interface AnalyticsService {
  overview(range: Range): Promise<Overview>;
  timeseries(range: Range): Promise<Timeseries>;
  models(range: Range): Promise<ModelsResponse>;
}

/**
 * The overview, timeseries and models panels: the model rollups only (model_daily for whole UTC days and model_hourly
 * for the rest, with their latency histograms).
 */
export function createAnalyticsService(deps: {
  usage: ModelHourlyRepository;
  currency: string;
}): AnalyticsService {
  return {
    async overview(range) {
      const sums = await deps.usage.totals(range);
      const averages = averagesOf(sums);
      return {
        range: toResolvedRange(range),
        currency: deps.currency,
        requests: sums.requests,
        errors: sums.errors,
        errorRate: ratio(sums.errors, sums.requests),
        promptTokens: sums.prompt_tokens,
        completionTokens: sums.completion_tokens,
        avgLatencyMs: averages.avgLatencyMs,
        p95LatencyMs: p95(sums.latency),
        avgTtftMs: averages.avgTtftMs,
        p95TtftMs: p95(sums.ttft),
        tokensPerSecond: averages.tokensPerSecond,
        energyWh: sums.energy_wh,
        electricityCost: sums.electricity_cost,
        billed: sums.billed,
        referenceCost: sums.reference_cost,
        savings: sums.savings,
      };
    },

    async timeseries(range) {
      const [buckets, share] = await Promise.all([deps.usage.series(range), deps.usage.modelShare(range)]);
      return {
        range: toResolvedRange(range),
        points: buckets.map((b) => ({
          t: b.t.toISOString(),
          requests: b.requests ?? 0,
          errors: b.errors ?? 0,
          promptTokens: b.prompt_tokens ?? 0,
          completionTokens: b.completion_tokens ?? 0,
          tokensPerSecond: tokensPerSecond({ eval_tokens: b.eval_tokens ?? 0, eval_ns: b.eval_ns ?? 0 }),
          billed: b.billed ?? ZERO_MONEY,
          electricityCost: b.electricity_cost ?? ZERO_MONEY,
        })),
        modelShare: share,
      };
    },

    async models(range) {
      const rows = await deps.usage.byModel(range);
      return {
        range: toResolvedRange(range),
        data: rows.map((row) => {
          const averages = averagesOf(row);
          return {
            model: row.model,
            provider: row.provider,
            upstreamHost: row.upstream_host,
            requests: row.requests,
            errors: row.errors,
            successRate: ratio(row.requests - row.errors, row.requests),
            avgLatencyMs: averages.avgLatencyMs,
            p95LatencyMs: p95(row.latency),
            avgTtftMs: averages.avgTtftMs,
            p95TtftMs: p95(row.ttft),
            tokensPerSecond: averages.tokensPerSecond,
            promptTokens: row.prompt_tokens,
            completionTokens: row.completion_tokens,
            billed: row.billed,
            costPerRequest: row.cost_per_request,
            electricityCost: row.electricity_cost,
          };
        }),
      };
    },
  };
}
