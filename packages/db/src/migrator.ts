import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const INIT_VERSION = '0000_init';
const LOCK_KEY = 'ollama-gateway:migrate';

export interface MigrationResult {
  /** Versions applied by this run, in order (empty when the schema was already current). */
  applied: string[];
  /** Every version now recorded in schema_migrations. */
  current: string[];
}

/** The repository's `db/` folder: `MIGRATIONS_DIR`, else found by walking up from this file (works in dist and Docker). */
export function findDbDir(explicit = process.env.MIGRATIONS_DIR): string {
  if (explicit) return resolve(explicit);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'db', 'init.sql'))) return join(dir, 'db');
    dir = dirname(dir);
  }
  throw new Error('Cannot find db/init.sql; set MIGRATIONS_DIR to the folder that holds it.');
}

/** `db/migrations/NNNN_name.sql`, sorted by version. */
export function listMigrations(dbDir: string): { version: string; file: string }[] {
  const dir = join(dbDir, 'migrations');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
    .sort()
    .map((name) => ({ version: name.replace(/\.sql$/, ''), file: join(dir, name) }));
}

/**
 * Applies init.sql and every pending migration, each in its own transaction, under a Postgres advisory lock so
 * concurrent runs (several containers starting at once) apply each migration exactly once. Idempotent.
 */
export interface MigrateOptions {
  /** The db/ folder (default findDbDir()). */
  dbDir?: string;
  /**
   * BILLING_TIME_ZONE, for migrations that rebuild per-month rollups from the ledger (customer_spend): they read it
   * as the setting `ogw.billing_time_zone`. Default UTC.
   */
  billingTimeZone?: string;
}

export async function migrate(
  connectionString: string,
  options: MigrateOptions = {},
): Promise<MigrationResult> {
  const dbDir = options.dbDir ?? findDbDir();
  const client = new pg.Client({ connectionString, application_name: 'gatewayctl-migrate' });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SET client_min_messages = warning');
    await client.query("SELECT set_config('ogw.billing_time_zone', $1, false)", [
      options.billingTimeZone ?? 'UTC',
    ]);
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [LOCK_KEY]);
    const steps = [{ version: INIT_VERSION, file: join(dbDir, 'init.sql') }, ...listMigrations(dbDir)];
    const done = await appliedVersions(client);
    for (const step of steps) {
      if (done.has(step.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(readFileSync(step.file, 'utf8'));
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1) ON CONFLICT DO NOTHING', [
          step.version,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${step.version} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(step.version);
    }
    return { applied, current: [...(await appliedVersions(client))].sort() };
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_KEY]).catch(() => {});
    await client.end();
  }
}

async function appliedVersions(client: pg.Client): Promise<Set<string>> {
  const exists = await client.query("SELECT to_regclass('public.schema_migrations') IS NOT NULL AS present");
  if (!exists.rows[0]?.present) return new Set();
  const rows = await client.query<{ version: string }>('SELECT version FROM schema_migrations');
  return new Set(rows.rows.map((row) => row.version));
}

/** Creates the database named in `connectionString` if it does not exist (connecting to the `postgres` database). */
export async function ensureDatabase(connectionString: string): Promise<boolean> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) throw new Error(`Unsupported database name "${name}"`);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await admin.query(`CREATE DATABASE "${name}"`);
    return true;
  } catch (error) {
    // Two processes racing to create it: the loser sees a duplicate; that is fine.
    if ((error as { code?: string }).code === '42P04') return false;
    throw error;
  } finally {
    await admin.end();
  }
}
