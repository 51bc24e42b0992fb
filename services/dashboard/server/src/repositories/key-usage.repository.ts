import { type Db, sql } from '@ollama-gateway/db';
import type { Range } from '../services/range.service.js';
import { KEY_SUMS, type KeySums } from './usage-sums.sql.js';

const DAY = 86_400_000;

/** How a range is read: whole UTC days from key_daily, the hours before and after them from usage_hourly. */
export interface RangeParts {
  /** [from, to) as "YYYY-MM-DD" UTC days, or null when the range holds no whole UTC day. */
  days: { from: string; to: string } | null;
  /** The partial days at the edges (or the whole range when it holds no whole day), each [from, to) on whole hours. */
  hours: Array<{ from: Date; to: Date }>;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Splits [from, to) at the first and last UTC midnight inside it. Exact for any range: the parts never overlap. */
export function splitAtUtcDays(range: Pick<Range, 'from' | 'to'>): RangeParts {
  const from = range.from.getTime();
  const to = range.to.getTime();
  const firstDay = Math.ceil(from / DAY) * DAY;
  const lastDay = Math.floor(to / DAY) * DAY;
  if (firstDay >= lastDay) return { days: null, hours: [{ from: range.from, to: range.to }] };
  const hours: RangeParts['hours'] = [];
  if (from < firstDay) hours.push({ from: range.from, to: new Date(firstDay) });
  if (lastDay < to) hours.push({ from: new Date(lastDay), to: range.to });
  return { days: { from: isoDay(firstDay), to: isoDay(lastDay) }, hours };
}

/**
 * Usage per customer and per key: the whole UTC days of the range from key_daily (one row per day and key), the
 * partial days at its edges from usage_hourly. Both are kept by the billing worker in the ledger transaction, so the
 * sums are exact whatever the range.
 */
export interface KeyUsageRepository {
  /** Usage per customer (customers without usage are absent). */
  byCustomer(range: Range): Promise<Map<string, KeySums>>;
  /** Usage per key of one customer. */
  byKey(customerId: string, range: Range): Promise<Map<string, KeySums>>;
}

/** The rows of `range` (alias `k`, the columns KEY_SUMS reads plus customer_id and api_key_id) matching `where`. */
function rowsOf(range: Range, where: ReturnType<typeof sql>) {
  const parts = splitAtUtcDays(range);
  const columns = sql`customer_id, api_key_id, requests, errors, prompt_tokens, completion_tokens, total_cost`;
  const selects = [
    ...(parts.days
      ? [
          sql`SELECT ${columns} FROM key_daily
              WHERE day >= ${parts.days.from}::date AND day < ${parts.days.to}::date AND ${where}`,
        ]
      : []),
    ...parts.hours.map(
      (hours) => sql`SELECT ${columns} FROM usage_hourly
                     WHERE bucket >= ${hours.from} AND bucket < ${hours.to} AND ${where}`,
    ),
  ];
  return sql.join(selects, sql` UNION ALL `);
}

export function createKeyUsageRepository(db: Db): KeyUsageRepository {
  return {
    async byCustomer(range) {
      const { rows } = await sql<KeySums & { customer_id: string }>`
        SELECT k.customer_id, ${KEY_SUMS}
        FROM (${rowsOf(range, sql`customer_id IS NOT NULL`)}) k
        GROUP BY k.customer_id`.execute(db);
      return new Map(rows.map((row) => [row.customer_id, row]));
    },

    async byKey(customerId, range) {
      const { rows } = await sql<KeySums & { api_key_id: string }>`
        SELECT k.api_key_id, ${KEY_SUMS}
        FROM (${rowsOf(range, sql`customer_id = ${customerId} AND api_key_id IS NOT NULL`)}) k
        GROUP BY k.api_key_id`.execute(db);
      return new Map(rows.map((row) => [row.api_key_id, row]));
    },
  };
}
