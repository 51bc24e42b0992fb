import type { UsageEvent } from '@ollama-gateway/contracts';
import { type Db, sql } from '@ollama-gateway/db';
import { type CostBreakdown, formatNano, toNano } from '@ollama-gateway/pricing';

/** The prices and energy parameters a row was charged at (after markup), recorded on the row. */
export interface ChargedAt {
  inputPerMillion: string;
  outputPerMillion: string;
  perRequest: string;
  markupPercent: string;
  gpuWatts: string;
  electricityPricePerKwh: string;
}

/** One priced usage event, ready for the ledger. */
export interface LedgerEntry {
  event: UsageEvent;
  /** The pricing row used, or null when none applied. */
  pricingId: string | null;
  cost: CostBreakdown;
  currency: string;
  /** What the row was charged at. Absent: zeros (kept optional for callers that only price). */
  chargedAt?: ChargedAt;
  /** The billing period "YYYY-MM-01" (month in BILLING_TIME_ZONE) for customer_spend. Default: the UTC month. */
  period?: string;
}

/** A reference column that was cleared because the row it pointed to no longer exists. */
export type DroppedReference = 'customer_id' | 'api_key_id' | 'pricing_id';

export interface RecordResult {
  /** false when the request id was already in the ledger (a replayed job): nothing was written. */
  inserted: boolean;
  /** usage_events.id of the new row, null when not inserted. */
  id: string | null;
  /** References set to null because their customer, key or price had been deleted. */
  droppedReferences: DroppedReference[];
}

export interface UsageRepository {
  /** One entry: `recordBatch([entry])`. */
  record(entry: LedgerEntry): Promise<RecordResult>;
}

export interface BatchUsageRepository extends UsageRepository {
  /**
   * Writes many ledger rows in one transaction: one multi-row INSERT … ON CONFLICT (request_id) DO NOTHING
   * RETURNING, then usage_hourly and customer_spend for the rows actually inserted only, so a replayed job (or the
   * same request id twice in a batch) is counted once. References to a customer, key or price deleted since the
   * request are recorded as null (the usage itself is never dropped); the ones that exist are locked FOR KEY SHARE
   * until commit so they cannot vanish mid-transaction. All or nothing: on error nothing is written.
   * Results are in the order of `entries`.
   */
  recordBatch(entries: readonly LedgerEntry[]): Promise<RecordResult[]>;
}

const ZERO = '0.000000000';

export function createUsageRepository(db: Db): BatchUsageRepository {
  const recordBatch = async (entries: readonly LedgerEntry[]): Promise<RecordResult[]> => {
    if (entries.length === 0) return [];
    return db.transaction().execute(async (trx) => {
      const existing = async (table: 'customers' | 'api_keys' | 'pricing', ids: (string | null)[]) => {
        const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
        if (wanted.length === 0) return new Set<string>();
        const rows = await trx
          .selectFrom(table)
          .select('id')
          .where('id', 'in', wanted)
          .forKeyShare()
          .execute();
        return new Set(rows.map((row) => row.id));
      };
      const customers = await existing(
        'customers',
        entries.map((e) => e.event.customerId),
      );
      const keys = await existing(
        'api_keys',
        entries.map((e) => e.event.apiKeyId),
      );
      const prices = await existing(
        'pricing',
        entries.map((e) => e.pricingId),
      );

      const prepared = entries.map((entry) => {
        const dropped: DroppedReference[] = [];
        const keep = (id: string | null, set: Set<string>, column: DroppedReference) => {
          if (id === null || set.has(id)) return id;
          dropped.push(column);
          return null;
        };
        return {
          entry,
          dropped,
          customerId: keep(entry.event.customerId, customers, 'customer_id'),
          apiKeyId: keep(entry.event.apiKeyId, keys, 'api_key_id'),
          pricingId: keep(entry.pricingId, prices, 'pricing_id'),
        };
      });

      const returned = await trx
        .insertInto('usage_events')
        .values(
          prepared.map(({ entry, customerId, apiKeyId, pricingId }) => {
            const { event, cost } = entry;
            const at = entry.chargedAt;
            return {
              request_id: event.requestId,
              occurred_at: event.occurredAt,
              customer_id: customerId,
              api_key_id: apiKeyId,
              model: text(event.model),
              upstream_model: textOrNull(event.upstreamModel),
              provider: event.provider,
              upstream_host: textOrNull(event.upstreamHost),
              endpoint: text(event.endpoint),
              dialect: event.dialect,
              status: event.status,
              error_code: textOrNull(event.errorCode),
              stream: event.stream,
              prompt_tokens: event.promptTokens,
              completion_tokens: event.completionTokens,
              total_ms: event.totalMs,
              ttft_ms: event.ttftMs,
              gateway_overhead_ms: event.gatewayOverheadMs,
              load_duration_ns: event.loadDurationNs,
              prompt_eval_duration_ns: event.promptEvalDurationNs,
              eval_duration_ns: event.evalDurationNs,
              total_duration_ns: event.totalDurationNs,
              client_ip: textOrNull(event.clientIp),
              user_agent: textOrNull(event.userAgent),
              pricing_id: pricingId,
              input_cost: cost.inputCost,
              output_cost: cost.outputCost,
              request_cost: cost.requestCost,
              total_cost: cost.totalCost,
              energy_wh: cost.energyWh,
              electricity_cost: cost.electricityCost,
              reference_cost: cost.referenceCost,
              currency: entry.currency,
              input_price_per_million: at?.inputPerMillion ?? ZERO,
              output_price_per_million: at?.outputPerMillion ?? ZERO,
              request_price: at?.perRequest ?? ZERO,
              markup_percent: at?.markupPercent ?? ZERO,
              gpu_watts: at?.gpuWatts ?? ZERO,
              electricity_price_per_kwh: at?.electricityPricePerKwh ?? ZERO,
            };
          }),
        )
        .onConflict((oc) => oc.column('request_id').doNothing())
        .returning(['id', 'request_id'])
        .execute();
      const insertedIds = new Map(returned.map((row) => [row.request_id, row.id]));

      // The first entry of each inserted request id (a duplicate later in the batch is a replay).
      const claimed = new Set<string>();
      const results: RecordResult[] = prepared.map(({ entry, dropped }) => {
        const id = insertedIds.get(entry.event.requestId);
        if (id === undefined || claimed.has(entry.event.requestId))
          return { inserted: false, id: null, droppedReferences: dropped };
        claimed.add(entry.event.requestId);
        return { inserted: true, id, droppedReferences: dropped };
      });
      const inserted = prepared.filter((_, i) => results[i]!.inserted);
      if (inserted.length === 0) return results;

      await upsertHourly(trx, inserted);
      await upsertSpend(trx, inserted);
      return results;
    });
  };

  return {
    recordBatch,
    async record(entry) {
      const [result] = await recordBatch([entry]);
      return result!;
    },
  };
}

