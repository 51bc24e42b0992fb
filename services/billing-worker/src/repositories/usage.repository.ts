import type { UsageEvent } from '@ollama-gateway/contracts';
import type { Db } from '@ollama-gateway/db';
import type { CostBreakdown } from '@ollama-gateway/pricing';
import { upsertCustomerSpend } from './customer-spend.repository.js';
import { upsertKeyDaily } from './key-daily.repository.js';
import { text, textOrNull } from './ledger.helpers.js';
import { upsertModelDaily } from './model-daily.repository.js';
import { upsertModelHourly } from './model-hourly.repository.js';
import { upsertUsageHourly } from './usage-hourly.repository.js';

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
   * RETURNING, then usage_hourly, model_hourly, model_daily, key_daily and customer_spend for the rows actually
   * inserted only, so a replayed job (or the same request id twice in a batch) is counted once. References to a customer, key or price
   * deleted since the request are recorded as null (the usage itself is never dropped); the ones that exist are
   * locked FOR KEY SHARE until commit so they cannot vanish mid-transaction. All or nothing: on error nothing is written.
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
              cache_status: event.cacheStatus ?? null,
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

      // Always in this table order (and each in key order): concurrent batches never deadlock.
      await upsertUsageHourly(trx, inserted);
      await upsertModelHourly(trx, inserted);
      await upsertModelDaily(trx, inserted);
      await upsertKeyDaily(trx, inserted);
      await upsertCustomerSpend(trx, inserted);
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
