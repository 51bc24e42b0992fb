import { type Db, sql } from '@ollama-gateway/db';

/** Tables retention may prune. The rollups (usage_hourly, customer_spend) are never listed: they are kept for good. */
export type RetentionTable = 'request_logs' | 'usage_events';

/** Key of the session-level advisory lock that lets one logger replica at a time run retention. */
export const RETENTION_LOCK_KEY = 'ollama-gateway:retention';

/** Deletes on one pinned connection, the one holding the advisory lock. */
export interface RetentionSession {
  /**
   * Deletes up to `limit` rows of `table` with occurred_at < `cutoff`, oldest first, in one statement (and so in one
   * short transaction of its own); returns how many rows it deleted.
   */
  deleteBatch(table: RetentionTable, cutoff: Date, limit: number): Promise<number>;
  /** Rows of `table` with occurred_at < `cutoff` (for a dry run). */
  countOlderThan(table: RetentionTable, cutoff: Date): Promise<number>;
}

export interface RetentionRepository {
  /**
   * Runs `work` on one connection while holding the retention advisory lock (`pg_try_advisory_lock`), then releases
   * it. When another session holds the lock, returns `{ acquired: false }` at once without running `work`.
   */
  withLock<T>(
    work: (session: RetentionSession) => Promise<T>,
  ): Promise<{ acquired: true; value: T } | { acquired: false }>;
}

export function createRetentionRepository(db: Db): RetentionRepository {
  return {
    async withLock(work) {
      // Session-level advisory locks belong to a connection: pin one for the lock, every delete and the unlock.
      return db.connection().execute(async (conn) => {
        const locked = await sql<{ locked: boolean }>`
          SELECT pg_try_advisory_lock(hashtext(${RETENTION_LOCK_KEY})) AS locked`.execute(conn);
        if (!locked.rows[0]?.locked) return { acquired: false as const };
        try {
          return { acquired: true as const, value: await work(createSession(conn)) };
        } finally {
          await sql`SELECT pg_advisory_unlock(hashtext(${RETENTION_LOCK_KEY}))`.execute(conn).catch(() => {});
        }
      });
    },
  };
}

function createSession(conn: Db): RetentionSession {
  return {
    async deleteBatch(table, cutoff, limit) {
      // The inner SELECT walks the occurred_at index from the oldest row, so each batch touches only `limit` rows.
      const result = await sql`
        DELETE FROM ${sql.table(table)}
        WHERE id IN (
          SELECT id FROM ${sql.table(table)}
          WHERE occurred_at < ${cutoff}
          ORDER BY occurred_at, id
          LIMIT ${limit}
        )`.execute(conn);
      return Number(result.numAffectedRows ?? 0n);
    },

    async countOlderThan(table, cutoff) {
      const result = await sql<{ count: string }>`
        SELECT count(*) AS count FROM ${sql.table(table)} WHERE occurred_at < ${cutoff}`.execute(conn);
      return Number(result.rows[0]?.count ?? 0);
    },
  };
}
