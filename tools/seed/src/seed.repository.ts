import { type PriceRow, resolvePrice } from '@ollama-gateway/pricing';
import type pg from 'pg';
import { SEED_EMAIL_DOMAIN } from './catalog/customers.catalog.js';
import { SEED_MODELS } from './catalog/models.catalog.js';
import type { ResolvedSeedPrice } from './combos.js';
import type { SeedPlan } from './plan.js';
import { MODEL_DAILY_SQL } from './sql/rollups.sql.js';

/** Anything that runs a query: a pg.Client or pg.Pool. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** How seeded customers are recognised: their e-mail is under the reserved seed domain. */
export const SEED_CUSTOMER_CONDITION = `email LIKE '%@%.${SEED_EMAIL_DOMAIN}'`;

export interface ReferencePrice {
  inputPerMillion: string;
  outputPerMillion: string;
}

/** Fails with a clear message when the schema is missing or older than migration 0004 (the dashboard rollups). */
export async function assertSchema(db: Queryable): Promise<void> {
  const { rows } = await db.query<{ present: boolean }>(
    `SELECT to_regclass('public.model_hourly') IS NOT NULL AND to_regclass('public.model_daily') IS NOT NULL
       AND to_regclass('public.key_daily') IS NOT NULL
       AND to_regprocedure('histogram_add(bigint[], bigint[])') IS NOT NULL
       AND to_regprocedure('histogram_sum(bigint[])') IS NOT NULL AS present`,
  );
  if (!rows[0]?.present)
    throw new Error(
      'The database schema is missing or out of date (no model_hourly / model_daily / key_daily): run `npx gatewayctl migrate` first.',
    );
}

/**
 * Rebuilds the model_daily rows of every UTC day touching [from, to) from model_hourly (MODEL_DAILY_SQL). Inside the
 * caller's transaction, which must hold model_hourly and model_daily against the billing worker's upserts.
 */
export async function rebuildModelDaily(db: Queryable, from: Date, to: Date): Promise<void> {
  for (const statement of MODEL_DAILY_SQL) await db.query(statement, [from, to]);
}

