import { sql } from '@ollama-gateway/db';
import { formatNano, toNano } from '@ollama-gateway/pricing';
import { inKeyOrder, type RollupRow, type Trx } from './ledger.helpers.js';

/** customer_spend: requests, tokens and cost per customer and billing period, for rows with a customer. */
export async function upsertCustomerSpend(trx: Trx, rows: readonly RollupRow[]): Promise<void> {
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
  const ordered = inKeyOrder(spend);
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
