import { type RollupRow, type Trx, utcDay } from './ledger.helpers.js';
import { addModelExcluded, groupByModel, modelColumns } from './model-hourly.repository.js';

/**
 * model_daily (db/migrations/0004): model_hourly summed per UTC day, the same columns with `day` for `bucket`. The
 * dashboard's overview and models panels read it for the whole UTC days of their range. Called in the ledger
 * transaction with the rows actually inserted, right after model_hourly; rows are upserted in key order so concurrent
 * batches never deadlock.
 */
export async function upsertModelDaily(trx: Trx, rows: readonly RollupRow[]): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('model_daily')
    .values(groupByModel(rows, utcDay).map((row) => ({ day: row.period, ...modelColumns(row) })))
    .onConflict((oc) => oc.constraint('model_daily_key').doUpdateSet(addModelExcluded('model_daily')))
    .execute();
}
