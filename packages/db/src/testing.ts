import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from './connection.js';
import { ensureDatabase, migrate } from './migrator.js';

/** The Postgres server tests use: TEST_DATABASE_URL's server, else the local one (trust auth, user postgres). */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  db: Db;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh database with the full schema, private to one test file, so test runs never see each other's data.
 * `serverUrl` picks another server (a private cluster a test may restart); default TEST_SERVER_URL.
 */
export async function createTestDatabase(
  label = 'test',
  serverUrl: string = TEST_SERVER_URL,
): Promise<TestDatabase> {
  const name = `ogw_${label
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 20)
    .toLowerCase()}_${randomBytes(5).toString('hex')}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  await migrate(url.toString());
  const db = createDb(url.toString(), { max: 4, applicationName: `test-${label}` });
  return {
    url: url.toString(),
    name,
    db,
    async drop() {
      await db.destroy();
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
