import { formatNano, toNano } from '@ollama-gateway/pricing';
import { inKeyOrder, type RollupRow, type Trx, utcDay } from './ledger.helpers.js';
import { addExcluded } from './rollup-sums.js';

interface KeyRow {
  day: string;
  customerId: string | null;
  apiKeyId: string | null;
  requests: number;
  errors: number;
  prompt: number;
  completion: number;
  cost: bigint;
}

/**
 * key_daily (db/migrations/0004): per UTC day, customer and key (the references as written to the ledger, so null
 * for a deleted customer or key), requests, errors, tokens and cost summed in exact nano-units. The dashboard's
 * customers list and customer keys read it for the whole days of their range. Called in the ledger transaction with
 * the rows actually inserted; rows are upserted in key order so concurrent batches never deadlock.
 */
export async function upsertKeyDaily(trx: Trx, rows: readonly RollupRow[]): Promise<void> {
  if (rows.length === 0) return;
  const days = new Map<string, KeyRow>();
  for (const { entry, customerId, apiKeyId } of rows) {
    const { event, cost } = entry;
    const day = utcDay(event.occurredAt);
    const id = JSON.stringify([day, customerId, apiKeyId]);
    let row = days.get(id);
    if (!row) {
      row = { day, customerId, apiKeyId, requests: 0, errors: 0, prompt: 0, completion: 0, cost: 0n };
      days.set(id, row);
    }
    row.requests += 1;
    row.errors += event.status >= 400 ? 1 : 0;
    row.prompt += event.promptTokens;
    row.completion += event.completionTokens;
    row.cost += toNano(cost.totalCost);
  }
  await trx
    .insertInto('key_daily')
    .values(
      inKeyOrder(days).map((row) => ({
        day: row.day,
        customer_id: row.customerId,
        api_key_id: row.apiKeyId,
        requests: row.requests,
        errors: row.errors,
        prompt_tokens: row.prompt,
        completion_tokens: row.completion,
        total_cost: formatNano(row.cost),
      })),
    )
    .onConflict((oc) =>
      oc
        .constraint('key_daily_key')
        .doUpdateSet(
          addExcluded('key_daily', [
            'requests',
            'errors',
            'prompt_tokens',
            'completion_tokens',
            'total_cost',
          ]),
        ),
    )
    .execute();
}
