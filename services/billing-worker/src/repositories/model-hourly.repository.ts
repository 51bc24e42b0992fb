import { emptyLatencyHistogram, latencyBucket } from '@ollama-gateway/contracts';
import { sql } from '@ollama-gateway/db';
import { hourBucket, inKeyOrder, type RollupRow, type Trx, text, textOrNull } from './ledger.helpers.js';
import { addEntry, addExcluded, emptySums, SUM_COLUMNS, sumColumns, type UsageSums } from './rollup-sums.js';

/** One row of model_hourly or model_daily before it is written: `period` is its bucket or day. */
export interface ModelRow {
  period: string;
  model: string;
  provider: string;
  upstreamHost: string | null;
  sums: UsageSums;
  latency: number[];
  ttft: number[];
}

/**
 * Sums `rows` per period (`periodOf` the event's occurred_at: its UTC hour or day), model, provider and upstream
 * host, with the two histograms (packages/contracts latency-histogram.ts: array element i + 1 counts bucket i):
 * total_ms of every request, ttft_ms of the requests that report one. Returned in key order (see inKeyOrder).
 */
export function groupByModel(
  rows: readonly RollupRow[],
  periodOf: (occurredAt: string) => string,
): ModelRow[] {
  const groups = new Map<string, ModelRow>();
  for (const { entry } of rows) {
    const { event } = entry;
    const period = periodOf(event.occurredAt);
    const model = text(event.model);
    const upstreamHost = textOrNull(event.upstreamHost);
    const id = JSON.stringify([period, model, event.provider, upstreamHost]);
    let row = groups.get(id);
    if (!row) {
      row = {
        period,
        model,
        provider: event.provider,
        upstreamHost,
        sums: emptySums(),
        latency: emptyLatencyHistogram(),
        ttft: emptyLatencyHistogram(),
      };
      groups.set(id, row);
    }
    addEntry(row.sums, entry);
    row.latency[latencyBucket(event.totalMs)]! += 1;
    if (event.ttftMs !== null) row.ttft[latencyBucket(event.ttftMs)]! += 1;
  }
  return inKeyOrder(groups);
}

/** The columns model_hourly and model_daily share, as insert values (all but the bucket or day). */
export function modelColumns(row: ModelRow) {
  return {
    model: row.model,
    provider: row.provider,
    upstream_host: row.upstreamHost,
    ...sumColumns(row.sums),
    eval_completion_tokens: row.sums.evalTokens,
    latency_hist: row.latency,
    ttft_hist: row.ttft,
  };
}

/** `ON CONFLICT … DO UPDATE SET` of model_hourly or model_daily: sums added, histograms element-wise. */
export function addModelExcluded(table: 'model_hourly' | 'model_daily') {
  return {
    ...addExcluded(table, [...SUM_COLUMNS, 'eval_completion_tokens']),
    latency_hist: sql<never>`histogram_add(${sql.ref(`${table}.latency_hist`)}, excluded.latency_hist)`,
    ttft_hist: sql<never>`histogram_add(${sql.ref(`${table}.ttft_hist`)}, excluded.ttft_hist)`,
  };
}

/**
 * model_hourly (db/migrations/0004): per UTC hour, model, provider and upstream host, usage_hourly's sums (money in
 * exact nano-units), the completion tokens of the requests that report a generation time, and the latency and TTFT
 * histograms (groupByModel). The dashboard's timeseries panel reads it, and the overview and models panels for the
 * partial days at the edges of their range. Called in the ledger transaction with the rows actually inserted, so a
 * replay is never counted twice; existing rows are added to (histograms element-wise, `histogram_add`), in key order
 * so concurrent batches never deadlock.
 */
export async function upsertModelHourly(trx: Trx, rows: readonly RollupRow[]): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('model_hourly')
    .values(groupByModel(rows, hourBucket).map((row) => ({ bucket: row.period, ...modelColumns(row) })))
    .onConflict((oc) => oc.constraint('model_hourly_key').doUpdateSet(addModelExcluded('model_hourly')))
    .execute();
}
