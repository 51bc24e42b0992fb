import type { Db } from '@ollama-gateway/db';
import type { LedgerEntry } from './usage.repository.js';

/** The transaction the ledger insert and its rollups share. */
export type Trx = Parameters<Parameters<ReturnType<Db['transaction']>['execute']>[0]>[0];

/** Postgres text cannot hold NUL; client-supplied strings (user agent, model name) may carry one. */
export function text(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

export function textOrNull(value: string | null): string | null {
  return value === null ? null : text(value);
}

/** The UTC hour an ISO timestamp falls in, as an ISO string: the `bucket` of the hourly rollups. */
export function hourBucket(occurredAt: string): string {
  const hour = new Date(occurredAt);
  hour.setUTCMinutes(0, 0, 0);
  return hour.toISOString();
}

/** The UTC day an ISO timestamp falls in, as "YYYY-MM-DD": the `day` of key_daily. */
export function utcDay(occurredAt: string): string {
  return new Date(occurredAt).toISOString().slice(0, 10);
}

/**
 * The values of a map in the order of their keys. Every rollup upserts its rows in this order, so two concurrent
 * batches lock the rows they share in the same order and never deadlock.
 */
export function inKeyOrder<T>(rows: ReadonlyMap<string, T>): T[] {
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/** An inserted ledger entry with the references actually written (deleted ones cleared): what the rollups sum. */
export interface RollupRow {
  entry: LedgerEntry;
  customerId: string | null;
  apiKeyId: string | null;
}
