import { type Db, sql } from '@ollama-gateway/db';
import type { Range } from '../services/range.service.js';
import { splitAtUtcDays } from './key-usage.repository.js';
import {
  HISTOGRAM_SUMS,
  type HistogramSums,
  moneyText,
  USAGE_SUMS,
  type UsageSums,
} from './usage-sums.sql.js';

export interface ModelUsage extends UsageSums, HistogramSums {
  model: string;
  provider: string;
  upstream_host: string | null;
}

/** A bucket of the series; an empty bucket has nulls. */
export type BucketUsage = { t: Date } & {
  [K in
    | 'requests'
    | 'errors'
    | 'prompt_tokens'
    | 'completion_tokens'
    | 'eval_tokens'
    | 'eval_ns'
    | 'billed'
    | 'electricity_cost']: UsageSums[K] | null;
};

/**
 * Reads model_hourly (usage per UTC hour, model, provider and host with its latency histograms) and model_daily (the
 * same per UTC day); histograms are summed element-wise in SQL, percentiles taken in the service. totals and byModel
 * read the whole UTC days of the range from model_daily and the partial days at its edges from model_hourly (both
 * kept in the ledger transaction, so exact for any range): 24 times fewer rows whose 128 histogram elements are
 * summed. series and modelShare read model_hourly only (day buckets follow the dashboard's time zone).
 */
export interface ModelHourlyRepository {
  /** The oldest rollup hour, or null when there is no usage yet (period=all starts there). */
  earliest(): Promise<Date | null>;
  totals(range: Range): Promise<UsageSums & HistogramSums>;
  /** Every bucket of the range in order (hours, or days starting at local midnight in range.timeZone); empty ones have only `t`. */
  series(range: Range): Promise<BucketUsage[]>;
  byModel(range: Range): Promise<ModelUsage[]>;
  /** Requests per model name (all providers and hosts), largest first. */
  modelShare(range: Range): Promise<Array<{ model: string; requests: number }>>;
}

const inRange = (range: Range) => sql`u.bucket >= ${range.from} AND u.bucket < ${range.to}`;

/**
 * The rollup rows of `range`: model_daily for its whole UTC days, model_hourly for the partial days at its edges (the
 * columns both tables share, for USAGE_SUMS and HISTOGRAM_SUMS under the alias `u`).
 */
function rowsOf(range: Range) {
  const parts = splitAtUtcDays(range);
  const columns = sql`model, provider, upstream_host, requests, errors, prompt_tokens, completion_tokens,
    total_ms_sum, ttft_ms_sum, ttft_count, eval_completion_tokens, eval_duration_ns_sum, total_cost, energy_wh,
    electricity_cost, reference_cost, latency_hist, ttft_hist`;
  const selects = [
    ...(parts.days
      ? [
          sql`SELECT ${columns} FROM model_daily
              WHERE day >= ${parts.days.from}::date AND day < ${parts.days.to}::date`,
        ]
      : []),
    ...parts.hours.map(
      (hours) =>
        sql`SELECT ${columns} FROM model_hourly WHERE bucket >= ${hours.from} AND bucket < ${hours.to}`,
    ),
  ];
  return sql.join(selects, sql` UNION ALL `);
}

export function createModelHourlyRepository(db: Db): ModelHourlyRepository {
  return {
    async earliest() {
      const { rows } = await sql<{
        bucket: Date | null;
      }>`SELECT min(bucket) AS bucket FROM model_hourly`.execute(db);
      return rows[0]?.bucket ?? null;
    },

    async totals(range) {
      const { rows } = await sql<UsageSums & HistogramSums>`
        SELECT ${USAGE_SUMS}, ${HISTOGRAM_SUMS} FROM (${rowsOf(range)}) u`.execute(db);
      return rows[0]!;
    },

    async series(range) {
      const tz = range.timeZone;
      // Two levels: per rollup hour first, then per chart bucket, so the time-zone arithmetic of day buckets runs
      // once per hour instead of once per rollup row.
      const bucketOf =
        range.granularity === 'hour' ? sql`p.bucket` : sql`date_trunc('day', p.bucket, ${tz}::text)`;
      // Day buckets: the local days touching the range, each starting at its local midnight (DST-correct: the
      // series runs over local timestamps, each converted back to an instant).
      const buckets =
        range.granularity === 'hour'
          ? sql`SELECT generate_series(${range.from}::timestamptz, ${range.to}::timestamptz - interval '1 hour', interval '1 hour') AS t`
          : sql`SELECT d AT TIME ZONE ${tz}::text AS t
                FROM generate_series(
                  date_trunc('day', ${range.from}::timestamptz AT TIME ZONE ${tz}::text),
                  (${range.to}::timestamptz - interval '1 microsecond') AT TIME ZONE ${tz}::text,
                  interval '1 day') AS d`;
      const { rows } = await sql<BucketUsage>`
        WITH buckets AS (${buckets}),
        hourly AS (
          SELECT u.bucket, sum(u.requests) AS requests, sum(u.errors) AS errors,
            sum(u.prompt_tokens) AS prompt_tokens, sum(u.completion_tokens) AS completion_tokens,
            sum(u.eval_completion_tokens) AS eval_tokens, sum(u.eval_duration_ns_sum) AS eval_ns,
            sum(u.total_cost) AS total_cost, sum(u.electricity_cost) AS electricity_cost
          FROM model_hourly u WHERE ${inRange(range)} GROUP BY u.bucket
        ),
        agg AS (
          SELECT ${bucketOf} AS bucket_t,
            sum(p.requests)::float8 AS requests, sum(p.errors)::float8 AS errors,
            sum(p.prompt_tokens)::float8 AS prompt_tokens, sum(p.completion_tokens)::float8 AS completion_tokens,
            coalesce(sum(p.eval_tokens), 0)::float8 AS eval_tokens, coalesce(sum(p.eval_ns), 0)::float8 AS eval_ns,
            ${sql.raw(moneyText('sum(p.total_cost)'))} AS billed,
            ${sql.raw(moneyText('sum(p.electricity_cost)'))} AS electricity_cost
          FROM hourly p GROUP BY 1
        )
        SELECT agg.*, b.t FROM buckets b LEFT JOIN agg ON agg.bucket_t = b.t ORDER BY b.t`.execute(db);
      return rows;
    },

    async byModel(range) {
      const { rows } = await sql<ModelUsage>`
        SELECT u.model, u.provider, u.upstream_host, ${USAGE_SUMS}, ${HISTOGRAM_SUMS}
        FROM (${rowsOf(range)}) u
        GROUP BY u.model, u.provider, u.upstream_host
        ORDER BY requests DESC, u.model, u.provider, u.upstream_host NULLS LAST`.execute(db);
      return rows;
    },

    async modelShare(range) {
      const { rows } = await sql<{ model: string; requests: number }>`
        SELECT u.model, sum(u.requests)::float8 AS requests
        FROM model_hourly u WHERE ${inRange(range)}
        GROUP BY u.model ORDER BY requests DESC, u.model`.execute(db);
      return rows;
    },
  };
}
