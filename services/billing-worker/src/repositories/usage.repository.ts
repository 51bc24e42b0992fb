import type { UsageEvent } from '@ollama-gateway/contracts';
import { type Db, sql } from '@ollama-gateway/db';
import type { CostBreakdown } from '../pricing/cost.js';

/** One priced usage event, ready for the ledger. */
export interface LedgerEntry {
  event: UsageEvent;
  /** The pricing row used, or null when none applied. */
  pricingId: string | null;
  cost: CostBreakdown;
  currency: string;
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
  /**
   * Writes the ledger row and, only if it is new, adds it to its usage_hourly bucket, in one transaction: a job
   * replayed any number of times is counted once. A customer, key or price deleted since the request is recorded as
   * null (the usage itself is never dropped).
   */
  record(entry: LedgerEntry): Promise<RecordResult>;
}

const FK_COLUMNS: Record<string, DroppedReference> = {
  usage_events_customer_id_fkey: 'customer_id',
  usage_events_api_key_id_fkey: 'api_key_id',
  usage_events_pricing_id_fkey: 'pricing_id',
};

interface Refs {
  customerId: string | null;
  apiKeyId: string | null;
  pricingId: string | null;
}

export function createUsageRepository(db: Db): UsageRepository {
  const write = async (entry: LedgerEntry, refs: Refs): Promise<string | null> =>
    db.transaction().execute(async (trx) => {
      const { event, cost } = entry;
      const inserted = await trx
        .insertInto('usage_events')
        .values({
          request_id: event.requestId,
          occurred_at: event.occurredAt,
          customer_id: refs.customerId,
          api_key_id: refs.apiKeyId,
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
          pricing_id: refs.pricingId,
          input_cost: cost.inputCost,
          output_cost: cost.outputCost,
          request_cost: cost.requestCost,
          total_cost: cost.totalCost,
          energy_wh: cost.energyWh,
          electricity_cost: cost.electricityCost,
          reference_cost: cost.referenceCost,
          currency: entry.currency,
        })
        .onConflict((oc) => oc.column('request_id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return null;

      await trx
        .insertInto('usage_hourly')
        .values({
          bucket: sql<Date>`date_trunc('hour', ${event.occurredAt}::timestamptz, 'UTC')`,
          customer_id: refs.customerId,
          api_key_id: refs.apiKeyId,
          model: text(event.model),
          provider: event.provider,
          upstream_host: textOrNull(event.upstreamHost),
          requests: 1,
          errors: event.status >= 400 ? 1 : 0,
          stream_requests: event.stream ? 1 : 0,
          prompt_tokens: event.promptTokens,
          completion_tokens: event.completionTokens,
          total_ms_sum: event.totalMs,
          ttft_ms_sum: event.ttftMs ?? 0,
          ttft_count: event.ttftMs === null ? 0 : 1,
          eval_duration_ns_sum: event.evalDurationNs ?? 0,
          total_cost: cost.totalCost,
          energy_wh: cost.energyWh,
          electricity_cost: cost.electricityCost,
          reference_cost: cost.referenceCost,
        })
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
      return inserted.id;
    });

  return {
    async record(entry) {
      const refs: Refs = {
        customerId: entry.event.customerId,
        apiKeyId: entry.event.apiKeyId,
        pricingId: entry.pricingId,
      };
      const droppedReferences: DroppedReference[] = [];
      // At most one retry per reference column: each FK violation names the constraint, which names the column.
      for (;;) {
        try {
          const id = await write(entry, refs);
          return { inserted: id !== null, id, droppedReferences };
        } catch (error) {
          const column = foreignKeyColumn(error);
          if (!column || droppedReferences.includes(column)) throw error;
          droppedReferences.push(column);
          if (column === 'customer_id') refs.customerId = null;
          if (column === 'api_key_id') refs.apiKeyId = null;
          if (column === 'pricing_id') refs.pricingId = null;
        }
      }
    },
  };
}

/** The ledger column behind a foreign-key violation (SQLSTATE 23503), else undefined. */
function foreignKeyColumn(error: unknown): DroppedReference | undefined {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  if (code !== '23503' || typeof constraint !== 'string') return undefined;
  return FK_COLUMNS[constraint];
}

/** Postgres text cannot hold NUL; client-supplied strings (user agent, model name) may carry one. */
function text(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

function textOrNull(value: string | null): string | null {
  return value === null ? null : text(value);
}