interface Prepared {
  entry: LedgerEntry;
  customerId: string | null;
  apiKeyId: string | null;
}

type Trx = Parameters<Parameters<ReturnType<Db['transaction']>['execute']>[0]>[0];

/** usage_hourly: one upsert row per key (summed in exact nano-units), in key order so batches never deadlock. */
async function upsertHourly(trx: Trx, rows: readonly Prepared[]): Promise<void> {
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
    const hour = new Date(event.occurredAt);
    hour.setUTCMinutes(0, 0, 0);
    const key = [
      hour.toISOString(),
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
        bucket: hour.toISOString(),
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
  const ordered = [...buckets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, b]) => b);
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

/** customer_spend: requests, tokens and cost per customer and billing period, for rows with a customer. */
async function upsertSpend(trx: Trx, rows: readonly Prepared[]): Promise<void> {
  const spend = new Map<
    string,
    { customerId: string; period: string; requests: number; prompt: number; completion: number; cost: bigint }
  >();
  for (const { entry, customerId } of rows) {
    if (customerId === null) continue;
    const period = entry.period ?? `${entry.event.occurredAt.slice(0, 7)}-01`;
    const id = `${customerId}|${period}`;
    let s = spend.get(id);
    if (!s) {
      s = { customerId, period, requests: 0, prompt: 0, completion: 0, cost: 0n };
      spend.set(id, s);
    }
    s.requests += 1;
    s.prompt += entry.event.promptTokens;
    s.completion += entry.event.completionTokens;
    s.cost += toNano(entry.cost.totalCost);
  }
  if (spend.size === 0) return;
  const ordered = [...spend.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  await trx
    .insertInto('customer_spend')
    .values(
      ordered.map((s) => ({
        customer_id: s.customerId,
        period: s.period,
        requests: s.requests,
        prompt_tokens: s.prompt,
        completion_tokens: s.completion,
        total_cost: formatNano(s.cost),
      })),
    )
    .onConflict((oc) =>
      oc.columns(['customer_id', 'period']).doUpdateSet({
        requests: sql`customer_spend.requests + excluded.requests`,
        prompt_tokens: sql`customer_spend.prompt_tokens + excluded.prompt_tokens`,
        completion_tokens: sql`customer_spend.completion_tokens + excluded.completion_tokens`,
        total_cost: sql`customer_spend.total_cost + excluded.total_cost`,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}

/** Postgres text cannot hold NUL; client-supplied strings (user agent, model name) may carry one. */
function text(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

function textOrNull(value: string | null): string | null {
  return value === null ? null : text(value);
}
