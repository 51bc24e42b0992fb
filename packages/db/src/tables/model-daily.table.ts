import type { ColumnType } from 'kysely';
import type { ModelHourlyTable } from './model-hourly.table.js';

/**
 * db/migrations/0004_dashboard_rollups.sql: model_hourly summed per UTC day (the same columns, `day` for `bucket`).
 * Kept by the billing worker in the ledger transaction; the dashboard's overview and models panels read it for the
 * whole UTC days of their range (model_hourly for the partial days at the edges).
 */
export interface ModelDailyTable extends Omit<ModelHourlyTable, 'bucket'> {
  /**
   * Postgres `date`: the UTC day. Written as "YYYY-MM-DD"; node-postgres reads a date as a Date at local midnight, so
   * compare in SQL or select `to_char(day, 'YYYY-MM-DD')` rather than using the Date.
   */
  day: ColumnType<Date, string, string>;
}
