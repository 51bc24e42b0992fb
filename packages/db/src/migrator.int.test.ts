import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDbDir, INIT_VERSION, migrate } from './migrator.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

let testDb: TestDatabase;
let dbDir: string;

beforeAll(async () => {
  testDb = await createTestDatabase('migrator');
  // A db/-like folder: the real init.sql plus migrations of our own.
  dbDir = mkdtempSync(join(tmpdir(), 'ogw-migrations-'));
  mkdirSync(join(dbDir, 'migrations'));
  copyFileSync(join(findDbDir(), 'init.sql'), join(dbDir, 'init.sql'));
});
afterAll(async () => {
  await testDb?.drop();
  if (dbDir) rmSync(dbDir, { recursive: true, force: true });
});

const tableExists = async (name: string) =>
  (await sql<{ present: boolean }>`SELECT to_regclass(${name}) IS NOT NULL AS present`.execute(testDb.db))
    .rows[0]?.present;

describe('migrate()', () => {
  it('is idempotent: on a current schema a second run applies nothing', async () => {
    const result = await migrate(testDb.url);
    expect(result.applied).toEqual([]);
    expect(result.current).toContain(INIT_VERSION);
  });

  it('applies a new migration file exactly once and records it', async () => {
    writeFileSync(
      join(dbDir, 'migrations', '0001_add_probe.sql'),
      'CREATE TABLE migration_probe (id int); INSERT INTO migration_probe VALUES (1);',
    );
    writeFileSync(join(dbDir, 'migrations', 'README.md'), 'not a migration');
    writeFileSync(join(dbDir, 'migrations', '1_wrong_name.sql'), 'SELECT 1/0;');

    const first = await migrate(testDb.url, { dbDir });
    expect(first.applied).toEqual(['0001_add_probe']);
    // the test database already holds the real db/migrations (createTestDatabase migrates it)
    expect(first.current).toEqual(expect.arrayContaining([INIT_VERSION, '0001_add_probe']));

    const second = await migrate(testDb.url, { dbDir });
    expect(second.applied).toEqual([]);
    const rows = await sql<{ n: string }>`SELECT count(*) AS n FROM migration_probe`.execute(testDb.db);
    expect(rows.rows[0]?.n).toBe('1');
  });

  it('rolls back a failing migration, names it, and does not record it', async () => {
    const file = join(dbDir, 'migrations', '0002_broken.sql');
    writeFileSync(file, 'CREATE TABLE half_done (id int); SELECT 1/0;');
    await expect(migrate(testDb.url, { dbDir })).rejects.toThrow(
      /Migration 0002_broken failed: division by zero/,
    );
    expect(await tableExists('half_done')).toBe(false);
    rmSync(file);
    expect((await migrate(testDb.url, { dbDir })).applied).toEqual([]);
  });

  it('applies a migration once when several processes migrate at the same time', async () => {
    writeFileSync(
      join(dbDir, 'migrations', '0003_counted.sql'),
      'CREATE TABLE IF NOT EXISTS counted (n int); INSERT INTO counted VALUES (1);',
    );
    const results = await Promise.all([1, 2, 3, 4].map(() => migrate(testDb.url, { dbDir })));
    expect(results.flatMap((r) => r.applied)).toEqual(['0003_counted']);
    const rows = await sql<{ n: string }>`SELECT count(*) AS n FROM counted`.execute(testDb.db);
    expect(rows.rows[0]?.n).toBe('1');
  });
});