/** rebuildModelDaily in its own transaction, the billing worker's rollup upserts held until it commits. */
export async function rebuildModelDailyNow(db: Queryable, from: Date, to: Date): Promise<void> {
  await db.query('BEGIN');
  try {
    await db.query('LOCK TABLE model_hourly, model_daily IN SHARE ROW EXCLUSIVE MODE');
    await rebuildModelDaily(db, from, to);
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

export async function seedCustomerIds(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM customers WHERE ${SEED_CUSTOMER_CONDITION} ORDER BY id`,
  );
  return rows.map((r) => r.id);
}

/** Customers and their keys, in one transaction. Plans are looked up by name (null when a plan was removed). */
export async function insertCustomersAndKeys(db: Queryable, plan: SeedPlan): Promise<void> {
  await db.query('BEGIN');
  try {
    await db.query(
      `INSERT INTO customers (id, name, email, plan_id, status, price_markup_percent, soft_limit_percent, created_at, updated_at)
       SELECT c.id, c.name, c.email, (SELECT id FROM plans WHERE name = c.plan), 'active', c.markup, c.soft_limit,
         c.created_at, c.created_at
       FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, name text, email text, plan text, markup numeric,
         soft_limit smallint, created_at timestamptz)`,
      [
        JSON.stringify(
          plan.customers.map((c) => ({
            id: c.id,
            name: c.name,
            email: c.email,
            plan: c.planName,
            markup: c.markupPercent,
            soft_limit: c.softLimitPercent,
            created_at: c.createdAt.toISOString(),
          })),
        ),
      ],
    );
    await db.query(
      `INSERT INTO api_keys (id, customer_id, name, prefix, secret_hash, rpm_limit, revoked_at, created_at)
       SELECT k.id, k.customer_id, k.name, k.prefix, k.secret_hash, k.rpm_limit, k.revoked_at, k.created_at
       FROM jsonb_to_recordset($1::jsonb) AS k(id uuid, customer_id uuid, name text, prefix text, secret_hash text,
         rpm_limit int, revoked_at timestamptz, created_at timestamptz)`,
      [
        JSON.stringify(
          plan.keys.map((k) => ({
            id: k.id,
            customer_id: plan.customers[k.customerIdx]!.id,
            name: k.name,
            prefix: k.prefix,
            secret_hash: k.secretHash,
            rpm_limit: k.rpmLimit,
            revoked_at: k.revokedAt?.toISOString() ?? null,
            created_at: k.createdAt.toISOString(),
          })),
        ),
      ],
    );
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
}

/** Adds the default price of each seed model that has no pricing row at all; returns the models it priced. */
export async function ensureDefaultPrices(db: Queryable): Promise<string[]> {
  const added: string[] = [];
  for (const model of SEED_MODELS) {
    const { rowCount } = await db.query(
      `INSERT INTO pricing (provider, model, input_per_million, output_per_million, per_request)
       SELECT 'ollama', $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM pricing WHERE model = $1)
       ON CONFLICT DO NOTHING`,
      [model.name, model.price.inputPerMillion, model.price.outputPerMillion, model.price.perRequest],
    );
    if (rowCount) added.push(model.name);
  }
  return added;
}

/**
 * The price each (customer, model, provider) pays, resolved from the pricing table exactly as the billing worker
 * resolves it (customer rows first, then defaults with the customer's markup), at the end of the seeded range.
 */
export async function resolveSeedPrices(db: Queryable, plan: SeedPlan): Promise<ResolvedSeedPrice[]> {
  const { rows } = await db.query<{
    id: string;
    provider: string;
    model: string;
    input_per_million: string;
    output_per_million: string;
    per_request: string;
    effective_from: Date;
    customer_id: string | null;
  }>(
    'SELECT id, provider, model, input_per_million, output_per_million, per_request, effective_from, customer_id FROM pricing',
  );
  const priceRows: PriceRow[] = rows.map((r) => ({
    id: r.id,
    provider: r.provider,
    model: r.model,
    inputPerMillion: r.input_per_million,
    outputPerMillion: r.output_per_million,
    perRequest: r.per_request,
    effectiveFrom: r.effective_from,
    customerId: r.customer_id,
  }));
  const out: ResolvedSeedPrice[] = [];
  for (const customer of plan.customers)
    SEED_MODELS.forEach((model, modelIdx) => {
      for (const provider of ['ollama', 'none'] as const) {
        const resolved = resolvePrice(
          priceRows,
          {
            provider,
            model: model.name,
            upstreamModel: provider === 'none' ? null : model.name,
            at: plan.input.until,
            customerId: customer.id,
          },
          customer.markupPercent,
        );
        out.push({
          customerIdx: customer.idx,
          modelIdx,
          provider,
          pricingId: resolved.row?.id ?? null,
          inputPerMillion: String(resolved.price?.inputPerMillion ?? '0'),
          outputPerMillion: String(resolved.price?.outputPerMillion ?? '0'),
          perRequest: String(resolved.price?.perRequest ?? '0'),
          markupPercent: resolved.markupPercent,
        });
      }
    });
  return out;
}

/** The default reference price (gpt-4o-mini unless the operator changed it), or zero when there is none. */
export async function defaultReferencePrice(db: Queryable): Promise<ReferencePrice> {
  const { rows } = await db.query<{ input_per_million: string; output_per_million: string }>(
    'SELECT input_per_million, output_per_million FROM reference_prices WHERE is_default ORDER BY updated_at DESC LIMIT 1',
  );
  const row = rows[0];
  return {
    inputPerMillion: row ? trimDecimal(row.input_per_million) : '0',
    outputPerMillion: row ? trimDecimal(row.output_per_million) : '0',
  };
}

/** "0.150000" → "0.15" (at most 9 decimals kept). */
function trimDecimal(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

/** last_used_at of each seeded key: its newest ledger row (one index probe per key). */
export async function updateLastUsed(db: Queryable, keyIds: readonly string[]): Promise<void> {
  await db.query(
    `UPDATE api_keys k SET last_used_at = (SELECT max(occurred_at) FROM usage_events e WHERE e.api_key_id = k.id)
     WHERE k.id = ANY($1::uuid[])`,
    [keyIds],
  );
}

/**
 * Budgets follow the data: a customer with a target fill gets a round budget its current-month spend fills to about
 * that share, so the dashboard shows budgets at 30 %, 80 %, 95 %… whatever the number of events.
 */
export async function setBudgets(db: Queryable, plan: SeedPlan, period: string): Promise<void> {
  const { rows } = await db.query<{ customer_id: string; total_cost: string }>(
    'SELECT customer_id, total_cost FROM customer_spend WHERE period = $1 AND customer_id = ANY($2::uuid[])',
    [period, plan.customers.map((c) => c.id)],
  );
  const spend = new Map(rows.map((r) => [r.customer_id, Number(r.total_cost)]));
  const budgets = plan.customers
    .filter((c) => c.budgetFill !== null)
    .map((c) => ({ id: c.id, budget: roundBudget((spend.get(c.id) ?? 0) / c.budgetFill!) }));
  if (budgets.length === 0) return;
  await db.query(
    `UPDATE customers c SET budget = b.budget, updated_at = now()
     FROM jsonb_to_recordset($1::jsonb) AS b(id uuid, budget numeric) WHERE c.id = b.id`,
    [JSON.stringify(budgets)],
  );
}

/** Up to the next "round" amount (two significant digits), at least 5. */
export function roundBudget(amount: number): string {
  if (!(amount > 5)) return '5';
  const magnitude = Math.floor(Math.log10(amount));
  const step = 10 ** (magnitude - 1);
  return (Math.ceil(amount / step) * step).toFixed(Math.max(0, 1 - magnitude));
}

/**
 * Merges the pending lists of request_logs' GIN indexes (new rows wait there until the list is full), so searches
 * right after the seed do not have to scan them.
 */
export async function flushGinPendingLists(db: Queryable): Promise<void> {
  await db.query(
    `SELECT gin_clean_pending_list(i.indexrelid::regclass)
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
     WHERE i.indrelid = 'request_logs'::regclass AND a.amname = 'gin'`,
  );
}
