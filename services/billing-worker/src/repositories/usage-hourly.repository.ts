import { sql } from '@ollama-gateway/db';
import { formatNano, toNano } from '@ollama-gateway/pricing';
import { hourBucket, inKeyOrder, type RollupRow, type Trx, text, textOrNull } from './ledger.helpers.js';

/** usage_hourly: one upsert row per key (summed in exact nano-units), in key order so batches never deadlock. */
export async function upsertUsageHourly(trx: Trx, rows: readonly RollupRow[]): Promise<void> {
  interface Bucket {
    bucket: string;
    customerId: string | null;
    apiKeyId: string | null;
    model: string;
    provider: string;
    upstreamHost: string | null;
    requests: number;
    errors: number;
    streams: number;
    prompt: number;
    completion: number;
    totalMs: number;
    ttftMs: number;
    ttftCount: number;
    evalNs: number;
    cost: bigint;
    energy: bigint;
    electricity: bigint;
    reference: bigint;
  }
  const buckets = new Map<string, Bucket>();
  for (const { entry, customerId, apiKeyId } of rows) {
    const { event, cost } = entry;
    const hour = hourBucket(event.occurredAt);
    const key = [
      hour,
      customerId,
      apiKeyId,
      text(event.model),
      event.provider,
      textOrNull(event.upstreamHost),
    ];
    const id = JSON.stringify(key);
    let b = buckets.get(id);
    if (!b) {
      b = {
        bucket: hour,
        customerId,
        apiKeyId,
        model: text(event.model),
        provider: event.provider,
        upstreamHost: textOrNull(event.upstreamHost),
        requests: 0,
        errors: 0,
        streams: 0,
        prompt: 0,
        completion: 0,
        totalMs: 0,
        ttftMs: 0,
        ttftCount: 0,
        evalNs: 0,
        cost: 0n,
        energy: 0n,
        electricity: 0n,
        reference: 0n,
      };
      buckets.set(id, b);
    }
    b.requests += 1;
    b.errors += event.status >= 400 ? 1 : 0;
    b.streams += event.stream ? 1 : 0;
    b.prompt += event.promptTokens;
    b.completion += event.completionTokens;
    b.totalMs += event.totalMs;
    b.ttftMs += event.ttftMs ?? 0;
    b.ttftCount += event.ttftMs === null ? 0 : 1;
    b.evalNs += event.evalDurationNs ?? 0;
    b.cost += toNano(cost.totalCost);
    b.energy += toNano(cost.energyWh);
    b.electricity += toNano(cost.electricityCost);
    b.reference += toNano(cost.referenceCost);
  }
  const ordered = inKeyOrder(buckets);
  await trx
    .insertInto('usage_hourly')
    .values(
      ordered.map((b) => ({
        bucket: b.bucket,
        customer_id: b.customerId,
        api_key_id: b.apiKeyId,
        model: b.model,
        provider: b.provider,
        upstream_host: b.upstreamHost,
        requests: b.requests,
        errors: b.errors,
        stream_requests: b.streams,
        prompt_tokens: b.prompt,
        completion_tokens: b.completion,
        total_ms_sum: b.totalMs,
        ttft_ms_sum: b.ttftMs,
        ttft_count: b.ttftCount,
        eval_duration_ns_sum: b.evalNs,
        total_cost: formatNano(b.cost),
        energy_wh: formatNano(b.energy),
        electricity_cost: formatNano(b.electricity),
        reference_cost: formatNano(b.reference),
      })),
    )
    .onConflict((oc) =>
      oc.constraint('usage_hourly_key').doUpdateSet({
        requests: sql`usage_hourly.requests + excluded.requests`,
        errors: sql`usage_hourly.errors + excluded.errors`,
        stream_requests: sql`usage_hourly.stream_requests + excluded.stream_requests`,
        prompt_tokens: sql`usage_hourly.prompt_tokens + excluded.prompt_tokens`,
        completion_tokens: sql`usage_hourly.completion_tokens + excluded.completion_tokens`,
        total_ms_sum: sql`usage_hourly.total_ms_sum + excluded.total_ms_sum`,
        ttft_ms_sum: sql`usage_hourly.ttft_ms_sum + excluded.ttft_ms_sum`,
        ttft_count: sql`usage_hourly.ttft_count + excluded.ttft_count`,
        eval_duration_ns_sum: sql`usage_hourly.eval_duration_ns_sum + excluded.eval_duration_ns_sum`,
        total_cost: sql`usage_hourly.total_cost + excluded.total_cost`,
        energy_wh: sql`usage_hourly.energy_wh + excluded.energy_wh`,
        electricity_cost: sql`usage_hourly.electricity_cost + excluded.electricity_cost`,
        reference_cost: sql`usage_hourly.reference_cost + excluded.reference_cost`,
      }),
    )
    .execute();
}
