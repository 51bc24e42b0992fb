import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';

export type Db = Kysely<Database>;

export interface DbOptions {
  /** Pool size; small by default: every service is I/O bound and Postgres connections are not free. */
  max?: number;
  applicationName?: string;
}

/** A Kysely instance over a pg pool. Call `db.destroy()` on shutdown. */
export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'ollama-gateway',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  });
  // A dropped idle connection (Postgres restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor one dropped while checked out between two queries (inside a transaction, say): pg emits 'error' on the client,
  // which would be an uncaught exception. The next query on it fails (the caller retries), and the pool discards it.
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
