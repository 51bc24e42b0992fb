import { emptyLatencyHistogram, latencyBucket } from '@ollama-gateway/contracts';
import { sql } from '@ollama-gateway/db';
import { hourBucket, inKeyOrder, type RollupRow, type Trx, text, textOrNull } from './ledger.helpers.js';
import { addEntry, addExcluded, emptySums, SUM_COLUMNS, sumColumns, type UsageSums } from './rollup-sums.js';

interface ModelRow {
  bucket: string;
  model: string;
  provider: string;
  upstreamHost: string | null;
  sums: UsageSums;
  latency: number[];
  ttft: number[];
}

/**
 * model_hourly (db/migrations/0004): per UTC hour, model, provider and upstream host, usage_hourly's sums (money in
 * exact nano-units), the completion tokens of the requests that report a generation time, and two histograms
 * (packages/contracts latency-histogram.ts: array element i + 1 counts bucket i): total_ms of every request, ttft_ms
 * of the requests that report one. The dashboard's overview, timeseries and models panels read only this table.
 * Called in the ledger transaction with the rows actually inserted, so a replay is never counted twice; existing
 * rows are added to (histograms element-wise, `histogram_add`), in key order so concurrent batches never deadlock.
 */
export async function upsertModelHourly(trx: Trx, rows: readonly RollupRow[]): Promise<void> {
  if (rows.length === 0) return;
  const buckets = new Map<string, ModelRow>();
  for (const { entry } of rows) {
    const { event } = entry;
    const bucket = hourBucket(event.occurredAt);
    const model = text(event.model);
    const upstreamHost = textOrNull(event.upstreamHost);
    const id = JSON.stringify([bucket, model, event.provider, upstreamHost]);
    let row = buckets.get(id);
    if (!row) {
      row = {
        bucket,
        model,
        provider: event.provider,
        upstreamHost,
        sums: emptySums(),
        latency: emptyLatencyHistogram(),
        ttft: emptyLatencyHistogram(),
      };
      buckets.set(id, row);
    }
    addEntry(row.sums, entry);
    row.latency[latencyBucket(event.totalMs)]! += 1;
    if (event.ttftMs !== null) row.ttft[latencyBucket(event.ttftMs)]! += 1;
  }
  await trx
    .insertInto('model_hourly')
    .values(
      inKeyOrder(buckets).map((row) => ({
        bucket: row.bucket,
        model: row.model,
        provider: row.provider,
        upstream_host: row.upstreamHost,
        ...sumColumns(row.sums),
        eval_completion_tokens: row.sums.evalTokens,
        latency_hist: row.latency,
        ttft_hist: row.ttft,
      })),
    )
    .onConflict((oc) =>
      oc.constraint('model_hourly_key').doUpdateSet({
        ...addExcluded('model_hourly', [...SUM_COLUMNS, 'eval_completion_tokens']),
        latency_hist: sql`histogram_add(model_hourly.latency_hist, excluded.latency_hist)`,
        ttft_hist: sql`histogram_add(model_hourly.ttft_hist, excluded.ttft_hist)`,
      }),
    )
    .execute();
}
