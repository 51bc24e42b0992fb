import { emptyLatencyHistogram, latencyBucket, type UsageEvent } from '@ollama-gateway/contracts';
import { sql } from '@ollama-gateway/db';
import { hourBucket, inKeyOrder, type Trx, text, textOrNull } from './ledger.helpers.js';

interface LatencyRow {
  bucket: string;
  model: string;
  provider: string;
  upstreamHost: string | null;
  requests: number;
  latency: number[];
  ttft: number[];
}

/**
 * latency_hourly (db/migrations/0004): per UTC hour, model, provider and upstream host, the request count and two
 * histograms (packages/contracts latency-histogram.ts: array element i + 1 counts bucket i): total_ms of every
 * request, ttft_ms of the requests that report one. Called in the ledger transaction with the events actually
 * inserted, so a replay is never counted twice; the existing histograms are added to element-wise
 * (`histogram_add`). Rows are upserted in key order so concurrent batches never deadlock.
 */
export async function upsertLatencyHourly(trx: Trx, events: readonly UsageEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = new Map<string, LatencyRow>();
  for (const event of events) {
    const bucket = hourBucket(event.occurredAt);
    const model = text(event.model);
    const upstreamHost = textOrNull(event.upstreamHost);
    const id = JSON.stringify([bucket, model, event.provider, upstreamHost]);
    let row = rows.get(id);
    if (!row) {
      row = {
        bucket,
        model,
        provider: event.provider,
        upstreamHost,
        requests: 0,
        latency: emptyLatencyHistogram(),
        ttft: emptyLatencyHistogram(),
      };
      rows.set(id, row);
    }
    row.requests += 1;
    row.latency[latencyBucket(event.totalMs)]! += 1;
    if (event.ttftMs !== null) row.ttft[latencyBucket(event.ttftMs)]! += 1;
  }
  await trx
    .insertInto('latency_hourly')
    .values(
      inKeyOrder(rows).map((row) => ({
        bucket: row.bucket,
        model: row.model,
        provider: row.provider,
        upstream_host: row.upstreamHost,
        requests: row.requests,
        latency_hist: row.latency,
        ttft_hist: row.ttft,
      })),
    )
    .onConflict((oc) =>
      oc.constraint('latency_hourly_key').doUpdateSet({
        requests: sql`latency_hourly.requests + excluded.requests`,
        latency_hist: sql`histogram_add(latency_hourly.latency_hist, excluded.latency_hist)`,
        ttft_hist: sql`histogram_add(latency_hourly.ttft_hist, excluded.ttft_hist)`,
      }),
    )
    .execute();
}
