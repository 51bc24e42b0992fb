import { type Queryable, rebuildModelDaily } from './seed.repository.js';
import { modelHourlySql, RANGE_FILTER } from './sql/rollups.sql.js';

export interface ResetResult {
  customers: number;
  events: number;
  logs: number;
  /** true when every ledger, rollup and log row was seed data, so the tables were truncated. */
  truncated: boolean;
}

/**
 * Removes seeded data: the ledger rows, request logs, usage_hourly and key_daily rows of the seed customers, then the
 * customers themselves (their keys and customer_spend rows go with them, ON DELETE CASCADE). model_hourly has no
 * customer column, so the hours the seed covered are recomputed from the ledger rows that remain, and model_daily's
 * days touching them from model_hourly. When the tables hold nothing but seed data (a demo or benchmark database)
 * they are truncated instead, which takes a second instead of minutes at 10 million rows. One transaction: on error nothing is removed.
 */
export async function resetSeedData(db: Queryable, customerIds: readonly string[]): Promise<ResetResult> {
  if (customerIds.length === 0) return { customers: 0, events: 0, logs: 0, truncated: false };
  const ids = [...customerIds];
  await db.query('BEGIN');
  try {
    // The billing worker may be writing: hold its rollup upserts until the recomputed rows are in place.
    await db.query(
      'LOCK TABLE usage_hourly, model_hourly, model_daily, key_daily IN SHARE ROW EXCLUSIVE MODE',
    );
    const onlySeed = await onlySeedData(db, ids);
    let events = 0;
    let logs = 0;
    if (onlySeed) {
      ({ events, logs } = await counts(db));
      await db.query(
        'TRUNCATE usage_events, request_logs, usage_hourly, model_hourly, model_daily, key_daily',
      );
    } else {
      const range = await db.query<{ lo: Date | null; hi: Date | null }>(
        `SELECT date_trunc('hour', min(occurred_at)) AS lo, date_trunc('hour', max(occurred_at)) + interval '1 hour' AS hi
         FROM usage_events WHERE customer_id = ANY($1::uuid[])`,
        [ids],
      );
      logs =
        (await db.query('DELETE FROM request_logs WHERE customer_id = ANY($1::uuid[])', [ids])).rowCount ?? 0;
      events =
        (await db.query('DELETE FROM usage_events WHERE customer_id = ANY($1::uuid[])', [ids])).rowCount ?? 0;
      await db.query('DELETE FROM usage_hourly WHERE customer_id = ANY($1::uuid[])', [ids]);
      await db.query('DELETE FROM key_daily WHERE customer_id = ANY($1::uuid[])', [ids]);
      const { lo, hi } = range.rows[0] ?? { lo: null, hi: null };
      if (lo && hi) {
        await db.query('DELETE FROM model_hourly WHERE bucket >= $1 AND bucket < $2', [lo, hi]);
        await db.query(modelHourlySql(RANGE_FILTER), [lo, hi]);
        await rebuildModelDaily(db, lo, hi);
      }
    }
    const removed = await db.query('DELETE FROM customers WHERE id = ANY($1::uuid[])', [ids]);
    await db.query('COMMIT');
    return { customers: removed.rowCount ?? 0, events, logs, truncated: onlySeed };
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
}

/** Whether usage_events, request_logs, usage_hourly and key_daily hold no row of anyone but the seed customers. */
async function onlySeedData(db: Queryable, ids: string[]): Promise<boolean> {
  const { rows } = await db.query<{ other: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM usage_events WHERE customer_id IS NULL OR customer_id <> ALL($1::uuid[]))
         OR EXISTS (SELECT 1 FROM request_logs WHERE customer_id IS NULL OR customer_id <> ALL($1::uuid[]))
         OR EXISTS (SELECT 1 FROM usage_hourly WHERE customer_id IS NULL OR customer_id <> ALL($1::uuid[]))
         OR EXISTS (SELECT 1 FROM key_daily WHERE customer_id IS NULL OR customer_id <> ALL($1::uuid[])) AS other`,
    [ids],
  );
  return rows[0]?.other === false;
}

async function counts(db: Queryable): Promise<{ events: number; logs: number }> {
  const { rows } = await db.query<{ events: string; logs: string }>(
    'SELECT (SELECT count(*) FROM usage_events) AS events, (SELECT count(*) FROM request_logs) AS logs',
  );
  return { events: Number(rows[0]!.events), logs: Number(rows[0]!.logs) };
}
