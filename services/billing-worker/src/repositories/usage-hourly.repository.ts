import { hourBucket, inKeyOrder, type RollupRow, type Trx, text, textOrNull } from './ledger.helpers.js';
import { addEntry, addExcluded, emptySums, SUM_COLUMNS, sumColumns, type UsageSums } from './rollup-sums.js';

/** usage_hourly: one upsert row per key (summed in exact nano-units), in key order so batches never deadlock. */
export async function upsertUsageHourly(trx: Trx, rows: readonly RollupRow[]): Promise<void> {
  interface Bucket {
    bucket: string;
    customerId: string | null;
    apiKeyId: string | null;
    model: string;
    provider: string;
    upstreamHost: string | null;
    sums: UsageSums;
  }
  const buckets = new Map<string, Bucket>();
  for (const { entry, customerId, apiKeyId } of rows) {
    const { event } = entry;
    const bucket = hourBucket(event.occurredAt);
    const model = text(event.model);
    const upstreamHost = textOrNull(event.upstreamHost);
    const id = JSON.stringify([bucket, customerId, apiKeyId, model, event.provider, upstreamHost]);
    let b = buckets.get(id);
    if (!b) {
      b = { bucket, customerId, apiKeyId, model, provider: event.provider, upstreamHost, sums: emptySums() };
      buckets.set(id, b);
    }
    addEntry(b.sums, entry);
  }
  await trx
    .insertInto('usage_hourly')
    .values(
      inKeyOrder(buckets).map((b) => ({
        bucket: b.bucket,
        customer_id: b.customerId,
        api_key_id: b.apiKeyId,
        model: b.model,
        provider: b.provider,
        upstream_host: b.upstreamHost,
        ...sumColumns(b.sums),
      })),
    )
    .onConflict((oc) =>
      oc.constraint('usage_hourly_key').doUpdateSet(addExcluded('usage_hourly', SUM_COLUMNS)),
    )
    .execute();
}
